/*
 * precision.c - the storage formats (ORDER DTYPE). Bytes per parameter
 * follow from bits and block scales; a test checks the arithmetic
 * (NVFP4 4.5 bit, MXFP4 4.25 bit).
 */
#include "model/precision.h"

#include <string.h>

#include "common/strutil.h"

static const struct dtype_traits traits[] = {
    [DTYPE_BF16] = { "bf16", 16, 0, 0, 2.0 },
    [DTYPE_FP16] = { "fp16", 16, 0, 0, 2.0 },
    /* E4M3; per-tensor/channel/128x128-block scales add < 0.1% */
    [DTYPE_FP8] = { "fp8", 8, 0, 0, 1.0 },
    /* E2M1 + one E4M3 scale per 16 elements (+ an FP32 per tensor) */
    [DTYPE_NVFP4] = { "nvfp4", 4, 16, 1, 0.5 + 1.0 / 16.0 },
    /* E2M1 + one E8M0 scale per 32 elements (OCP MX) */
    [DTYPE_MXFP4] = { "mxfp4", 4, 32, 1, 0.5 + 1.0 / 32.0 },
    /* GPTQ/AWQ: 4-bit integers + one FP16 scale per group of 128, the
     * group size of nearly every published checkpoint (zero points, where
     * present, add 4 bits per group: < 0.1%) */
    [DTYPE_INT4] = { "int4", 4, 128, 2, 0.5 + 2.0 / 128.0 },
};
_Static_assert(CS_ARRAY_LEN(traits) == DTYPE_COUNT, "dtype traits out of step with enum dtype");

const struct dtype_traits *dtype_traits(enum dtype d)
{
    return (unsigned)d < DTYPE_COUNT ? &traits[d] : &traits[DTYPE_BF16];
}

int dtype_parse(const char *s, enum dtype *out, struct cs_err *err)
{
    for (int d = 0; d < DTYPE_COUNT; d++)
        if (strcmp(s, traits[d].name) == 0) {
            *out = (enum dtype)d;
            return CS_OK;
        }
    if (strcmp(s, "awq") == 0 || strcmp(s, "gptq") == 0 || strcmp(s, "w4a16") == 0) {
        *out = DTYPE_INT4;
        return CS_OK;
    }
    if (strcmp(s, "fp4") == 0) {
        *out = DTYPE_NVFP4;
        return CS_OK;
    }
    if (strcmp(s, "bfloat16") == 0 || strcmp(s, "auto") == 0) {
        *out = DTYPE_BF16;
        return CS_OK;
    }
    return cs_err_set(err, CS_EUSAGE, "--precision: unknown precision '%s' (bf16, fp16, fp8, nvfp4, mxfp4, int4)", s);
}

static const char *const kv_names[] = { [KV_DTYPE_AUTO] = "auto", [KV_DTYPE_FP8] = "fp8" };
_Static_assert(CS_ARRAY_LEN(kv_names) == KV_DTYPE_COUNT, "kv names out of step");

int kv_dtype_parse(const char *s, enum kv_dtype *out, struct cs_err *err)
{
    if (strcmp(s, "auto") == 0 || strcmp(s, "bfloat16") == 0 || strcmp(s, "bf16") == 0) {
        *out = KV_DTYPE_AUTO;
        return CS_OK;
    }
    if (strcmp(s, "fp8") == 0 || strcmp(s, "fp8_e4m3") == 0 || strcmp(s, "fp8_e5m2") == 0) {
        *out = KV_DTYPE_FP8;
        return CS_OK;
    }
    return cs_err_set(err, CS_EUSAGE, "--kv-cache-dtype: unknown KV cache dtype '%s' (auto, fp8, fp8_e4m3, fp8_e5m2)", s);
}

const char *kv_dtype_name(enum kv_dtype k)
{
    return (unsigned)k < KV_DTYPE_COUNT ? kv_names[k] : "?";
}

double kv_dtype_bytes(enum kv_dtype k)
{
    return k == KV_DTYPE_FP8 ? 1.0 : 2.0;
}
