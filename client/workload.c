/*
 * workload.c - requests as the benchmark clients draw them (see
 * workload.h). Random lengths and gamma arrivals use numpy's own streams
 * (client/nprng.h), so a simulated `vllm bench serve --seed 42` sends the
 * same lengths at the same offsets as the measured one.
 */
#include "client/workload.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "client/nprng.h"
#include "common/xalloc.h"

void workload_random_ranges(const struct workload_random_args *a, int64_t *in_lo,
                            int64_t *in_hi, int64_t *out_lo, int64_t *out_hi)
{
    /* vllm/benchmarks/datasets: floor/ceil of len*(1-r) and len*(1+r), in
     * floating point (4000 * (1 - 0.9) = 399.99... -> 399). */
    double real = (double)(a->input_len - a->num_special_tokens);
    double r = a->range_ratio;
    *in_lo = (int64_t)floor(real * (1.0 - r));
    *in_hi = (int64_t)ceil(real * (1.0 + r));
    int64_t olo = (int64_t)floor((double)a->output_len * (1.0 - r));
    *out_lo = olo < 1 ? 1 : olo;
    *out_hi = (int64_t)ceil((double)a->output_len * (1.0 + r));
}

int workload_random(const struct workload_random_args *a, int64_t seed, size_t n,
                    struct workload_req *out, struct cs_err *err)
{
    if (a->input_len < 1 || a->output_len < 1)
        return cs_err_set(err, CS_EUSAGE, "random dataset: lengths must be >= 1 (got %lld in, %lld out)",
                          (long long)a->input_len, (long long)a->output_len);
    if (!(a->range_ratio >= 0.0 && a->range_ratio < 1.0))
        return cs_err_set(err, CS_EUSAGE, "--random-range-ratio: must be in [0, 1) (got %g)",
                          a->range_ratio);
    if (a->input_len <= a->num_special_tokens)
        return cs_err_set(err, CS_EUSAGE, "--random-input-len: must exceed the %lld special tokens",
                          (long long)a->num_special_tokens);
    int64_t in_lo, in_hi, out_lo, out_hi;
    workload_random_ranges(a, &in_lo, &in_hi, &out_lo, &out_hi);
    if (in_lo < 1)
        in_lo = 1;
    struct np_pcg64 g;
    np_pcg64_seed(&g, (uint64_t)seed);
    /* vLLM draws all input lengths, then all output lengths. */
    for (size_t i = 0; i < n; i++) {
        out[i].arrival_s = 0.0;
        out[i].n_prompt = (uint32_t)(np_integers(&g, in_lo, in_hi + 1) + a->prefix_len);
    }
    for (size_t i = 0; i < n; i++)
        out[i].n_output = (uint32_t)np_integers(&g, out_lo, out_hi + 1);
    return CS_OK;
}

int workload_arrivals(double rate, double burstiness, int64_t seed, size_t n, double *t,
                      struct cs_err *err)
{
    if (!(rate > 0))
        return cs_err_set(err, CS_EUSAGE, "--request-rate: must be > 0 (got %g)", rate);
    if (!(burstiness > 0) || !isfinite(burstiness))
        return cs_err_set(err, CS_EUSAGE, "--burstiness: must be > 0 (got %g)", burstiness);
    if (n == 0)
        return CS_OK;
    if (isinf(rate)) {
        for (size_t i = 0; i < n; i++)
            t[i] = 0.0;
        return CS_OK;
    }
    /* vllm/benchmarks/serve.py get_request(): gamma delays from the global
     * numpy generator seeded by np.random.seed(seed), cumulated, then scaled
     * so the last request goes out at exactly n / rate. */
    struct np_mt19937 m;
    np_mt19937_seed(&m, (uint32_t)seed);
    double theta = 1.0 / (rate * burstiness), sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        sum += theta * np_legacy_standard_gamma(&m, burstiness);
        t[i] = sum;
    }
    if (t[n - 1] != 0.0) {
        double factor = ((double)n / rate) / t[n - 1];
        for (size_t i = 0; i < n; i++)
            t[i] *= factor;
    }
    return CS_OK;
}

/* ShareGPT V3 lengths after vLLM's filter (prompt 4..1024 tokens, reply
 * >= 4, prompt + reply <= 2048). No dataset file is read: lengths are
 * lognormal, the parameters chosen so the means after the filter match
 * what the arena's 08-sharegpt runs reveal (about 200 prompt tokens
 * before the chat template, 205 reply tokens; docs/workload.md). */
#define SHAREGPT_IN_MU 4.80
#define SHAREGPT_IN_SIGMA 1.00
#define SHAREGPT_OUT_MU 4.90
#define SHAREGPT_OUT_SIGMA 0.95

int workload_sharegpt_builtin(int64_t seed, size_t n, struct workload_req *out,
                              struct cs_err *err)
{
    (void)err;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, (unsigned long)seed);
    for (size_t i = 0; i < n; i++) {
        double in, o;
        do {
            in = floor(gsl_ran_lognormal(r, SHAREGPT_IN_MU, SHAREGPT_IN_SIGMA));
            o = floor(gsl_ran_lognormal(r, SHAREGPT_OUT_MU, SHAREGPT_OUT_SIGMA));
        } while (in < 4 || in > 1024 || o < 4 || in + o > 2048);
        out[i].arrival_s = 0.0;
        out[i].n_prompt = (uint32_t)in;
        out[i].n_output = (uint32_t)o;
    }
    gsl_rng_free(r);
    return CS_OK;
}

int workload_trace_load(const char *path, struct workload_req **out, size_t *n,
                        struct cs_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return cs_err_set(err, CS_EIO, "cannot open '%s': %s", path, strerror(errno));
    char line[512];
    size_t cap = 0, cnt = 0, lineno = 0;
    struct workload_req *v = NULL;
    double t0 = 0.0, last = -INFINITY;
    int rc = CS_OK;
    if (!fgets(line, sizeof line, f)) {
        rc = cs_err_set(err, CS_EINPUT, "%s: empty file (expected a header "
                        "'arrived_at,num_prefill_tokens,num_decode_tokens')", path);
        goto out;
    }
    lineno = 1;
    line[strcspn(line, "\r\n")] = '\0';
    if (strcmp(line, "arrived_at,num_prefill_tokens,num_decode_tokens") != 0) {
        rc = cs_err_set(err, CS_EINPUT, "%s:1: header must be "
                        "'arrived_at,num_prefill_tokens,num_decode_tokens' (got '%.60s')",
                        path, line);
        goto out;
    }
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        char *end;
        errno = 0;
        double t = strtod(line, &end);
        long long pf = 0, dc = 0;
        int ok = *end == ',' && isfinite(t);
        if (ok) {
            pf = strtoll(end + 1, &end, 10);
            ok = *end == ',';
        }
        if (ok) {
            dc = strtoll(end + 1, &end, 10);
            ok = *end == '\0' && errno == 0;
        }
        if (!ok) {
            rc = cs_err_set(err, CS_EINPUT, "%s:%zu: expected 'seconds,prompt_tokens,output_tokens' (got '%.60s')",
                            path, lineno, line);
            goto out;
        }
        if (pf < 1 || dc < 1 || pf > 10000000 || dc > 10000000) {
            rc = cs_err_set(err, CS_EINPUT, "%s:%zu: token counts must be between 1 and 10000000 (got %lld, %lld)",
                            path, lineno, pf, dc);
            goto out;
        }
        if (t < last) {
            rc = cs_err_set(err, CS_EINPUT, "%s:%zu: arrived_at goes back in time (%g after %g)",
                            path, lineno, t, last);
            goto out;
        }
        if (cnt == 0)
            t0 = t;
        last = t;
        xgrow((void **)&v, &cap, cnt + 1, sizeof *v);
        v[cnt].arrival_s = t - t0;
        v[cnt].n_prompt = (uint32_t)pf;
        v[cnt].n_output = (uint32_t)dc;
        cnt++;
    }
    if (cnt == 0)
        rc = cs_err_set(err, CS_EINPUT, "%s: no requests after the header", path);
out:
    fclose(f);
    if (rc) {
        free(v);
        return rc;
    }
    *out = v;
    *n = cnt;
    return CS_OK;
}
