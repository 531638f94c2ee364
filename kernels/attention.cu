/*
 * attention.cu - paged decode attention over BF16 and FP8 KV caches (block
 * 16, contexts 128..131072, batch 1..256; stands for bw_eff_kv) and causal
 * prefill attention of a chunk against a prefix (attn_prefill_eff). Plain
 * kernels: one thread block per (sequence, query head), online softmax.
 */
#include <cuda_bf16.h>

#include "kernels/kbench.cuh"

#define HD 128
#define BLOCK 16

template <bool FP8>
__global__ void k_decode(const void *kv, const int *block_table, int max_blocks, int ctx,
                         int kv_heads, int q_per_kv, float *out)
{
    int seq = blockIdx.x, qh = blockIdx.y, kvh = qh / q_per_kv, d = threadIdx.x;
    float q = 0.01f * (d + 1), m = -1e30f, l = 0, acc = 0;
    __shared__ float red[HD];
    for (int t = 0; t < ctx; t++) {
        int blk = block_table[seq * max_blocks + t / BLOCK], off = t % BLOCK;
        size_t base = (((size_t)blk * BLOCK + off) * kv_heads + kvh) * HD * 2;
        float k, v;
        if (FP8) {
            const uint8_t *p = (const uint8_t *)kv;
            k = (float)p[base + d] * (1.0f / 64.0f);
            v = (float)p[base + HD + d] * (1.0f / 64.0f);
        } else {
            const __nv_bfloat16 *p = (const __nv_bfloat16 *)kv;
            k = __bfloat162float(p[base + d]);
            v = __bfloat162float(p[base + HD + d]);
        }
        red[d] = q * k;
        __syncthreads();
        for (int s = HD / 2; s > 0; s >>= 1) {
            if (d < s)
                red[d] += red[d + s];
            __syncthreads();
        }
        float score = red[0];
        __syncthreads();
        float mn = fmaxf(m, score), corr = __expf(m - mn), p = __expf(score - mn);
        l = l * corr + p;
        acc = acc * corr + p * v;
        m = mn;
    }
    out[((size_t)seq * gridDim.y + qh) * HD + d] = acc / l;
}

static bool decode_case(kb_ctx &c, bool fp8, int batch, int ctx)
{
    const int kv_heads = 8, q_heads = 32;
    int blocks_per_seq = (ctx + BLOCK - 1) / BLOCK;
    size_t nblocks = (size_t)batch * blocks_per_seq;
    size_t esz = fp8 ? 1 : 2, kv_bytes = nblocks * BLOCK * kv_heads * HD * 2 * esz;
    void *kv;
    int *bt;
    float *out;
    CUDA_CHECK(cudaMalloc(&kv, kv_bytes));
    CUDA_CHECK(cudaMalloc(&bt, nblocks * sizeof(int)));
    CUDA_CHECK(cudaMalloc(&out, (size_t)batch * q_heads * HD * sizeof(float)));
    CUDA_CHECK(cudaMemset(kv, 0, kv_bytes));
    int *h = (int *)malloc(nblocks * sizeof(int));
    for (size_t i = 0; i < nblocks; i++) /* scattered pages, as a paged cache is */
        h[i] = (int)((i * 7919) % nblocks);
    CUDA_CHECK(cudaMemcpy(bt, h, nblocks * sizeof(int), cudaMemcpyHostToDevice));
    free(h);
    dim3 grid(batch, q_heads);
    double us;
    bool ok = kb_time(c, c.quick ? 3 : 10, [&] {
        if (fp8)
            k_decode<true><<<grid, HD>>>(kv, bt, blocks_per_seq, ctx, kv_heads, q_heads / kv_heads, out);
        else
            k_decode<false><<<grid, HD>>>(kv, bt, blocks_per_seq, ctx, kv_heads, q_heads / kv_heads, out);
        return cudaGetLastError() == cudaSuccess;
    }, &us);
    double bytes = (double)batch * ctx * kv_heads * HD * 2 * esz;
    kb_emit(c, "attn_decode", fp8 ? "fp8" : "bf16", 0, 0, 0, batch, ctx, ok ? us : 0, bytes,
            4.0 * batch * ctx * q_heads * HD, ok ? "ok" : "failed");
    cudaFree(kv);
    cudaFree(bt);
    cudaFree(out);
    return ok;
}

/* Causal prefill: `chunk` queries at positions prefix..prefix+chunk-1. */
__global__ void k_prefill(const __nv_bfloat16 *K, const __nv_bfloat16 *V, int prefix, int chunk,
                          float *out)
{
    int qi = blockIdx.x, h = blockIdx.y, d = threadIdx.x, last = prefix + qi;
    float q = 0.01f * (d + 1), m = -1e30f, l = 0, acc = 0;
    __shared__ float red[HD];
    for (int t = 0; t <= last; t++) {
        red[d] = q * __bfloat162float(K[(size_t)t * HD + d]);
        __syncthreads();
        for (int s = HD / 2; s > 0; s >>= 1) {
            if (d < s)
                red[d] += red[d + s];
            __syncthreads();
        }
        float sc = red[0];
        __syncthreads();
        float mn = fmaxf(m, sc), corr = __expf(m - mn), p = __expf(sc - mn);
        l = l * corr + p;
        acc = acc * corr + p * __bfloat162float(V[(size_t)t * HD + d]);
        m = mn;
    }
    out[((size_t)qi * gridDim.y + h) * HD + d] = acc / l;
}

static bool prefill_case(kb_ctx &c, int prefix, int chunk)
{
    const int heads = 8;
    int total = prefix + chunk;
    __nv_bfloat16 *K, *V;
    float *out;
    CUDA_CHECK(cudaMalloc(&K, (size_t)total * HD * 2));
    CUDA_CHECK(cudaMalloc(&V, (size_t)total * HD * 2));
    CUDA_CHECK(cudaMalloc(&out, (size_t)chunk * heads * HD * sizeof(float)));
    CUDA_CHECK(cudaMemset(K, 0, (size_t)total * HD * 2));
    CUDA_CHECK(cudaMemset(V, 0, (size_t)total * HD * 2));
    double us;
    bool ok = kb_time(c, 3, [&] {
        k_prefill<<<dim3(chunk, heads), HD>>>(K, V, prefix, chunk, out);
        return cudaGetLastError() == cudaSuccess;
    }, &us);
    double pairs = (double)chunk * prefix + (double)chunk * (chunk + 1) / 2;
    kb_emit(c, "attn_prefill", "bf16", chunk, 0, 0, 1, prefix, ok ? us : 0,
            (double)total * HD * 2 * 2 * heads, 4.0 * heads * HD * pairs, ok ? "ok" : "failed");
    cudaFree(K);
    cudaFree(V);
    cudaFree(out);
    return ok;
}

void kb_bench_attention(kb_ctx &c)
{
    int max_ctx = c.quick ? 8192 : 131072, max_b = c.quick ? 16 : 256;
    for (int fp8 = 0; fp8 <= 1; fp8++)
        for (int b = 1; b <= max_b; b *= 4)
            for (int ctx = 128; ctx <= max_ctx; ctx *= 8)
                if ((double)b * ctx <= 4.0e6)
                    decode_case(c, fp8 != 0, b, ctx);
    for (int prefix = 0; prefix <= (c.quick ? 4096 : 32768); prefix = prefix ? prefix * 4 : 1024)
        prefill_case(c, prefix, c.quick ? 256 : 1024);
}
