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

/* Largest seed np.random.seed() accepts; default_rng takes any int >= 0. */
#define NP_LEGACY_SEED_MAX 4294967295LL

void workload_random_ranges(const struct workload_random_args *a, int64_t *in_lo,
                            int64_t *in_hi, int64_t *out_lo, int64_t *out_hi)
{
    /* vllm/benchmarks/datasets/random.py get_sampling_params(): floor/ceil
     * of len*(1-r) and len*(1+r) in floating point, as Python computes
     * them (4000 * (1 - 0.9) = 399.99... -> 399); output bounds at least 1. */
    int64_t real_in = a->input_len - a->num_special_tokens;
    double real = (double)(real_in > 0 ? real_in : 0);
    double out = (double)a->output_len, r = a->range_ratio;
    *in_lo = (int64_t)floor(real * (1.0 - r));
    *in_hi = (int64_t)ceil(real * (1.0 + r));
    int64_t olo = (int64_t)floor(out * (1.0 - r)), ohi = (int64_t)ceil(out * (1.0 + r));
    *out_lo = olo < 1 ? 1 : olo;
    *out_hi = ohi < 1 ? 1 : ohi;
}

int workload_random(const struct workload_random_args *a, int64_t seed, size_t n,
                    struct workload_req *out, struct cs_err *err)
{
    /* Token counts are uint32 downstream; 1e8 keeps every sum exact. */
    const int64_t len_max = 100000000;
    if (a->input_len < 0 || a->input_len > len_max)
        return cs_err_set(err, CS_EUSAGE, "--random-input-len: must be between 0 and %lld (got %lld)",
                          (long long)len_max, (long long)a->input_len);
    if (a->output_len < 0 || a->output_len > len_max)
        return cs_err_set(err, CS_EUSAGE, "--random-output-len: must be between 0 and %lld (got %lld)",
                          (long long)len_max, (long long)a->output_len);
    if (a->prefix_len < 0 || a->prefix_len > len_max)
        return cs_err_set(err, CS_EUSAGE, "--random-prefix-len: must be between 0 and %lld (got %lld)",
                          (long long)len_max, (long long)a->prefix_len);
    if (a->num_special_tokens < 0)
        return cs_err_set(err, CS_EUSAGE, "special tokens per prompt: must be >= 0 (got %lld)",
                          (long long)a->num_special_tokens);
    if (!(a->range_ratio >= 0.0 && a->range_ratio < 1.0))
        return cs_err_set(err, CS_EUSAGE, "--random-range-ratio: must be in [0, 1) (got %g)",
                          a->range_ratio);
    if (seed < 0)
        return cs_err_set(err, CS_EUSAGE, "--seed: must be >= 0 (got %lld)", (long long)seed);
    int64_t in_lo, in_hi, out_lo, out_hi;
    workload_random_ranges(a, &in_lo, &in_hi, &out_lo, &out_hi);
    /* vLLM RandomDataset.sample() refuses a prompt that can come out empty. */
    if (a->prefix_len + in_lo < 1)
        return cs_err_set(err, CS_EUSAGE, "--random-input-len: too small, the shortest prompt would "
                          "have %lld tokens (prefix %lld + %lld sampled, after %lld special tokens)",
                          (long long)(a->prefix_len + in_lo), (long long)a->prefix_len,
                          (long long)in_lo, (long long)a->num_special_tokens);
    struct np_pcg64 g;
    np_pcg64_seed(&g, (uint64_t)seed);
    /* get_sampling_params(): rng.integers(lo, hi + 1, size=n) for all input
     * lengths, then for all output lengths, on one default_rng(seed) (the
     * per-request vocabulary offsets and any prefix come after). */
    for (size_t i = 0; i < n; i++) {
        out[i].arrival_s = 0.0;
        out[i].n_prompt = (uint32_t)(np_integers(&g, in_lo, in_hi + 1) + a->prefix_len);
    }
    for (size_t i = 0; i < n; i++) {
        out[i].n_output = (uint32_t)np_integers(&g, out_lo, out_hi + 1);
        /* RandomDataset: one prefix, drawn once, starts every prompt */
        out[i].shared_len = (uint32_t)a->prefix_len;
        out[i].shared_id = a->prefix_len ? 0x72616e646f6d0000ULL ^ (uint64_t)seed : 0;
    }
    return CS_OK;
}

int workload_prefix_repetition(const struct workload_prefix_repetition_args *a, int64_t seed,
                               size_t num_prompts, struct workload_req **out, size_t *n,
                               struct cs_err *err)
{
    const int64_t len_max = 100000000;
    if (a->prefix_len < 0 || a->prefix_len > len_max || a->suffix_len < 0 ||
        a->suffix_len > len_max || a->prefix_len + a->suffix_len < 1)
        return cs_err_set(err, CS_EUSAGE, "--prefix-repetition-prefix-len, --prefix-repetition-suffix-len: "
                          "between 0 and %lld, not both 0 (got %lld, %lld)", (long long)len_max,
                          (long long)a->prefix_len, (long long)a->suffix_len);
    if (a->output_len < 1 || a->output_len > len_max)
        return cs_err_set(err, CS_EUSAGE, "--prefix-repetition-output-len: must be between 1 and %lld (got %lld)",
                          (long long)len_max, (long long)a->output_len);
    if (a->num_prefixes < 1)
        return cs_err_set(err, CS_EUSAGE, "--prefix-repetition-num-prefixes: must be >= 1 (got %lld)",
                          (long long)a->num_prefixes);
    if (seed < 0)
        return cs_err_set(err, CS_EUSAGE, "--seed: must be >= 0 (got %lld)", (long long)seed);
    /* vLLM raises the same error */
    size_t per = num_prompts / (size_t)a->num_prefixes;
    if (per == 0)
        return cs_err_set(err, CS_EUSAGE, "--num-prompts (%zu) must be greater than or equal to "
                          "--prefix-repetition-num-prefixes (%lld)", num_prompts,
                          (long long)a->num_prefixes);
    size_t cnt = per * (size_t)a->num_prefixes;
    struct workload_req *v = xcalloc(cnt, sizeof *v);
    size_t *order = xmalloc(cnt * sizeof *order);
    for (size_t i = 0; i < cnt; i++) {
        uint64_t p = i / per;   /* prefixes in order, their requests after each */
        v[i].n_prompt = (uint32_t)(a->prefix_len + a->suffix_len);
        v[i].n_output = (uint32_t)a->output_len;
        v[i].shared_len = (uint32_t)a->prefix_len;
        v[i].shared_id = a->prefix_len ? 0x7072657065740000ULL ^ ((uint64_t)seed << 20) ^ p : 0;
        order[i] = i;
    }
    struct np_mt19937 m;
    py_random_seed(&m, (uint64_t)seed);
    py_shuffle_index(&m, order, cnt);
    struct workload_req *o = xmalloc(cnt * sizeof *o);
    for (size_t i = 0; i < cnt; i++)
        o[i] = v[order[i]];
    free(v);
    free(order);
    *out = o;
    *n = cnt;
    return CS_OK;
}

int workload_arrivals(double rate, double burstiness, int64_t seed, size_t n, double *t,
                      struct cs_err *err)
{
    if (!(rate > 0))
        return cs_err_set(err, CS_EUSAGE, "--request-rate: must be > 0 (got %g)", rate);
    if (!(burstiness > 0))
        return cs_err_set(err, CS_EUSAGE, "--burstiness: must be > 0 (got %g)", burstiness);
    if (seed < 0 || seed > NP_LEGACY_SEED_MAX)
        return cs_err_set(err, CS_EUSAGE, "--seed: must be between 0 and %lld (got %lld)",
                          NP_LEGACY_SEED_MAX, (long long)seed);
    if (n == 0)
        return CS_OK;
    /* vllm/benchmarks/serve.py get_request(): per request, in order, a
     * delay from the global numpy generator (np.random.seed(seed) in main,
     * nothing else draws from it before); rate inf -> 0, burstiness inf ->
     * exactly 1/rate; cumulated, then scaled so the last request goes out
     * at n / rate. The first request goes at t[0] > 0, not at 0. */
    if (isinf(rate)) {
        for (size_t i = 0; i < n; i++)
            t[i] = 0.0;
        return CS_OK;
    }
    struct np_mt19937 m;
    np_mt19937_seed(&m, (uint32_t)seed);
    double theta = 1.0 / (rate * burstiness), sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        sum += isinf(burstiness) ? 1.0 / rate : np_legacy_gamma(&m, burstiness, theta);
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
 * >= 4, prompt + reply <= 2048), without the dataset file. Fitted
 * constants of this project (docs/workload.md "ShareGPT without the
 * file"): prompt ~ lognormal, its mean after the filter ~218 tokens = the
 * arena's 08-sharegpt server-side input per request minus each model's
 * chat-template overhead measured on 07-office; reply ~ gamma, mean after
 * the filter ~211.6 = 52890 / 250 (08-sharegpt runs that went to every
 * cap) and shape 0.85 from the E2EL median/mean and p90/mean ratios of
 * 08-sharegpt runs with steady TPOT. The prompt sigma is an assumption. */
#define SHAREGPT_IN_MU 5.07
#define SHAREGPT_IN_SIGMA 1.00
#define SHAREGPT_OUT_SHAPE 0.85
#define SHAREGPT_OUT_SCALE_TOKENS 242.5
/* vllm/benchmarks/datasets/sharegpt.py is_valid_sequence() defaults */
#define SHAREGPT_MIN_TOKENS 4
#define SHAREGPT_MAX_PROMPT_TOKENS 1024
#define SHAREGPT_MAX_TOTAL_TOKENS 2048

int workload_sharegpt_builtin(int64_t seed, size_t n, struct workload_req *out,
                              struct cs_err *err)
{
    if (seed < 0)
        return cs_err_set(err, CS_EUSAGE, "--seed: must be >= 0 (got %lld)", (long long)seed);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r)
        return cs_err_set(err, CS_ENUM, "sharegpt model: cannot allocate a random generator");
    gsl_rng_set(r, (unsigned long)seed);
    for (size_t i = 0; i < n; i++) {
        double in, o;
        /* vLLM walks the shuffled dataset and skips invalid pairs: rejection. */
        do {
            in = floor(gsl_ran_lognormal(r, SHAREGPT_IN_MU, SHAREGPT_IN_SIGMA));
            o = floor(gsl_ran_gamma(r, SHAREGPT_OUT_SHAPE, SHAREGPT_OUT_SCALE_TOKENS));
        } while (in < SHAREGPT_MIN_TOKENS || in > SHAREGPT_MAX_PROMPT_TOKENS ||
                 o < SHAREGPT_MIN_TOKENS || in + o > SHAREGPT_MAX_TOTAL_TOKENS);
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
    /* a spreadsheet's UTF-8 byte-order mark is not part of the header */
    const char *hdr = strncmp(line, "\xef\xbb\xbf", 3) == 0 ? line + 3 : line;
    if (strcmp(hdr, "arrived_at,num_prefill_tokens,num_decode_tokens") != 0) {
        rc = cs_err_set(err, CS_EINPUT, "%s:1: header must be "
                        "'arrived_at,num_prefill_tokens,num_decode_tokens' (got '%.60s')",
                        path, line);
        goto out;
    }
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            rc = cs_err_set(err, CS_EINPUT, "%s:%zu: line longer than %zu characters", path, lineno,
                            sizeof line - 2);
            goto out;
        }
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
