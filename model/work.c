#include "model/work.h"

#include <math.h>
#include <string.h>

#include "common/err.h"

static const char *const kpath_names[] = {
    [KPATH_BF16] = "bf16",
    [KPATH_FP8_NATIVE] = "fp8-native",
    [KPATH_FP8_MARLIN] = "fp8-marlin",
    [KPATH_FP4_NATIVE] = "nvfp4-native",
    [KPATH_FP4_MARLIN] = "nvfp4-marlin",
    [KPATH_MXFP4] = "mxfp4",
};
_Static_assert(CS_ARRAY_LEN(kpath_names) == KPATH_COUNT, "kpath_names out of step");

const char *kpath_name(enum kernel_path p)
{
    return (unsigned)p < KPATH_COUNT ? kpath_names[p] : "?";
}

/* Families of vLLM's native (non-Marlin) linear and MoE kernels: a name
 * is native if it starts with one of these ("flashinfer_cutlass",
 * "flashinfer_b12x", "triton_kernels", ...). */
static const char *const native_families[] = {
    "cutlass", "vllm_cutlass", "flashinfer", "triton", "deep_gemm", "deepgemm", "b12x", "trtllm",
    "cutedsl", "machete",
};

int kernel_backend_parse(const char *s, const char *flag, enum kernel_backend *out,
                         struct cs_err *err)
{
    if (!s || !*s || strcmp(s, "auto") == 0) {
        *out = KBACKEND_DEFAULT;
        return CS_OK;
    }
    if (strcmp(s, "marlin") == 0) {
        *out = KBACKEND_MARLIN;
        return CS_OK;
    }
    for (size_t i = 0; i < CS_ARRAY_LEN(native_families); i++)
        if (strncmp(s, native_families[i], strlen(native_families[i])) == 0) {
            *out = KBACKEND_NATIVE;
            return CS_OK;
        }
    return cs_err_set(err, CS_EUSAGE,
                      "%s: unknown backend '%s' (auto, marlin, or a native one: cutlass, "
                      "flashinfer_*, triton, deep_gemm, ...)", flag, s);
}

void work_routing_init(uint32_t n_experts, uint32_t k, double skew, double *log_miss)
{
    if (n_experts == 0)
        return;
    double *p = log_miss; /* holds p_i until the last loop */
    for (uint32_t i = 0; i < n_experts; i++)
        p[i] = pow((double)(i + 1), -skew);
    /* Scale to sum k; experts that would exceed 1 are always chosen, and
     * the remaining share is spread over the rest (water filling). The
     * most popular experts come first, so the capped ones are a prefix. */
    uint32_t n_capped = 0;
    double want = k < n_experts ? (double)k : (double)n_experts;
    while (n_capped < n_experts) {
        double rest = 0.0;
        for (uint32_t i = n_capped; i < n_experts; i++)
            rest += p[i];
        if (!(rest > 0)) { /* the tail underflowed: share what is left evenly */
            for (uint32_t i = n_capped; i < n_experts; i++)
                p[i] = (want - n_capped) / (n_experts - n_capped);
            break;
        }
        double scale = (want - n_capped) / rest;
        if (p[n_capped] * scale <= 1.0) {
            for (uint32_t i = n_capped; i < n_experts; i++)
                p[i] *= scale;
            break;
        }
        p[n_capped++] = 1.0;
    }
    for (uint32_t i = 0; i < n_experts; i++)
        log_miss[i] = p[i] >= 1.0 ? -INFINITY : log1p(-p[i]);
}

double work_experts_touched_skewed(const double *log_miss, uint32_t n_experts, double n_tokens)
{
    if (n_tokens <= 0)
        return 0.0;
    double touched = 0.0;
    for (uint32_t i = 0; i < n_experts; i++)
        touched += -expm1(n_tokens * log_miss[i]);
    return touched;
}
