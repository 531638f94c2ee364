#include "calibrate/kernels_fit.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_fit.h>

#include "common/xalloc.h"

static bool is(const struct kb_record *r, const char *bench, const char *dtype)
{
    return strcmp(r->status, "ok") == 0 && strcmp(r->bench, bench) == 0 &&
           (!dtype || strcmp(r->dtype, dtype) == 0);
}

/* Best efficiency of a family (GEMM rows m_lo <= M <= m_hi): max over
 * records of work / ((t - t0) x rate). */
static double envelope_m(const struct kb_record *r, size_t n, const char *bench, const char *dtype,
                         int64_t m_lo, int64_t m_hi, bool flops, double rate, double t0, int *count)
{
    double best = 0;
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is(&r[i], bench, dtype) || r[i].m < m_lo || r[i].m > m_hi)
            continue;
        double t = r[i].time_us * 1e-6 - t0;
        double work = flops ? r[i].flops : r[i].bytes;
        if (t <= 0 || work <= 0)
            continue;
        (*count)++;
        double e = work / (t * rate);
        if (e > best)
            best = e;
    }
    return best;
}

static double envelope(const struct kb_record *r, size_t n, const char *bench, const char *dtype,
                       bool flops, double rate, double t0, int *count)
{
    return envelope_m(r, n, bench, dtype, 0, INT64_MAX, flops, rate, t0, count);
}

/* key := the moe_gemm nvfp4 envelope (FLOPs or bytes) over the dense
 * efficiency `dense` of the same kernel family; kept without records. */
static void grouped_over_dense(const struct kb_record *r, size_t n, struct profile *p, enum prof_key key,
                               enum prof_key dense, bool flops, double rate, double t0, const char *src,
                               FILE *report)
{
    int cnt;
    double e = envelope(r, n, "moe_gemm", "nvfp4", flops, rate, t0, &cnt);
    if (cnt > 0 && p->v[dense] > 0) {
        p->v[key] = e / p->v[dense];
        snprintf(p->source[key], sizeof p->source[0], "%s", src);
        if (report)
            fprintf(report, "  %-22s %.4f  (%d records, relative to %s)\n", profile_key_name(key), p->v[key],
                    cnt, profile_key_name(dense));
    } else if (report) {
        fprintf(report, "  %-22s kept %.4f (no moe_gemm nvfp4 records)\n", profile_key_name(key), p->v[key]);
    }
}

int kernels_fit(const struct kb_record *r, size_t n, struct profile *p, const char *source_file,
                FILE *report, struct cs_err *err)
{
    /* Launch cost and read bandwidth: t = t0 + bytes / bw_eff. */
    double *x = xmalloc((n + 1) * sizeof *x), *y = xmalloc((n + 1) * sizeof *y);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (is(&r[i], "membw_read", NULL)) {
            x[m] = r[i].bytes;
            y[m] = r[i].time_us * 1e-6;
            m++;
        }
    if (m < 2) {
        free(x);
        free(y);
        return cs_err_set(err, CS_EINPUT, "%s: needs at least two ok membw_read records", source_file);
    }
    double c0, c1, cov00, cov01, cov11, sumsq;
    int st = gsl_fit_linear(x, 1, y, 1, m, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
    free(x);
    free(y);
    if (st || !(c1 > 0))
        return cs_err_set(err, CS_ENUM, "%s: membw_read times do not grow with size", source_file);
    double t0 = c0 > 0 ? c0 : 0;
    double bw = p->v[PROF_MEM_BW_BYTES_PER_S], bf16 = p->v[PROF_PEAK_FLOPS_BF16];
    struct { enum prof_key key; const char *bench, *dtype; bool flops; double rate; } fam[] = {
        { PROF_GEMM_EFF_BF16, "gemm", "bf16", true, bf16 },
        { PROF_GEMM_EFF_FP8_NATIVE, "gemm", "fp8", true, p->v[PROF_PEAK_FLOPS_FP8] },
        { PROF_GEMM_EFF_FP4_NATIVE, "gemm", "nvfp4", true, p->v[PROF_PEAK_FLOPS_FP4] },
        { PROF_MARLIN_BW_EFF, "dequant_gemm", NULL, false, bw },
        /* One BF16-math efficiency serves every Marlin format (sim/cost.c);
         * it comes from the NVFP4 records, whose large-M GEMMs are bound
         * by math where FP8's are bound by re-read weight bytes. */
        { PROF_MARLIN_EFF, "dequant_gemm", "nvfp4", true, bf16 },
        { PROF_BW_EFF_KV, "attn_decode", NULL, false, bw },
        { PROF_ATTN_PREFILL_EFF, "attn_prefill", NULL, true, bf16 },
    };
    char src[160];
    snprintf(src, sizeof src, "fitted: capsim calibrate --kernels %s (%zu records)", source_file, n);
    p->v[PROF_BW_EFF_WEIGHTS] = 1.0 / (c1 * bw);
    snprintf(p->source[PROF_BW_EFF_WEIGHTS], sizeof p->source[0], "%s", src);
    if (report)
        fprintf(report, "  %-22s %.4f  (%zu membw_read records; launch %.2f us)\n",
                profile_key_name(PROF_BW_EFF_WEIGHTS), p->v[PROF_BW_EFF_WEIGHTS], m, t0 * 1e6);
    for (size_t i = 0; i < sizeof fam / sizeof fam[0]; i++) {
        int cnt;
        double e = envelope(r, n, fam[i].bench, fam[i].dtype, fam[i].flops, fam[i].rate, t0, &cnt);
        if (cnt == 0) {
            if (report)
                fprintf(report, "  %-22s kept %.4f (no %s %s records)\n", profile_key_name(fam[i].key),
                        p->v[fam[i].key], fam[i].bench, fam[i].dtype ? fam[i].dtype : "");
            continue;
        }
        p->v[fam[i].key] = e;
        snprintf(p->source[fam[i].key], sizeof p->source[0], "%s", src);
        if (report)
            fprintf(report, "  %-22s %.4f  (%d records)\n", profile_key_name(fam[i].key), e, cnt);
    }
    /* moe_eff is grouped over dense GEMM within one kernel family (sim/cost.c
     * applies it to every expert GEMM): the suite's grouped nvfp4 expert
     * GEMM's compute envelope over its dense dequant GEMM's, the nearest
     * measurement of what grouping small matrices costs; moe_bw_eff
     * likewise for streaming (the grouped GEMM's memory-bound batches). */
    grouped_over_dense(r, n, p, PROF_MOE_EFF, PROF_MARLIN_EFF, true, bf16, t0, src, report);
    grouped_over_dense(r, n, p, PROF_MOE_BW_EFF, PROF_MARLIN_BW_EFF, false, bw, t0, src, report);
    /* gemv_eff: a one-row BF16 GEMM's streaming rate over that of the
     * small, still memory-bound batches (M 2-64) decode steps run. */
    int n1, nb;
    double e1 = envelope_m(r, n, "gemm", "bf16", 1, 1, false, bw, t0, &n1);
    double eb = envelope_m(r, n, "gemm", "bf16", 2, 64, false, bw, t0, &nb);
    if (n1 > 0 && nb > 0 && e1 > 0 && eb > 0) {
        p->v[PROF_GEMV_EFF] = e1 < eb ? e1 / eb : 1.0;
        snprintf(p->source[PROF_GEMV_EFF], sizeof p->source[0], "%s", src);
        if (report)
            fprintf(report, "  %-22s %.4f  (%d M=1 and %d M=2-64 gemm bf16 records)\n",
                    profile_key_name(PROF_GEMV_EFF), p->v[PROF_GEMV_EFF], n1, nb);
    } else if (report) {
        fprintf(report, "  %-22s kept %.4f (needs gemm bf16 records at M=1 and M=2-64)\n",
                profile_key_name(PROF_GEMV_EFF), p->v[PROF_GEMV_EFF]);
    }
    return CS_OK;
}
