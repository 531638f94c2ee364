/*
 * basis.c - provenance, kernel paths and priors of one deploy, as text
 * and as JSON (through cJSON).
 */
#include "report/basis.h"

#include <string.h>

#include "common/json.h"
#include "sim/cost.h"

static bool is_prior(const struct profile *p, enum prof_key k)
{
    return strncmp(p->source[k], "prior:", 6) == 0;
}

static void add_priors(struct basis *b, const struct profile *p, enum kernel_path path)
{
    enum prof_key keys[2];
    size_t n = cost_path_keys(path, keys);
    for (size_t i = 0; i < n; i++) {
        if (!is_prior(p, keys[i]))
            continue;
        const char *name = profile_key_name(keys[i]);
        bool seen = false;
        for (size_t j = 0; j < b->n_priors; j++)
            seen |= strcmp(b->priors[j], name) == 0;
        if (!seen && b->n_priors < BASIS_MAX_PRIORS)
            b->priors[b->n_priors++] = name;
    }
}

void basis_of(const struct deploy *d, struct basis *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->model, sizeof out->model, "%s", model_name(d->model));
    out->precision = d->precision;
    struct model_provenance pv;
    model_checkpoint_provenance(d->model, d->precision, &pv);
    out->published = pv.published;
    snprintf(out->hf_id, sizeof out->hf_id, "%s", pv.hf_id);
    snprintf(out->note, sizeof out->note, "%s", pv.note);
    out->paths = d->paths;
    add_priors(out, &d->profile, d->paths.linear.path);
    if (d->paths.has_experts)
        add_priors(out, &d->profile, d->paths.experts.path);
    /* The priors a path can rest on are compute rates (prefill); decode
     * streams weights at calibrated rates, so only TTFT's band widens. */
    profile_band(&d->profile, BAND_TTFT, 1.0, out->n_priors > 0, &out->band_lo[BAND_TTFT],
                 &out->band_hi[BAND_TTFT]);
    profile_band(&d->profile, BAND_TPOT, 1.0, false, &out->band_lo[BAND_TPOT], &out->band_hi[BAND_TPOT]);
}

static void print_choice(FILE *f, const char *part, enum weight_format fmt, const struct kpath_choice *c)
{
    fprintf(f, "%s %s -> %s (%s; %s)", part, kpath_weight_format_name(fmt), kpath_name(c->path), c->kernel,
            c->why);
}

void basis_print(FILE *f, const struct basis *b)
{
    const char *prec = dtype_traits(b->precision)->name;
    if (b->published)
        fprintf(f, "Checkpoint: %s %s, published %s\n", b->model, prec,
                *b->hf_id ? b->hf_id : "(the config.json given)");
    else
        fprintf(f, "Checkpoint: %s %s, hypothetical: no such checkpoint is built in; capsim stores every "
                   "linear layer in %s, embeddings and LM head in BF16\n",
                b->model, prec, prec);
    if (b->published && *b->note)
        fprintf(f, "  (%s)\n", b->note);
    fputs("Kernels: ", f);
    print_choice(f, "linears", b->paths.linear_format, &b->paths.linear);
    if (b->paths.has_experts) {
        fputs("; ", f);
        print_choice(f, "experts", b->paths.expert_format, &b->paths.experts);
    }
    fputc('\n', f);
    if (b->n_priors) {
        fputs("Basis: rests on uncalibrated priors (", f);
        for (size_t i = 0; i < b->n_priors; i++)
            fprintf(f, "%s%s", i ? ", " : "", b->priors[i]);
        fputs("): no calibration run takes this kernel path", f);
    } else {
        fputs("Basis: every kernel path here is calibrated on measured runs", f);
    }
    fprintf(f, "; 80%% band x%.2f-%.2f TTFT, x%.2f-%.2f TPOT%s\n", b->band_lo[BAND_TTFT],
            b->band_hi[BAND_TTFT], b->band_lo[BAND_TPOT], b->band_hi[BAND_TPOT],
            b->n_priors ? " (TTFT widened for the priors)" : "");
}

static int add_choice(cJSON *kernels, const char *part, enum weight_format fmt, const struct kpath_choice *c)
{
    cJSON *o = cJSON_AddObjectToObject(kernels, part);
    if (!o || !cJSON_AddStringToObject(o, "format", kpath_weight_format_name(fmt)) ||
        !cJSON_AddStringToObject(o, "path", kpath_name(c->path)) ||
        !cJSON_AddStringToObject(o, "kernel", c->kernel) || !cJSON_AddStringToObject(o, "why", c->why))
        return -1;
    return 0;
}

int basis_add_json(cJSON *obj, const struct basis *b, struct cs_err *err)
{
    cJSON *ck = cJSON_AddObjectToObject(obj, "checkpoint");
    cJSON *kernels = cJSON_AddObjectToObject(obj, "kernels");
    cJSON *priors = cJSON_AddArrayToObject(obj, "priors");
    if (!ck || !kernels || !priors ||
        !cJSON_AddStringToObject(ck, "precision", dtype_traits(b->precision)->name) ||
        !cJSON_AddBoolToObject(ck, "published", b->published) ||
        !cJSON_AddStringToObject(ck, "hf_id", b->hf_id) ||
        !cJSON_AddStringToObject(ck, "note", b->published
                                                 ? b->note
                                                 : "hypothetical: every linear layer in this precision, "
                                                   "embeddings and LM head BF16") ||
        !cJSON_AddNumberToObject(obj, "band_ttft_lo", b->band_lo[BAND_TTFT]) ||
        !cJSON_AddNumberToObject(obj, "band_ttft_hi", b->band_hi[BAND_TTFT]) ||
        !cJSON_AddNumberToObject(obj, "band_tpot_lo", b->band_lo[BAND_TPOT]) ||
        !cJSON_AddNumberToObject(obj, "band_tpot_hi", b->band_hi[BAND_TPOT]) ||
        add_choice(kernels, "linears", b->paths.linear_format, &b->paths.linear) ||
        (b->paths.has_experts && add_choice(kernels, "experts", b->paths.expert_format, &b->paths.experts)))
        return cs_err_set(err, CS_EIO, "out of memory writing JSON");
    for (size_t i = 0; i < b->n_priors; i++)
        if (!cJSON_AddItemToArray(priors, cJSON_CreateString(b->priors[i])))
            return cs_err_set(err, CS_EIO, "out of memory writing JSON");
    return CS_OK;
}

void basis_band(const struct basis *b, enum band_metric m, double v, double *lo, double *hi)
{
    *lo = v * b->band_lo[m];
    *hi = v * b->band_hi[m];
}

void basis_format_band(const struct basis *b, enum band_metric m, double v_ms, char *buf, size_t n)
{
    double lo, hi;
    basis_band(b, m, v_ms, &lo, &hi);
    if (v_ms >= 1000.0)
        snprintf(buf, n, "%.2f s (%.2f-%.2f)", v_ms / 1000.0, lo / 1000.0, hi / 1000.0);
    else
        snprintf(buf, n, "%.1f ms (%.1f-%.1f)", v_ms, lo, hi);
}

void basis_add_band_json(cJSON *obj, const char *key, const struct basis *b, enum band_metric m,
                         double v, int decimals)
{
    double lo, hi;
    char k[64];
    basis_band(b, m, v, &lo, &hi);
    json_add_fixed(obj, key, v, decimals);
    snprintf(k, sizeof k, "%s_lo", key);
    json_add_fixed(obj, k, lo, decimals);
    snprintf(k, sizeof k, "%s_hi", key);
    json_add_fixed(obj, k, hi, decimals);
}

void basis_scale_slos(const struct basis *b, struct slo *slos, size_t n, bool optimistic)
{
    for (size_t j = 0; j < n; j++) {
        enum band_metric m = slos[j].metric == SLO_TPOT || slos[j].metric == SLO_ITL ? BAND_TPOT : BAND_TTFT;
        slos[j].limit_ms /= optimistic ? b->band_lo[m] : b->band_hi[m];
    }
}
