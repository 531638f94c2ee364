#include "model/work.h"

#include <math.h>
#include <string.h>

#include "common/err.h"

static const char *const kpath_names[] = {
    [KPATH_BF16] = "bf16",
    [KPATH_FP8_CUTLASS] = "fp8-cutlass",
    [KPATH_FP8_TRITON] = "fp8-triton",
    [KPATH_FP8_MARLIN] = "fp8-marlin",
    [KPATH_FP4_CUTLASS] = "nvfp4-cutlass",
    [KPATH_FP4_MARLIN] = "nvfp4-marlin",
    [KPATH_INT4_MARLIN] = "int4-marlin",
    [KPATH_MXFP4_MARLIN] = "mxfp4-marlin",
};
_Static_assert(CS_ARRAY_LEN(kpath_names) == KPATH_COUNT, "kpath_names out of step");

const char *kpath_name(enum kernel_path p)
{
    return (unsigned)p < KPATH_COUNT ? kpath_names[p] : "?";
}

/* vLLM's backend names (vllm/config/kernel.py, MoEBackend and the linear
 * kernel families of vllm/model_executor/kernels/linear/__init__.py),
 * matched by prefix, and the kernel family each belongs to on GB10.
 * Those that need SM90/SM100 instructions (wgmma, tcgen05) are refused. */
static const struct {
    const char *prefix;
    int family;            /* enum kernel_backend, or -1: not on SM 12.x */
} backend_names[] = {
    { "marlin", KBACKEND_MARLIN },      { "cutlass", KBACKEND_CUTLASS },
    { "vllm_cutlass", KBACKEND_CUTLASS }, { "flashinfer_cutlass", KBACKEND_CUTLASS },
    { "flashinfer_cutedsl", -1 },       { "flashinfer_trtllm", -1 },
    { "flashinfer", KBACKEND_CUTLASS }, { "b12x", KBACKEND_CUTLASS },
    /* DeepGEMM: vLLM 0.27.1 logs its FP8 MoE backend on GB10 (the
     * inference-atlas Qwen3.6 FP8 run, calibrate/field): a native FP8
     * grouped GEMM, priced with the CUTLASS family. */
    { "triton", KBACKEND_TRITON },      { "deep_gemm", KBACKEND_CUTLASS },
    { "deepgemm", KBACKEND_CUTLASS },   { "machete", -1 },
    { "aiter", -1 },
};

int kernel_backend_parse(const char *s, const char *flag, enum kernel_backend *out,
                         struct cs_err *err)
{
    if (!s || !*s || strcmp(s, "auto") == 0) {
        *out = KBACKEND_DEFAULT;
        return CS_OK;
    }
    for (size_t i = 0; i < CS_ARRAY_LEN(backend_names); i++) {
        size_t n = strlen(backend_names[i].prefix);
        if (strncmp(s, backend_names[i].prefix, n) != 0)
            continue;
        if (backend_names[i].family < 0)
            return cs_err_set(err, CS_EUSAGE,
                              "%s: '%s' needs SM90/SM100 instructions and does not run on GB10 (SM 12.1)",
                              flag, s);
        *out = (enum kernel_backend)backend_names[i].family;
        return CS_OK;
    }
    return cs_err_set(err, CS_EUSAGE,
                      "%s: unknown backend '%s' (auto, marlin, cutlass, flashinfer_cutlass, triton)",
                      flag, s);
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
