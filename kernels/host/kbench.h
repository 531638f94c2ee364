/*
 * kbench.h - the host side of the CUDA microbenchmarks (capsim-kbench), in
 * plain C so it builds and is tested without nvcc:
 *  - the low-precision formats the GPU kernels consume: FP8 E4M3, FP4 E2M1,
 *    NVFP4 (16-element blocks, E4M3 block scale, FP32 tensor scale) and
 *    MXFP4 (32-element blocks, E8M0 power-of-two scale), packed two FP4
 *    values per byte, low nibble first;
 *  - benchmark shapes taken from real models (the N x K of their
 *    projections and experts);
 *  - one JSON line per measurement, written and read back.
 *
 * Ownership: kbench_read_file() returns an array you free().
 */
#ifndef CAPSIM_KERNELS_HOST_KBENCH_H
#define CAPSIM_KERNELS_HOST_KBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"

/* ---------------------------------------------------------------- formats */

uint8_t kb_fp8_e4m3_encode(float x);   /* round to nearest even, saturate at 448 */
float kb_fp8_e4m3_decode(uint8_t v);
uint8_t kb_fp4_e2m1_encode(float x);   /* nearest of 0, .5, 1, 1.5, 2, 3, 4, 6 (signed) */
float kb_fp4_e2m1_decode(uint8_t nibble);

#define KB_NVFP4_BLOCK 16
#define KB_MXFP4_BLOCK 32

/* Quantize n values (n a multiple of the block): packed[n/2] nibbles,
 * scales[n/block]. NVFP4 uses `tensor_scale` (amax/(6*448) is the usual
 * choice; 0 = compute it) and E4M3 block scales; MXFP4 E8M0 exponents. */
void kb_nvfp4_quantize(const float *x, size_t n, uint8_t *packed, uint8_t *scales,
                       float *tensor_scale);
void kb_nvfp4_dequantize(const uint8_t *packed, const uint8_t *scales, float tensor_scale,
                         size_t n, float *out);
void kb_mxfp4_quantize(const float *x, size_t n, uint8_t *packed, uint8_t *scales);
void kb_mxfp4_dequantize(const uint8_t *packed, const uint8_t *scales, size_t n, float *out);

/* ---------------------------------------------------------------- shapes */

struct kb_shape {
    char what[32];      /* "qkv_proj", "o_proj", "mlp_up", "mlp_down", "expert_up", "lm_head" */
    int64_t n, k;       /* weight is N x K; a GEMM with M tokens is M x K times K x N */
};

/* Linear shapes of a catalog model (at most max); returns how many. */
size_t kb_model_shapes(const char *model, struct kb_shape *out, size_t max, struct cs_err *err);

/* ---------------------------------------------------------------- records */

struct kb_record {
    char bench[32];     /* membw_read, membw_copy, membw_triad, gemm, dequant_gemm, moe_gemm,
                           attn_decode, attn_prefill */
    char dtype[16];     /* bf16, fp8, nvfp4, mxfp4 (weights or KV) */
    int64_t m, n, k;    /* GEMM shape (or bytes in n for membw) */
    int64_t batch, ctx; /* attention */
    double time_us, bytes, flops;
    char status[16];    /* ok, unsupported, failed */
    char device[64];
    bool synthetic;     /* made by the fixture generator, not measured */
    char sm[8];         /* compute capability, "12.1" on GB10 ("" if unknown) */
    int64_t clock_mhz, driver, runtime; /* SM clock; cudaDriver/RuntimeGetVersion */
    char message[160];  /* why a record is unsupported or failed ("" when ok) */
};

int kb_write_record(FILE *f, const struct kb_record *r);
int kb_read_file(const char *path, struct kb_record **out, size_t *n, struct cs_err *err);

/* Median of n values (reorders them). */
double kb_median(double *v, size_t n);

#endif /* CAPSIM_KERNELS_HOST_KBENCH_H */
