/*
 * calibrate.c - the arena fit. Residuals are log ratios, so a 10% miss on
 * a 5 tok/s run weighs as much as one on a 100 tok/s run; each closed-loop
 * row contributes its decode rate per user and mean TTFT, and each
 * llama-benchy call its latency probe (a one-token reply
 * to "hello": what a request costs beyond its prefill). A case that
 * cannot be simulated gets a large residual, so the fit steers away from
 * profiles that make a model not fit in memory.
 */
#include "calibrate/calibrate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calibrate/field_validate.h"
#include "calibrate/validate.h"
#include "common/xalloc.h"

const struct fit_param calibrate_params[] = {
    { PROF_BW_EFF_WEIGHTS, 0.3, 1.0 },     /* BF16 weight streaming */
    { PROF_MARLIN_BW_EFF, 0.2, 1.0 },      /* quantized weight streaming */
    { PROF_MOE_EFF, 0.2, 1.0 },            /* BF16 expert GEMMs vs dense */
    { PROF_MOE_BW_EFF, 0.3, 1.5 },         /* expert weight streaming vs dense */
    { PROF_GEMV_EFF, 0.5, 1.0 },           /* one-token steps (GEMV kernels) */
    { PROF_BW_EFF_KV, 0.1, 1.0 },          /* paged attention reads */
    { PROF_GEMM_EFF_BF16, 0.1, 1.0 },      /* prefill linear layers */
    { PROF_MARLIN_EFF, 0.05, 1.0 },        /* prefill through Marlin (BF16 math) */
    /* prefill through CUTLASS W8A8 FP8 (Nemotron-Nano-4B FP8's linears)
     * and Triton FP8 experts (Nemotron-Omni FP8): 6-125 TFLOPS all-in */
    { PROF_GEMM_EFF_FP8_NATIVE, 0.025, 0.5 },
    { PROF_GEMM_EFF_FP8_TRITON, 0.025, 0.5 },
    { PROF_ATTN_PREFILL_EFF, 0.05, 1.0 },  /* prefill attention */
    { PROF_RECURRENT_EFF, 0.005, 1.0 },    /* Mamba-2 / GDN scans */
    { PROF_ATTN_HEAD_DIM_EXP, 0.01, 3.0 }, /* wide heads, slower attention */
    { PROF_MOE_ROUTING_SKEW, 0.01, 3.0 },  /* unequal expert popularity */
    { PROF_OVERLAP_EXP, 1.0, 16.0 },       /* memory/compute overlap near the ridge */
    { PROF_BLOCK_OVERHEAD_S, 1.25e-6, 6.25e-4 }, /* per step and residual block */
    { PROF_CLIENT_LATENCY_S, 1e-3, 0.5 },  /* HTTP, detokenize, stream */
    { PROF_FRONTEND_REQUEST_S, 1e-4, 0.2 },/* API server, per request */
};
const size_t calibrate_n_params = CS_ARRAY_LEN(calibrate_params);

/* Residuals larger than this log error (3%) weigh linearly, not
 * quadratically, in the fit (soft-L1, see fit.c): close to an L1 fit,
 * whose optimum is a median, as the validation targets are. At 10% the
 * medians came out 0.4-1 point higher. */
#define CALIBRATE_LOSS_SCALE 0.03

/* The total decode rate is validated, not fitted. At c = 1 it is the
 * per-user rate again; at c > 1 llama-benchy divides the batch's tokens
 * by the span from its first first-token to its last token, so it also
 * counts how long each reply ran. Without ignore_eos replies may end
 * before --tg, and the arena does not record their lengths: in a quarter
 * of its c > 1 rows the measured total is more than 10% below what
 * full-length replies give. Fitted, those rows pulled the decode
 * coefficients slow (per-user rates at 5-10 users came out 3-4% slow
 * in median). */
static const enum arena_metric fit_metrics[] = {
    AM_TG_TPS_REQ_MEAN, AM_PP_TTFR_MS_MEAN, AM_LATENCY_MS,
};
#define N_FIT_METRICS (sizeof fit_metrics / sizeof fit_metrics[0])

/* Open loop adds what closed loop cannot show: decode under larger and
 * mixed (prefill + decode) batches, i.e. TPOT. Its TTFTs are left out:
 * a few models' open-loop TTFTs carry per-request costs no global
 * coefficient has (docs/validation.md), and fitting them dragged the
 * prefill coefficients off the closed-loop TTFTs (in-sample 8.5 -> 9.3%). */
static const enum arena_metric open_fit_metrics[] = { AM_P50_TPOT_MS };
#define N_OPEN_FIT_METRICS (sizeof open_fit_metrics / sizeof open_fit_metrics[0])

struct cal_ctx {
    const struct arena *a;
    const char *exclude;
    bool open_loop;
    size_t n_closed_res, n_open_res;
    size_t n_eval;
    const struct field_set *fs;    /* NULL: arena only */
    const char *exclude_source;
    size_t n_field_res;
};

/* A field figure the joint fit reads: predictable, not a kernel figure,
 * not of the left-out source. Its weight: trust and repeats. */
static double field_weight(const struct cal_ctx *c, size_t i, size_t j, int m)
{
    const struct field_source *s = &c->fs->sources[i];
    const struct field_case *fc = &s->cases[j];
    if (c->exclude_source && strcmp(c->exclude_source, s->id) == 0)
        return 0;
    if (m == FM_GEMM_TFLOPS || m == FM_BANDWIDTH_GBS || isnan(fc->measured[m]) || !(fc->measured[m] > 0))
        return 0;
    if (!field_case_predictable(s, fc))
        return 0;
    double reps = fc->repeats < 10 ? (double)fc->repeats : 10.0;
    return s->trust * sqrt(reps / 10.0);
}

/* The first closed-loop point of a run is the first measurement after the
 * server booted: its TTFT and latency probe carry warm-up (in the arena,
 * 01-chat pp1024 c=1 is slower than the same server's pp4096), which no
 * steady-state model should be fitted to. They stay in the validation
 * tables. */
static bool row_used(const struct cal_ctx *c, size_t i, int k)
{
    const struct arena_closed *r = &c->a->closed[i];
    if (c->exclude && strcmp(c->a->runs[r->run].model, c->exclude) == 0)
        return false;
    if ((fit_metrics[k] == AM_PP_TTFR_MS_MEAN || fit_metrics[k] == AM_LATENCY_MS) &&
        r->first_of_run)
        return false;
    double x = r->measured[fit_metrics[k]];
    return !isnan(x) && x > 0;
}

static bool open_row_used(const struct cal_ctx *c, size_t i, int k)
{
    const struct arena_open *o = &c->a->open[i];
    if (!c->open_loop || !validate_open_usable(o))
        return false;
    if (c->exclude && strcmp(c->a->runs[o->run].model, c->exclude) == 0)
        return false;
    double x = o->measured[open_fit_metrics[k]];
    return !isnan(x) && x > 0;
}

/* log(predicted / measured); a case the simulation could not finish
 * counts as a miss by a factor e^3. */
static double log_residual(bool ok, double pred, double meas)
{
    return ok && pred > 0 && isfinite(pred) ? log(pred / meas) : 3.0;
}

static int residuals(const struct profile *p, double *res, size_t n, void *ud, struct cs_err *err)
{
    struct cal_ctx *c = ud;
    struct validate_filter f = { .model = c->exclude, .exclude = true, .closed = true,
                                 .open = c->open_loop, .seeds = 1, .skip_itl = true };
    struct validation *v;
    int rc = validate_run(c->a, p, &f, &v, err);
    if (rc)
        return rc;
    size_t j = 0;
    for (size_t i = 0; i < c->a->n_closed; i++)
        for (size_t k = 0; k < N_FIT_METRICS; k++) {
            if (!row_used(c, i, (int)k))
                continue;
            enum arena_metric m = fit_metrics[k];
            res[j++] = log_residual(v->closed_ok[i], v->closed[i][m], c->a->closed[i].measured[m]);
        }
    for (size_t i = 0; i < c->a->n_open; i++)
        for (size_t k = 0; k < N_OPEN_FIT_METRICS; k++) {
            if (!open_row_used(c, i, (int)k))
                continue;
            enum arena_metric m = open_fit_metrics[k];
            res[j++] = log_residual(v->open_ok[i], v->open[i][m], c->a->open[i].measured[m]);
        }
    if (c->fs) {
        struct field_validation *fv;
        if ((rc = field_validate_run(c->fs, p, NULL, &fv, err))) {
            validate_free(v);
            return rc;
        }
        for (size_t i = 0; i < c->fs->n_sources; i++)
            for (size_t q = 0; q < c->fs->sources[i].n_cases; q++)
                for (int m = 0; m < FM_COUNT; m++) {
                    double w = field_weight(c, i, q, m);
                    if (w <= 0)
                        continue;
                    bool ok = !fv->why[i][q][0];
                    res[j++] = w * log_residual(ok, fv->pred[i][q][m], c->fs->sources[i].cases[q].measured[m]);
                }
        field_validation_free(fv);
    }
    CS_ASSERT(j == n);
    validate_free(v);
    c->n_eval++;
    if (isatty(STDERR_FILENO)) /* progress only for a person watching */
        fprintf(stderr, "\rcalibrate: %zu simulations of the arena%s", c->n_eval,
                c->exclude ? " (leaving one model out)" : "");
    return CS_OK;
}

int calibrate_arena(const struct arena *a, const char *exclude, bool open_loop, struct profile *p,
                    size_t max_iter, FILE *report, struct cs_err *err)
{
    return calibrate_joint(a, exclude, NULL, NULL, open_loop, p, max_iter, report, err);
}

int calibrate_joint(const struct arena *a, const char *exclude, const struct field_set *fs,
                    const char *exclude_source, bool open_loop, struct profile *p, size_t max_iter,
                    FILE *report, struct cs_err *err)
{
    struct cal_ctx c = { a, exclude, open_loop, 0, 0, 0, fs, exclude_source, 0 };
    for (size_t i = 0; i < a->n_closed; i++)
        for (size_t k = 0; k < N_FIT_METRICS; k++)
            if (row_used(&c, i, (int)k))
                c.n_closed_res++;
    for (size_t i = 0; i < a->n_open; i++)
        for (size_t k = 0; k < N_OPEN_FIT_METRICS; k++)
            if (open_row_used(&c, i, (int)k))
                c.n_open_res++;
    for (size_t i = 0; fs && i < fs->n_sources; i++)
        for (size_t q = 0; q < fs->sources[i].n_cases; q++)
            for (int m = 0; m < FM_COUNT; m++)
                c.n_field_res += field_weight(&c, i, q, m) > 0;
    size_t n_res = c.n_closed_res + c.n_open_res + c.n_field_res;
    struct fit_report rep;
    int rc = fit_profile(p, calibrate_params, calibrate_n_params, n_res, residuals, &c,
                         max_iter, CALIBRATE_LOSS_SCALE, &rep, err);
    if (rc)
        return rc;
    char src[320];
    char open_part[48] = "";
    if (open_loop)
        snprintf(open_part, sizeof open_part, " and %zu open-loop", c.n_open_res);
    char field_part[96] = "";
    if (fs)
        snprintf(field_part, sizeof field_part, " + field (%zu figures%s%s)", c.n_field_res,
                 exclude_source ? ", without " : "", exclude_source ? exclude_source : "");
    snprintf(src, sizeof src, "fitted: capsim calibrate on %s (%zu closed-loop%s measurements%s%s)%s",
             a->dir, c.n_closed_res, open_part, exclude ? ", without " : "", exclude ? exclude : "",
             field_part);
    for (size_t i = 0; i < calibrate_n_params; i++)
        snprintf(p->source[calibrate_params[i].key], sizeof p->source[0], "%.159s", src);
    if (isatty(STDERR_FILENO))
        fputc('\n', stderr);
    if (report) {
        fprintf(report, "fit: %zu coefficients, %zu residuals, %zu iterations, %zu simulations, %s\n",
                calibrate_n_params, n_res, rep.n_iter, c.n_eval,
                rep.converged ? "converged" : "NOT converged (iteration limit)");
        fprintf(report, "rms log error: %.4f -> %.4f\n", sqrt(2 * rep.cost_start / n_res),
                sqrt(2 * rep.cost_end / n_res));
        for (size_t i = 0; i < calibrate_n_params; i++) {
            enum prof_key k = calibrate_params[i].key;
            /* Past +-1000% the linearised covariance says only that the
             * data do not pin the coefficient (collinear with another). */
            if (rep.sigma[k] > 10.0)
                fprintf(report, "  %-26s %12.6g  (undetermined)\n", profile_key_name(k), p->v[k]);
            else
                fprintf(report, "  %-26s %12.6g  (+-%.0f%%)\n", profile_key_name(k), p->v[k],
                        100.0 * rep.sigma[k]);
        }
    }
    return CS_OK;
}
