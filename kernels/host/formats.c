/*
 * formats.c - FP8 E4M3, FP4 E2M1, NVFP4 and MXFP4 as the GPU formats define
 * them (OCP MX spec; NVIDIA's NVFP4: E2M1 values with an E4M3 scale per 16
 * elements and an FP32 per-tensor scale). Encoding rounds to nearest, ties
 * to even, and saturates, as the hardware conversions do.
 */
#include <math.h>

#include "kernels/host/kbench.h"

float kb_fp8_e4m3_decode(uint8_t v)
{
    int s = v >> 7, e = (v >> 3) & 0xF, m = v & 7;
    if (e == 0xF && m == 7)
        return NAN; /* E4M3 has no infinities; S.1111.111 is NaN */
    float x = e == 0 ? ldexpf((float)m / 8.0f, -6) : ldexpf(1.0f + (float)m / 8.0f, e - 7);
    return s ? -x : x;
}

uint8_t kb_fp8_e4m3_encode(float x)
{
    if (isnan(x))
        return 0x7F;
    uint8_t sign = signbit(x) ? 0x80 : 0;
    float a = fabsf(x);
    if (a >= 448.0f)
        return sign | 0x7E; /* saturate at the largest finite, 448 */
    /* Search the 127 non-negative codes for the nearest (ties to even code). */
    uint8_t best = 0;
    float bd = INFINITY;
    for (uint8_t c = 0; c <= 0x7E; c++) {
        float d = fabsf(kb_fp8_e4m3_decode(c) - a);
        if (d < bd || (d == bd && (c & 1) == 0)) {
            bd = d;
            best = c;
        }
    }
    return sign | best;
}

static const float e2m1_values[8] = { 0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f };

float kb_fp4_e2m1_decode(uint8_t nib)
{
    float v = e2m1_values[nib & 7];
    return (nib & 8) ? -v : v;
}

uint8_t kb_fp4_e2m1_encode(float x)
{
    uint8_t sign = signbit(x) ? 8 : 0;
    float a = fabsf(x);
    if (isnan(a))
        return 0;
    uint8_t best = 0;
    float bd = INFINITY;
    for (uint8_t c = 0; c < 8; c++) {
        float d = fabsf(e2m1_values[c] - a);
        if (d < bd || (d == bd && (c & 1) == 0)) {
            bd = d;
            best = c;
        }
    }
    return sign | best;
}

static void put_nibble(uint8_t *packed, size_t i, uint8_t nib)
{
    if (i % 2 == 0)
        packed[i / 2] = (uint8_t)((packed[i / 2] & 0xF0) | nib);
    else
        packed[i / 2] = (uint8_t)((packed[i / 2] & 0x0F) | (nib << 4));
}

static uint8_t get_nibble(const uint8_t *packed, size_t i)
{
    return i % 2 == 0 ? packed[i / 2] & 0xF : packed[i / 2] >> 4;
}

void kb_nvfp4_quantize(const float *x, size_t n, uint8_t *packed, uint8_t *scales,
                       float *tensor_scale)
{
    float amax = 0;
    for (size_t i = 0; i < n; i++)
        amax = fmaxf(amax, fabsf(x[i]));
    /* The per-tensor scale maps the largest block scale into E4M3's range. */
    if (*tensor_scale <= 0)
        *tensor_scale = amax > 0 ? amax / (6.0f * 448.0f) : 1.0f;
    for (size_t b = 0; b < n / KB_NVFP4_BLOCK; b++) {
        float bmax = 0;
        for (size_t j = 0; j < KB_NVFP4_BLOCK; j++)
            bmax = fmaxf(bmax, fabsf(x[b * KB_NVFP4_BLOCK + j]));
        scales[b] = kb_fp8_e4m3_encode(bmax / 6.0f / *tensor_scale);
        float s = kb_fp8_e4m3_decode(scales[b]) * *tensor_scale;
        for (size_t j = 0; j < KB_NVFP4_BLOCK; j++) {
            size_t i = b * KB_NVFP4_BLOCK + j;
            put_nibble(packed, i, kb_fp4_e2m1_encode(s > 0 ? x[i] / s : 0.0f));
        }
    }
}

void kb_nvfp4_dequantize(const uint8_t *packed, const uint8_t *scales, float tensor_scale,
                         size_t n, float *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = kb_fp4_e2m1_decode(get_nibble(packed, i)) *
                 kb_fp8_e4m3_decode(scales[i / KB_NVFP4_BLOCK]) * tensor_scale;
}

void kb_mxfp4_quantize(const float *x, size_t n, uint8_t *packed, uint8_t *scales)
{
    for (size_t b = 0; b < n / KB_MXFP4_BLOCK; b++) {
        float bmax = 0;
        for (size_t j = 0; j < KB_MXFP4_BLOCK; j++)
            bmax = fmaxf(bmax, fabsf(x[b * KB_MXFP4_BLOCK + j]));
        /* OCP MX: shared exponent floor(log2(amax)) - emax(E2M1) = ... - 2 */
        int e = bmax > 0 ? (int)floorf(log2f(bmax)) - 2 : -127;
        if (e < -127)
            e = -127;
        if (e > 127)
            e = 127;
        scales[b] = (uint8_t)(e + 127);
        float s = ldexpf(1.0f, e);
        for (size_t j = 0; j < KB_MXFP4_BLOCK; j++) {
            size_t i = b * KB_MXFP4_BLOCK + j;
            put_nibble(packed, i, kb_fp4_e2m1_encode(x[i] / s));
        }
    }
}

void kb_mxfp4_dequantize(const uint8_t *packed, const uint8_t *scales, size_t n, float *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = kb_fp4_e2m1_decode(get_nibble(packed, i)) *
                 ldexpf(1.0f, (int)scales[i / KB_MXFP4_BLOCK] - 127);
}
