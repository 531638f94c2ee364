/*
 * precision.h - storage formats as a table (ggml type_traits style):
 * bits per element, block size, scale bytes per block. ORDER DTYPE.
 * BF16/FP16 2 B; FP8 E4M3 1 B (+ per-tensor/channel/block scales);
 * NVFP4 E2M1 4 bit + one E4M3 scale per 16 = 4.5 bit; MXFP4 E2M1 4 bit +
 * one E8M0 scale per 32 = 4.25 bit (../shared/research/serving-semantics.md §5);
 * INT4 (GPTQ/AWQ) 4 bit + one 16-bit scale per group of 128 = 4.125 bit.
 */
#ifndef CAPSIM_MODEL_PRECISION_H
#define CAPSIM_MODEL_PRECISION_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

enum dtype { DTYPE_BF16, DTYPE_FP16, DTYPE_FP8, DTYPE_NVFP4, DTYPE_MXFP4, DTYPE_INT4, DTYPE_COUNT };

enum kv_dtype { KV_DTYPE_AUTO, KV_DTYPE_FP8, KV_DTYPE_COUNT };

struct dtype_traits {
    const char *name;          /* "bf16", "fp8", "nvfp4", "mxfp4" */
    uint32_t bits;             /* per element, before scales */
    uint32_t block;            /* elements per scale block (0 = per tensor) */
    uint32_t scale_bytes;      /* bytes of scale per block */
    double bytes_per_param;    /* bits/8 + scale_bytes/block */
};

const struct dtype_traits *dtype_traits(enum dtype d);
/* Parse "bf16", "fp16", "fp8", "nvfp4", "mxfp4", "int4" ("fp4" for nvfp4;
 * "awq", "gptq", "w4a16" for int4). */
int dtype_parse(const char *s, enum dtype *out, struct cs_err *err);
/* "auto", "fp8", "fp8_e4m3", "fp8_e5m2" (all fp8 store 1 byte). */
int kv_dtype_parse(const char *s, enum kv_dtype *out, struct cs_err *err);
const char *kv_dtype_name(enum kv_dtype k);
/* Bytes of one cached K or V element: FP8 1; auto keeps the model's BF16, 2. */
double kv_dtype_bytes(enum kv_dtype k);

#endif /* CAPSIM_MODEL_PRECISION_H */
