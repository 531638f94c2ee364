#include "model/work.h"

#include <math.h>

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

double work_experts_touched(uint32_t n_experts, uint32_t k, double n_tokens)
{
    if (n_experts == 0 || k == 0 || n_tokens <= 0)
        return 0.0;
    if (k >= n_experts)
        return n_experts;
    double e = n_experts;
    /* log1p keeps precision when k/E is small and T is large. */
    return e * -expm1(n_tokens * log1p(-(double)k / e));
}
