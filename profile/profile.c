/*
 * profile.c - the coefficient table, and reading and writing profiles.
 * ORDER PROF: names[] follows enum prof_key.
 */
#include "profile/profile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/embedded.h"
#include "common/json.h"

static const char *const names[] = {
    [PROF_MEM_TOTAL_BYTES] = "mem_total_bytes",
    [PROF_MEM_BW_BYTES_PER_S] = "mem_bw_bytes_per_s",
    [PROF_PEAK_FLOPS_BF16] = "peak_flops_bf16",
    [PROF_PEAK_FLOPS_FP8] = "peak_flops_fp8",
    [PROF_PEAK_FLOPS_FP4] = "peak_flops_fp4",
    [PROF_GPU_SMS] = "gpu_sms",
    [PROF_L2_BYTES] = "l2_bytes",
    [PROF_BW_EFF_WEIGHTS] = "bw_eff_weights",
    [PROF_BW_EFF_KV] = "bw_eff_kv",
    [PROF_GEMM_EFF_BF16] = "gemm_eff_bf16",
    [PROF_GEMM_EFF_FP8_NATIVE] = "gemm_eff_fp8_native",
    [PROF_GEMM_EFF_FP8_TRITON] = "gemm_eff_fp8_triton",
    [PROF_GEMM_EFF_FP4_NATIVE] = "gemm_eff_fp4_native",
    [PROF_GEMM_ANCHOR_FP8] = "gemm_anchor_fp8",
    [PROF_MARLIN_EFF] = "marlin_eff",
    [PROF_MARLIN_BW_EFF] = "marlin_bw_eff",
    [PROF_GEMV_EFF] = "gemv_eff",
    [PROF_MOE_EFF] = "moe_eff",
    [PROF_MOE_BW_EFF] = "moe_bw_eff",
    [PROF_ATTN_PREFILL_EFF] = "attn_prefill_eff",
    [PROF_RECURRENT_EFF] = "recurrent_eff",
    [PROF_ATTN_HEAD_DIM_EXP] = "attn_head_dim_exp",
    [PROF_MOE_ROUTING_SKEW] = "moe_routing_skew",
    [PROF_OVERLAP_EXP] = "overlap_exp",
    [PROF_BLOCK_OVERHEAD_S] = "block_overhead_s",
    [PROF_SEQ_OVERHEAD_S] = "seq_overhead_s",
    [PROF_TOKEN_OVERHEAD_S] = "token_overhead_s",
    [PROF_CPU_STEP_S] = "cpu_step_s",
    [PROF_CLIENT_LATENCY_S] = "client_latency_s",
    [PROF_FRONTEND_REQUEST_S] = "frontend_request_s",
    [PROF_ACTIVATION_BYTES_PER_TOKEN] = "activation_bytes_per_token",
    [PROF_NON_TORCH_BYTES] = "non_torch_bytes",
    [PROF_CUDAGRAPH_BYTES] = "cudagraph_bytes",
    [PROF_BAND_TTFT_LO] = "band_ttft_lo",
    [PROF_BAND_TTFT_HI] = "band_ttft_hi",
    [PROF_BAND_TPOT_LO] = "band_tpot_lo",
    [PROF_BAND_TPOT_HI] = "band_tpot_hi",
    [PROF_BAND_PRIOR_FACTOR] = "band_prior_factor",
};
_Static_assert(CS_ARRAY_LEN(names) == PROF_COUNT, "profile names out of step with enum prof_key");

/* What each coefficient may be. A zero efficiency or bandwidth would make
 * a step take forever; an exponent of 1e300 would do the same through
 * underflow; the lower bounds keep every step time finite. `positive`:
 * the lower bound itself is excluded. */
struct range {
    double lo, hi;
    bool positive;
};
#define EFF { 1e-6, 1, false }
#define SECONDS { 0, 60, false }
static const struct range ranges[] = {
    [PROF_MEM_TOTAL_BYTES] = { 0, 1e15, true },
    [PROF_MEM_BW_BYTES_PER_S] = { 1e6, 1e15, false },
    [PROF_PEAK_FLOPS_BF16] = { 1e9, 1e18, false },
    [PROF_PEAK_FLOPS_FP8] = { 1e9, 1e18, false },
    [PROF_PEAK_FLOPS_FP4] = { 1e9, 1e18, false },
    [PROF_GPU_SMS] = { 1, 4096, false },
    [PROF_L2_BYTES] = { 0, 1e10, false },
    [PROF_BW_EFF_WEIGHTS] = EFF,
    [PROF_BW_EFF_KV] = EFF,
    [PROF_GEMM_EFF_BF16] = EFF,
    [PROF_GEMM_EFF_FP8_NATIVE] = EFF,
    [PROF_GEMM_EFF_FP8_TRITON] = EFF,
    [PROF_GEMM_EFF_FP4_NATIVE] = EFF,
    [PROF_GEMM_ANCHOR_FP8] = EFF,
    [PROF_MARLIN_EFF] = EFF,
    [PROF_MARLIN_BW_EFF] = EFF,
    [PROF_GEMV_EFF] = EFF,
    [PROF_MOE_EFF] = EFF,
    [PROF_MOE_BW_EFF] = { 1e-6, 2, false }, /* a ratio: grouped reads may beat dense ones */
    [PROF_ATTN_PREFILL_EFF] = EFF,
    [PROF_RECURRENT_EFF] = EFF,
    [PROF_ATTN_HEAD_DIM_EXP] = { 0, 10, false },
    [PROF_MOE_ROUTING_SKEW] = { 0, 10, false },
    [PROF_OVERLAP_EXP] = { 1, 1000, false }, /* 1: memory and compute add; large: max */
    [PROF_BLOCK_OVERHEAD_S] = SECONDS,
    [PROF_SEQ_OVERHEAD_S] = SECONDS,
    [PROF_TOKEN_OVERHEAD_S] = SECONDS,
    [PROF_CPU_STEP_S] = SECONDS,
    [PROF_CLIENT_LATENCY_S] = SECONDS,
    [PROF_FRONTEND_REQUEST_S] = SECONDS,
    [PROF_ACTIVATION_BYTES_PER_TOKEN] = { 0, 1e12, false },
    [PROF_NON_TORCH_BYTES] = { 0, 1e15, false },
    [PROF_CUDAGRAPH_BYTES] = { 0, 1e15, false },
    [PROF_BAND_TTFT_LO] = { 0.01, 1, false },
    [PROF_BAND_TTFT_HI] = { 1, 100, false },
    [PROF_BAND_TPOT_LO] = { 0.01, 1, false },
    [PROF_BAND_TPOT_HI] = { 1, 100, false },
    [PROF_BAND_PRIOR_FACTOR] = { 1, 100, false },
};
_Static_assert(CS_ARRAY_LEN(ranges) == PROF_COUNT, "profile ranges out of step with enum prof_key");

static const char *const builtin[] = { "gb10", NULL };

const char *profile_key_name(enum prof_key k)
{
    return (unsigned)k < PROF_COUNT ? names[k] : "?";
}

enum prof_key profile_key_by_name(const char *name)
{
    for (int k = 0; k < PROF_COUNT; k++)
        if (strcmp(names[k], name) == 0)
            return (enum prof_key)k;
    return PROF_COUNT;
}

const char *const *profile_builtin_names(void)
{
    return builtin;
}

static void copy_str(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static int parse_tree(const char *file, const cJSON *root, struct profile *out,
                      struct cs_err *err)
{
    static const char *const top[] = { "name", "description", "coefficients" };
    int rc = json_check_keys(root, top, CS_ARRAY_LEN(top), file, "", err);
    if (rc)
        return rc;
    memset(out, 0, sizeof *out);
    const char *s = NULL;
    if ((rc = json_get_string(root, "name", true, &s, file, "", err)))
        return rc;
    copy_str(out->name, sizeof out->name, s);
    s = NULL;
    if ((rc = json_get_string(root, "description", false, &s, file, "", err)))
        return rc;
    copy_str(out->description, sizeof out->description, s);
    const cJSON *co = cJSON_GetObjectItemCaseSensitive(root, "coefficients");
    if (!co)
        return cs_err_set(err, CS_EINPUT, "%s: .coefficients: missing", file);
    /* Profiles written before the overhead went per residual block: say
     * what changed rather than guess a near name (seq_overhead_s). */
    if (cJSON_GetObjectItemCaseSensitive(co, "step_overhead_s"))
        return cs_err_set(err, CS_EINPUT,
                          "%s: .coefficients.step_overhead_s: replaced by block_overhead_s, "
                          "the cost per residual block (step_overhead_s / 80)", file);
    if ((rc = json_check_keys(co, names, PROF_COUNT, file, ".coefficients", err)))
        return rc;
    static const char *const entry[] = { "value", "source" };
    for (int k = 0; k < PROF_COUNT; k++) {
        char path[128];
        snprintf(path, sizeof path, ".coefficients.%s", names[k]);
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(co, names[k]);
        if (!e)
            return cs_err_set(err, CS_EINPUT, "%s: %s: missing", file, path);
        if ((rc = json_check_keys(e, entry, 2, file, path, err)) ||
            (rc = json_get_number(e, "value", true, -1e300, 1e300, &out->v[k], file, path, err)))
            return rc;
        s = NULL;
        if ((rc = json_get_string(e, "source", true, &s, file, path, err)))
            return rc;
        copy_str(out->source[k], sizeof out->source[k], s);
    }
    return profile_check(out, file, err);
}

int profile_check(const struct profile *p, const char *what, struct cs_err *err)
{
    for (int k = 0; k < PROF_COUNT; k++) {
        const struct range *r = &ranges[k];
        double x = p->v[k];
        if (!(x >= r->lo && x <= r->hi) || (r->positive && x <= r->lo))
            return cs_err_set(err, CS_EINPUT,
                              "%s: .coefficients.%s.value: must be %s %g and at most %g (got %g)",
                              what, names[k], r->positive ? ">" : ">=", r->lo, r->hi, x);
    }
    return CS_OK;
}

int profile_parse_text(const char *name, const char *text, struct profile *out,
                       struct cs_err *err)
{
    cJSON *root;
    int rc = json_parse_text(name, text, strlen(text), &root, err);
    if (rc)
        return rc;
    rc = parse_tree(name, root, out, err);
    cJSON_Delete(root);
    return rc;
}

int profile_load_file(const char *path, struct profile *out, struct cs_err *err)
{
    cJSON *root;
    int rc = json_load_file(path, &root, err);
    if (rc)
        return rc;
    rc = parse_tree(path, root, out, err);
    cJSON_Delete(root);
    return rc;
}

int profile_load_fit_start(const char *name, struct profile *out, struct cs_err *err)
{
    char path[128];
    snprintf(path, sizeof path, "calibrate/start/%s-start.json", name);
    const struct embedded_file *f = embedded_find(path);
    if (!f)
        return cs_err_set(err, CS_EINPUT, "no fit start point is built in for hardware profile "
                          "'%s' (give one with --profile FILE)", name);
    return profile_parse_text(path, f->text, out, err);
}

int profile_load_builtin(const char *name, struct profile *out, struct cs_err *err)
{
    char path[128];
    snprintf(path, sizeof path, "profiles/%s.json", name);
    const struct embedded_file *f = embedded_find(path);
    if (!f) {
        const char *near = NULL;
        size_t n = 0;
        while (builtin[n])
            n++;
        near = n ? builtin[0] : NULL;
        return cs_err_set(err, CS_EINPUT, "unknown hardware profile '%s' (built in: %s)", name,
                          near ? near : "none");
    }
    return profile_parse_text(path, f->text, out, err);
}

/* A JSON string, escaped by cJSON. The layout around it stays this
 * file's own: profiles/gb10.json is this writer's output byte for byte
 * (make check-profile). */
static bool put_str(FILE *f, const char *s)
{
    cJSON *item = cJSON_CreateString(s);
    char *txt = item ? cJSON_PrintUnformatted(item) : NULL;
    if (txt)
        fputs(txt, f);
    cJSON_free(txt);
    cJSON_Delete(item);
    return txt != NULL;
}

int profile_write(const struct profile *p, FILE *f, struct cs_err *err)
{
    bool ok = fputs("{\n  \"name\": ", f) >= 0 && put_str(f, p->name) &&
              fputs(",\n  \"description\": ", f) >= 0 && put_str(f, p->description);
    fprintf(f, ",\n  \"coefficients\": {\n");
    for (int k = 0; k < PROF_COUNT; k++) {
        if (!isfinite(p->v[k]))
            return cs_err_set(err, CS_ENUM, "profile %s: %s is not finite", p->name, names[k]);
        fprintf(f, "    \"%s\": { \"value\": %.17g, \"source\": ", names[k], p->v[k]);
        ok = put_str(f, p->source[k]) && ok;
        fprintf(f, " }%s\n", k + 1 < PROF_COUNT ? "," : "");
    }
    fprintf(f, "  }\n}\n");
    if (!ok || ferror(f))
        return cs_err_set(err, CS_EIO, "cannot write profile %s", p->name);
    return CS_OK;
}

void profile_band(const struct profile *p, enum band_metric m, double v, bool on_prior, double *lo,
                  double *hi)
{
    static const enum prof_key keys[BAND_COUNT][2] = {
        [BAND_TTFT] = { PROF_BAND_TTFT_LO, PROF_BAND_TTFT_HI },
        [BAND_TPOT] = { PROF_BAND_TPOT_LO, PROF_BAND_TPOT_HI },
    };
    double widen = on_prior ? p->v[PROF_BAND_PRIOR_FACTOR] : 1.0;
    *lo = v * p->v[keys[m][0]] / widen;
    *hi = v * p->v[keys[m][1]] * widen;
}
