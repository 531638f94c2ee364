/*
 * field_validate.c - field cases through the emulated clients. Each case
 * gets its own deploy: speculative acceptance is per case, and a deploy
 * costs little next to the simulation.
 */
#include "calibrate/field_validate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "client/deploy.h"
#include "client/serve.h"
#include "common/json.h"
#include "common/stats.h"
#include "common/xalloc.h"

static const char *const group_names[] = {
    [FG_DECODE_USER] = "decode tok/s per user",
    [FG_DECODE_TOTAL] = "decode tok/s aggregate",
    [FG_PREFILL] = "prefill tok/s",
    [FG_TTFT] = "TTFT",
    [FG_ITL_TPOT] = "ITL / TPOT",
    [FG_E2E] = "end-to-end latency",
    [FG_SPEC] = "speculative decode (rate, TPOT)",
};
_Static_assert(CS_ARRAY_LEN(group_names) == FG_COUNT, "field group names out of step");

const char *field_group_name(enum field_group g)
{
    return (unsigned)g < FG_COUNT ? group_names[g] : "?";
}

enum field_group field_metric_group(const struct field_source *s, const struct field_case *c,
                                    enum field_metric m)
{
    bool spec = field_case_spec_tokens(s, c) > 0;
    switch (m) {
    case FM_DECODE_TPS_PER_USER:
        return spec ? FG_SPEC : FG_DECODE_USER;
    case FM_DECODE_TPS_TOTAL:
    case FM_OUTPUT_TPS:
        return FG_DECODE_TOTAL;
    case FM_PREFILL_TPS:
        return FG_PREFILL;
    case FM_TTFT_MS_MEAN:
    case FM_TTFT_MS_P50:
        return FG_TTFT;
    case FM_TPOT_MS_MEAN:
    case FM_TPOT_MS_P50:
    case FM_ITL_MS_MEAN:
    case FM_ITL_MS_P50:
        return spec ? FG_SPEC : FG_ITL_TPOT;
    case FM_E2E_MS_MEAN:
        return FG_E2E;
    default:
        return FG_COUNT;
    }
}

/* A rate: higher is faster. Its signed error is flipped in the by-source
 * table so that + always reads "capsim says slower". */
static bool is_rate(enum field_metric m)
{
    return m == FM_DECODE_TPS_PER_USER || m == FM_DECODE_TPS_TOTAL || m == FM_OUTPUT_TPS ||
           m == FM_PREFILL_TPS;
}

static int case_deploy(const struct field_source *s, const struct field_case *c, const struct profile *p,
                       struct deploy **out, struct cs_err *err)
{
    struct deploy_args da;
    deploy_args_init(&da);
    char path[1024];
    da.model = field_case_model(s, c);
    if (s->model_text && !*c->capsim_model) {
        da.model_json = s->model_text;
    } else if (strncmp(da.model, "models/", 7) == 0) {
        /* next to the source file: DIR/x.json -> DIR/models/... */
        const char *slash = strrchr(s->file, '/');
        int len = slash ? (int)(slash - s->file) : 1;
        snprintf(path, sizeof path, "%.*s/%s", len, slash ? s->file : ".", da.model);
        da.model = path;
    }
    da.precision = field_case_checkpoint(s, c);
    da.kv_cache_dtype = *s->kv_cache_dtype ? s->kv_cache_dtype : NULL;
    da.gpu_memory_utilization = s->gpu_memory_utilization;
    da.max_model_len = (uint32_t)s->max_model_len;
    da.max_num_batched_tokens = (uint32_t)s->max_num_batched_tokens;
    da.max_num_seqs = (uint32_t)s->max_num_seqs;
    da.async_scheduling = s->async_scheduling;
    da.enable_prefix_caching = s->enable_prefix_caching; /* -1: on, as vLLM v1 */
    /* As with the arena: a backend name capsim does not know runs as vLLM's default. */
    enum kernel_backend kb;
    da.linear_backend = kernel_backend_parse(s->linear_backend, "", &kb, NULL) ? NULL : s->linear_backend;
    da.moe_backend = kernel_backend_parse(s->moe_backend, "", &kb, NULL) ? NULL : s->moe_backend;
    da.force_fp8_marlin = s->force_fp8_marlin;
    da.sm120_fp4_kernels = s->sm120_fp4_kernels;
    da.profile = p;
    if (field_case_spec_tokens(s, c) > 0) {
        da.num_speculative_tokens = (uint32_t)field_case_spec_tokens(s, c);
        da.spec_mean_accepted = fmax(0.0, c->acceptance_length - 1.0);
        if (spec_method_parse(s->spec_method, "", &da.spec_method, NULL))
            da.spec_method = SPEC_OTHER;
        da.mamba_cache_fp32 = da.spec_method == SPEC_MTP;
    }
    int rc = deploy_new(&da, out, err);
    if (rc)
        cs_err_prefix(err, "%s", s->file);
    return rc;
}

/* The case through vllm bench serve's client: a burst is every request at
 * once with no cap, a single request is a burst of one. */
static int predict_case(const struct deploy *d, const struct field_case *c, double *pred, struct cs_err *err)
{
    struct serve_args a;
    serve_args_init(&a);
    a.dataset = DATASET_RANDOM;
    a.random.input_len = c->prompt;
    a.random.output_len = c->output;
    a.random.range_ratio = 0;
    a.random.prefix_len = 0;
    a.num_prompts = c->client == FC_SERVE ? c->num_requests : c->concurrency;
    a.request_rate = INFINITY;
    a.burstiness = 1;
    a.max_concurrency = c->client == FC_SERVE ? c->concurrency : 0;
    a.seed = 0;
    a.skip_itl = isnan(c->measured[FM_ITL_MS_MEAN]) && isnan(c->measured[FM_ITL_MS_P50]);
    if (!isnan(c->mean_output))
        a.output_scale = fmin(1.0, c->mean_output / (double)c->output);
    const double pcts[] = { 0, 50, 100 };
    memcpy(a.pcts, pcts, sizeof pcts);
    a.n_pcts = 3;
    struct serve_result r;
    int rc = serve_run(d, &a, &r, err);
    if (rc)
        return rc;
    /* a profile that leaves requests unfinished (a wild fit's fold) is a
     * failed case, not a zero TTFT */
    if (!(r.ttft_ms.mean > 0) || !isfinite(r.duration))
        return cs_err_set(err, CS_ENUM, "no request got its first token");
    double n_out = r.completed ? (double)r.total_output_tokens / (double)r.completed : 0;
    double n_in = r.completed ? (double)r.total_input_tokens / (double)r.completed : 0;
    pred[FM_TTFT_MS_MEAN] = r.ttft_ms.mean;
    pred[FM_TTFT_MS_P50] = r.ttft_ms.pct[1];
    pred[FM_TPOT_MS_MEAN] = r.tpot_ms.mean;
    pred[FM_TPOT_MS_P50] = r.tpot_ms.pct[1];
    pred[FM_ITL_MS_MEAN] = a.skip_itl ? NAN : r.itl_ms.mean;
    pred[FM_ITL_MS_P50] = a.skip_itl ? NAN : r.itl_ms.pct[1];
    pred[FM_E2E_MS_MEAN] = r.e2el_ms.mean;
    pred[FM_OUTPUT_TPS] = r.output_throughput;
    /* a request's decode rate: tokens after the first over the time after it */
    pred[FM_DECODE_TPS_PER_USER] = r.tpot_ms.mean > 0 ? 1000.0 / r.tpot_ms.mean : NAN;
    /* every request's tokens over the span from the first first token to the
     * last token (for one request: its own decode rate) */
    double span = r.duration - r.ttft_ms.pct[0] / 1000.0;
    pred[FM_DECODE_TPS_TOTAL] = c->concurrency == 1 ? pred[FM_DECODE_TPS_PER_USER]
                                : span > 0          ? (double)r.total_output_tokens / span
                                                    : NAN;
    (void)n_out;
    /* the batch's prompt tokens over the mean TTFT: atlas-bench's and, for
     * one request, everyone's prompt / TTFT */
    pred[FM_PREFILL_TPS] = r.ttft_ms.mean > 0 ? (double)c->concurrency * n_in / (r.ttft_ms.mean / 1000.0) : NAN;
    return CS_OK;
}

size_t field_figure_count(const struct field_set *set)
{
    size_t n = 0;
    for (size_t i = 0; i < set->n_sources; i++)
        for (size_t j = 0; j < set->sources[i].n_cases; j++)
            for (int m = 0; m < FM_COUNT; m++)
                n += !isnan(set->sources[i].cases[j].measured[m]);
    return n;
}

int field_validate_run(const struct field_set *set, const struct profile *p, const char *only_source,
                       struct field_validation **out, struct cs_err *err)
{
    struct field_validation *v = xcalloc(1, sizeof *v);
    v->set = set;
    v->pred = xcalloc(set->n_sources + 1, sizeof *v->pred);
    v->why = xcalloc(set->n_sources + 1, sizeof *v->why);
    for (size_t i = 0; i < set->n_sources; i++) {
        const struct field_source *s = &set->sources[i];
        v->pred[i] = xmalloc((s->n_cases + 1) * sizeof *v->pred[i]);
        v->why[i] = xcalloc(s->n_cases + 1, sizeof *v->why[i]);
        for (size_t j = 0; j < s->n_cases; j++) {
            const struct field_case *c = &s->cases[j];
            for (int m = 0; m < FM_COUNT; m++)
                v->pred[i][j][m] = NAN;
            const char *why = field_case_unsupported(s, c);
            if (!*why && field_case_spec_tokens(s, c) > 0 && isnan(c->acceptance_length))
                why = "speculative decoding without a stated acceptance length";
            if (only_source && strcmp(only_source, s->id) != 0)
                why = "not selected";
            if (*why) {
                snprintf(v->why[i][j], sizeof v->why[i][j], "%s", why);
                continue;
            }
            struct deploy *d = NULL;
            struct cs_err e = { 0 };
            int rc = case_deploy(s, c, p, &d, &e);
            if (!rc)
                rc = predict_case(d, c, v->pred[i][j], &e);
            deploy_free(d);
            if (rc) /* a server capsim cannot set up is a finding, not a crash */
                snprintf(v->why[i][j], sizeof v->why[i][j], "capsim: %.140s", e.msg);
        }
    }
    (void)err;
    *out = v;
    return CS_OK;
}

void field_validation_free(struct field_validation *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->set->n_sources; i++) {
        free(v->pred[i]);
        free(v->why[i]);
    }
    free(v->pred);
    free(v->why);
    free(v);
}

size_t field_group_errors(const struct field_validation *v, enum field_group g, size_t source, double *out)
{
    size_t n = 0;
    for (size_t i = 0; i < v->set->n_sources; i++) {
        if (source != FIELD_ALL && source != i)
            continue;
        const struct field_source *s = &v->set->sources[i];
        for (size_t j = 0; j < s->n_cases; j++) {
            if (v->why[i][j][0])
                continue;
            for (int m = 0; m < FM_COUNT; m++) {
                double x = s->cases[j].measured[m], p = v->pred[i][j][m];
                if (field_metric_group(s, &s->cases[j], (enum field_metric)m) != g || isnan(x) || isnan(p) || !(x > 0))
                    continue;
                double e = (p / x - 1.0) * 100.0;
                /* a rate that comes out high means capsim is fast: flip it */
                out[n++] = is_rate((enum field_metric)m) ? -e : e;
            }
        }
    }
    return n;
}

static void counts(const struct field_validation *v, size_t *cases, size_t *figs, size_t *left, size_t *left_figs)
{
    *cases = *figs = *left = *left_figs = 0;
    for (size_t i = 0; i < v->set->n_sources; i++) {
        const struct field_source *s = &v->set->sources[i];
        for (size_t j = 0; j < s->n_cases; j++) {
            size_t nf = 0;
            for (int m = 0; m < FM_COUNT; m++)
                nf += !isnan(s->cases[j].measured[m]);
            if (v->why[i][j][0]) {
                (*left)++;
                *left_figs += nf;
            } else {
                (*cases)++;
                *figs += nf;
            }
        }
    }
}

void field_print_unsupported(const struct field_validation *v, FILE *f)
{
    fprintf(f, "cases capsim cannot express yet (source: case, reason):\n");
    for (size_t i = 0; i < v->set->n_sources; i++) {
        const struct field_source *s = &v->set->sources[i];
        /* one line per source and reason, not per case */
        for (size_t j = 0; j < s->n_cases; j++) {
            const char *why = v->why[i][j];
            if (!why[0] || strcmp(why, "not selected") == 0)
                continue;
            bool seen = false;
            for (size_t k = 0; k < j && !seen; k++)
                seen = strcmp(v->why[i][k], why) == 0;
            if (seen)
                continue;
            size_t n = 0;
            for (size_t k = j; k < s->n_cases; k++)
                n += strcmp(v->why[i][k], why) == 0;
            fprintf(f, "  %-34s %3zu case%s  %s\n", s->id, n, n == 1 ? " " : "s", why);
        }
    }
}

void field_print_table(const struct field_validation *v, FILE *f)
{
    size_t cap = field_figure_count(v->set) + 1;
    double *e = xmalloc(cap * sizeof *e);
    fprintf(f, "%-34s %7s %10s %10s %11s\n", "metric group", "figures", "median APE", "p90 APE", "median slow");
    for (int g = 0; g < FG_COUNT; g++) {
        size_t n = field_group_errors(v, (enum field_group)g, FIELD_ALL, e);
        if (n == 0)
            continue;
        double med_signed = stats_percentile(e, n, 50);
        for (size_t i = 0; i < n; i++)
            e[i] = fabs(e[i]);
        stats_sort(e, n);
        fprintf(f, "%-34s %7zu %9.1f%% %9.1f%% %+10.1f%%\n", field_group_name((enum field_group)g), n,
                stats_percentile_sorted(e, n, 50), stats_percentile_sorted(e, n, 90), med_signed);
    }
    size_t cases, figs, left, left_figs, used_sources = 0;
    counts(v, &cases, &figs, &left, &left_figs);
    for (size_t i = 0; i < v->set->n_sources; i++) {
        bool any = false;
        for (size_t j = 0; j < v->set->sources[i].n_cases && !any; j++)
            any = !v->why[i][j][0];
        used_sources += any;
    }
    fprintf(f, "field: %zu sources (%zu with usable cases), %zu cases with %zu figures predicted; "
               "%zu cases (%zu figures) listed above, not expressible yet\n",
            v->set->n_sources, used_sources, cases, figs, left, left_figs);
    free(e);
}

void field_print_by_source(const struct field_validation *v, FILE *f)
{
    static const enum field_group cols[] = { FG_DECODE_USER, FG_DECODE_TOTAL, FG_PREFILL, FG_TTFT,
                                             FG_ITL_TPOT, FG_SPEC };
    static const char *const head[] = { "dec/user", "dec/aggr", "prefill", "TTFT", "ITL/TPOT", "spec" };
    double *e = xmalloc((field_figure_count(v->set) + 1) * sizeof *e);
    fprintf(f, "median signed error per source, %% (+ = capsim says slower or longer; figures)\n%-34s", "source");
    for (size_t c = 0; c < CS_ARRAY_LEN(cols); c++)
        fprintf(f, " %9s", head[c]);
    fputc('\n', f);
    for (size_t i = 0; i < v->set->n_sources; i++) {
        char cells[CS_ARRAY_LEN(cols)][352];
        bool any = false;
        for (size_t c = 0; c < CS_ARRAY_LEN(cols); c++) {
            size_t n = field_group_errors(v, cols[c], i, e);
            if (n) {
                snprintf(cells[c], sizeof cells[c], "%+.0f (%zu)", stats_percentile(e, n, 50), n);
                any = true;
            } else {
                snprintf(cells[c], sizeof cells[c], "-");
            }
        }
        if (!any)
            continue;
        fprintf(f, "%-34s", v->set->sources[i].id);
        for (size_t c = 0; c < CS_ARRAY_LEN(cols); c++)
            fprintf(f, " %9s", cells[c]);
        fputc('\n', f);
    }
    /* the same cells as median / p90 absolute error, the field table's measure */
    fprintf(f, "\nmedian / p90 absolute error per source, %%\n%-34s", "source");
    for (size_t c = 0; c < CS_ARRAY_LEN(cols); c++)
        fprintf(f, " %9s", head[c]);
    fputc('\n', f);
    for (size_t i = 0; i < v->set->n_sources; i++) {
        char cells[CS_ARRAY_LEN(cols)][352];
        bool any = false;
        for (size_t c = 0; c < CS_ARRAY_LEN(cols); c++) {
            size_t n = field_group_errors(v, cols[c], i, e);
            for (size_t k = 0; k < n; k++)
                e[k] = fabs(e[k]);
            if (n) {
                stats_sort(e, n);
                snprintf(cells[c], sizeof cells[c], "%.0f/%.0f", stats_percentile_sorted(e, n, 50),
                         stats_percentile_sorted(e, n, 90));
                any = true;
            } else {
                snprintf(cells[c], sizeof cells[c], "-");
            }
        }
        if (!any)
            continue;
        fprintf(f, "%-34s", v->set->sources[i].id);
        for (size_t c = 0; c < CS_ARRAY_LEN(cols); c++)
            fprintf(f, " %9s", cells[c]);
        fputc('\n', f);
    }
    free(e);
}

int field_write_jsonl(const struct field_validation *v, FILE *f, struct cs_err *err)
{
    int rc = CS_OK;
    for (size_t i = 0; i < v->set->n_sources && !rc; i++) {
        const struct field_source *s = &v->set->sources[i];
        for (size_t j = 0; j < s->n_cases && !rc; j++) {
            const struct field_case *c = &s->cases[j];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "source", s->id);
            cJSON_AddStringToObject(o, "case", c->id);
            cJSON_AddStringToObject(o, "line", c->line);
            if (v->why[i][j][0])
                cJSON_AddStringToObject(o, "not_predicted", v->why[i][j]);
            for (int k = 0; k < 2; k++) {
                const double *x = k == 0 ? v->pred[i][j] : c->measured;
                cJSON *m = cJSON_AddObjectToObject(o, k == 0 ? "predicted" : "measured");
                for (int n = 0; n < FM_COUNT; n++)
                    if (!isnan(x[n]) && !isnan(c->measured[n]))
                        json_add_sig(m, field_metric_name(n), x[n], 6);
            }
            rc = json_write_line(f, o, err);
        }
    }
    return rc ? cs_err_prefix(err, "validate") : CS_OK;
}
