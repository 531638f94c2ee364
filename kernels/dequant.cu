/*
 * dequant.cu - the weight-only path vLLM takes on GB10 (Marlin): FP8 or
 * NVFP4 weights dequantized in registers, multiplied in higher precision
 * (here FP32 FMA: a plain, correct kernel whose cost follows the same
 * bytes and FLOPs; it stands for marlin_bw_eff at small M and
 * marlin_fp8/fp4_eff at large M). Also the grouped expert GEMM (T tokens
 * routed top-k over E experts, one launch per expert). The kernel is
 * checked against the host decoders (kernels/host/formats.c) first.
 */
#include <cuda_bf16.h>
#include <vector>

#include "kernels/kbench.cuh"

__device__ __forceinline__ float d_fp8(uint8_t v)
{
    int e = (v >> 3) & 0xF, m = v & 7;
    float x = e == 0 ? ldexpf((float)m / 8.0f, -6) : ldexpf(1.0f + (float)m / 8.0f, e - 7);
    return (v & 0x80) ? -x : x;
}

__device__ __forceinline__ float d_fp4(uint8_t nib)
{
    const float t[8] = { 0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f };
    float v = t[nib & 7];
    return (nib & 8) ? -v : v;
}

/* D[m][n] = sum_k A[m][k] * W[n][k]; W is fp8 (fmt 0) or nvfp4 (fmt 1). */
#define TILE 16
__global__ void k_dequant_gemm(const __nv_bfloat16 *A, const uint8_t *W, const uint8_t *scales,
                               float tscale, int fmt, int M, int N, int K, __nv_bfloat16 *D)
{
    __shared__ float As[TILE][TILE], Ws[TILE][TILE];
    int row = blockIdx.y * TILE + threadIdx.y, col = blockIdx.x * TILE + threadIdx.x;
    float acc = 0;
    for (int k0 = 0; k0 < K; k0 += TILE) {
        int ka = k0 + threadIdx.x, kw = k0 + threadIdx.y;
        As[threadIdx.y][threadIdx.x] = (row < M && ka < K) ? __bfloat162float(A[(size_t)row * K + ka]) : 0.0f;
        int wn = blockIdx.x * TILE + threadIdx.x;
        float w = 0;
        if (wn < N && kw < K) {
            size_t idx = (size_t)wn * K + kw;
            if (fmt == 0) {
                w = d_fp8(W[idx]);
            } else {
                uint8_t byte = W[idx / 2];
                w = d_fp4(idx % 2 ? byte >> 4 : byte & 0xF) * d_fp8(scales[idx / 16]) * tscale;
            }
        }
        Ws[threadIdx.y][threadIdx.x] = w;
        __syncthreads();
        for (int j = 0; j < TILE; j++)
            acc += As[threadIdx.y][j] * Ws[j][threadIdx.x];
        __syncthreads();
    }
    if (row < M && col < N)
        D[(size_t)row * N + col] = __float2bfloat16(acc);
}

struct dq_buf {
    __nv_bfloat16 *A, *D;
    uint8_t *W, *S;
};

static bool dq_alloc(dq_buf &b, long long m, long long n, long long k, int fmt)
{
    size_t wbytes = fmt == 0 ? (size_t)n * k : (size_t)n * k / 2;
    CUDA_CHECK(cudaMalloc(&b.A, (size_t)m * k * 2));
    CUDA_CHECK(cudaMalloc(&b.D, (size_t)m * n * 2));
    CUDA_CHECK(cudaMalloc(&b.W, wbytes));
    CUDA_CHECK(cudaMalloc(&b.S, (size_t)n * k / 16 + 1));
    CUDA_CHECK(cudaMemset(b.A, 0, (size_t)m * k * 2));
    CUDA_CHECK(cudaMemset(b.W, 0x11, wbytes));
    CUDA_CHECK(cudaMemset(b.S, 0x38, (size_t)n * k / 16 + 1));
    return true;
}

static void dq_free(dq_buf &b)
{
    cudaFree(b.A);
    cudaFree(b.D);
    cudaFree(b.W);
    cudaFree(b.S);
}

static bool launch(const dq_buf &b, int fmt, long long m, long long n, long long k)
{
    dim3 block(TILE, TILE), grid((unsigned)((n + TILE - 1) / TILE), (unsigned)((m + TILE - 1) / TILE));
    k_dequant_gemm<<<grid, block>>>(b.A, b.W, b.S, 1.0f, fmt, (int)m, (int)n, (int)k, b.D);
    return cudaGetLastError() == cudaSuccess;
}

/* 4 x 32 x 64 against the host decoders, NVFP4 weights. */
static bool self_check(void)
{
    const int m = 4, n = 32, k = 64;
    std::vector<float> a(m * k), w(n * k), back(n * k);
    for (int i = 0; i < m * k; i++)
        a[i] = (float)((i % 5) - 2) * 0.25f;
    for (int i = 0; i < n * k; i++)
        w[i] = (float)((i % 7) - 3);
    std::vector<uint8_t> packed(n * k / 2), scales(n * k / 16);
    float ts = 0;
    kb_nvfp4_quantize(w.data(), (size_t)n * k, packed.data(), scales.data(), &ts);
    kb_nvfp4_dequantize(packed.data(), scales.data(), ts, (size_t)n * k, back.data());
    std::vector<__nv_bfloat16> ab(m * k);
    for (int i = 0; i < m * k; i++)
        ab[i] = __float2bfloat16(a[i]);
    __nv_bfloat16 *A, *D;
    uint8_t *W, *S;
    CUDA_CHECK(cudaMalloc(&A, m * k * 2));
    CUDA_CHECK(cudaMalloc(&D, m * n * 2));
    CUDA_CHECK(cudaMalloc(&W, n * k / 2));
    CUDA_CHECK(cudaMalloc(&S, n * k / 16));
    CUDA_CHECK(cudaMemcpy(A, ab.data(), m * k * 2, cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(W, packed.data(), n * k / 2, cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(S, scales.data(), n * k / 16, cudaMemcpyHostToDevice));
    dim3 block(TILE, TILE), grid(n / TILE, 1);
    k_dequant_gemm<<<grid, block>>>(A, W, S, ts, 1, m, n, k, D);
    std::vector<__nv_bfloat16> d(m * n);
    CUDA_CHECK(cudaMemcpy(d.data(), D, m * n * 2, cudaMemcpyDeviceToHost));
    bool ok = true;
    for (int i = 0; i < m && ok; i++)
        for (int j = 0; j < n && ok; j++) {
            float ref = 0;
            for (int kk = 0; kk < k; kk++)
                ref += a[i * k + kk] * back[j * k + kk];
            float got = __bfloat162float(d[i * n + j]);
            ok = fabsf(got - ref) <= 0.02f * fabsf(ref) + 0.05f;
        }
    cudaFree(A);
    cudaFree(D);
    cudaFree(W);
    cudaFree(S);
    if (!ok)
        snprintf(kb_last_error, sizeof kb_last_error, "dequant GEMM differs from the host reference");
    return ok;
}

void kb_bench_dequant(kb_ctx &c)
{
    if (!self_check()) {
        kb_emit(c, "dequant_gemm", "nvfp4", 4, 32, 64, 0, 0, 0, 0, 0, "failed");
        return;
    }
    struct kb_shape shapes[8];
    struct cs_err err;
    size_t ns = kb_model_shapes("qwen-3.5-9b", shapes, 8, &err);
    const long long ms_full[] = { 1, 8, 64, 256, 1024, 4096 }, ms_quick[] = { 1, 1024 };
    const long long *ms = c.quick ? ms_quick : ms_full;
    int nm = c.quick ? 2 : 6;
    const char *names[2] = { "fp8", "nvfp4" };
    for (int fmt = 0; fmt < 2; fmt++)
        for (size_t s = 0; s < ns && s < (c.quick ? 2u : ns); s++)
            for (int i = 0; i < nm; i++) {
                long long m = ms[i], n = shapes[s].n, k = shapes[s].k;
                dq_buf b;
                double us = 0;
                double wb = fmt == 0 ? (double)n * k : n * k * 0.5625;
                double bytes = wb + (double)m * k * 2 + (double)m * n * 2;
                bool ok = dq_alloc(b, m, n, k, fmt) &&
                          kb_time(c, c.quick ? 3 : 10, [&] { return launch(b, fmt, m, n, k); }, &us);
                kb_emit(c, "dequant_gemm", names[fmt], m, n, k, 0, 0, us, bytes, 2.0 * m * n * k,
                        ok ? "ok" : "failed");
                dq_free(b);
            }
    /* Grouped experts: T tokens, top-k of E; one launch per touched expert. */
    const int E = 128, topk = 8, H = 2048, I = 768;
    for (int T = 1; T <= (c.quick ? 64 : 4096); T *= 8) {
        int per = (T * topk + E - 1) / E, touched = T * topk < E ? T * topk : E;
        dq_buf b;
        double us = 0;
        bool ok = dq_alloc(b, per, 2 * I, H, 1) &&
                  kb_time(c, c.quick ? 3 : 10, [&] {
                      for (int e = 0; e < touched; e++)
                          if (!launch(b, 1, per, 2 * I, H))
                              return false;
                      return true;
                  }, &us);
        double bytes = touched * (2.0 * I * H * 0.5625) + (double)T * topk * H * 2;
        kb_emit(c, "moe_gemm", "nvfp4", T, E, topk, 0, 0, us, bytes, 2.0 * T * topk * 2 * I * H,
                ok ? "ok" : "failed");
        dq_free(b);
    }
}
