/*
 * attention.cu - paged decode attention over BF16 and FP8 KV caches (block
 * 16, contexts 128..131072, batch 1..256; stands for bw_eff_kv) and causal
 * prefill attention of a chunk against a prefix (attn_prefill_eff). Plain
 * kernels with online softmax; decode is checked against a host reference
 * before it is timed.
 */
#include <cuda_bf16.h>
#include <cuda_fp8.h>
#include <cmath>
#include <vector>

#include "kernels/kbench.cuh"

#define HD 128
#define BLOCK 16

#define QPK 4  /* query heads per KV head: 32 q over 8 kv, as in the Qwen/Granite shapes */
#define WARPS 4 /* threads per block = 32 x WARPS = HD, one thread per dim when combining */

/* The query the benchmark uses, the same on host (reference) and device. */
__host__ __device__ static inline float q_value(int h, int d)
{
    return 0.01f * (float)((d + 3 * h) % 17 - 8);
}

/* One block per (sequence, KV head): each warp takes every WARPS-th token,
 * a lane holds 4 of the 128 dims; every K/V row is read once for the QPK
 * query heads sharing it (GQA), so the kernel is bandwidth-bound as the
 * real paged kernels are. Online softmax per warp, merged at the end. */
template <bool FP8>
__global__ void k_decode(const void *kv, const int *block_table, int max_blocks, int ctx,
                         int kv_heads, float *out)
{
    int seq = blockIdx.x, kvh = blockIdx.y, warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const float scale = rsqrtf((float)HD);
    float q[QPK][4], m[QPK], l[QPK], acc[QPK][4];
    for (int h = 0; h < QPK; h++) {
        m[h] = -1e30f, l[h] = 0;
        for (int j = 0; j < 4; j++)
            q[h][j] = q_value(kvh * QPK + h, lane * 4 + j), acc[h][j] = 0;
    }
    for (int t = warp; t < ctx; t += WARPS) {
        int blk = block_table[seq * max_blocks + t / BLOCK], off = t % BLOCK;
        size_t base = (((size_t)blk * BLOCK + off) * kv_heads + kvh) * HD * 2 + lane * 4;
        float k[4], v[4];
        for (int j = 0; j < 4; j++) {
            if (FP8) {
                /* E4M3 with a per-tensor scale of 1, as vLLM's fp8 KV cache */
                const __nv_fp8_e4m3 *p = (const __nv_fp8_e4m3 *)kv;
                k[j] = (float)p[base + j];
                v[j] = (float)p[base + HD + j];
            } else {
                const __nv_bfloat16 *p = (const __nv_bfloat16 *)kv;
                k[j] = __bfloat162float(p[base + j]);
                v[j] = __bfloat162float(p[base + HD + j]);
            }
        }
        for (int h = 0; h < QPK; h++) {
            float sc = q[h][0] * k[0] + q[h][1] * k[1] + q[h][2] * k[2] + q[h][3] * k[3];
            for (int o = 16; o > 0; o >>= 1)
                sc += __shfl_xor_sync(0xffffffffu, sc, o);
            sc *= scale;
            float mn = fmaxf(m[h], sc), corr = __expf(m[h] - mn), p = __expf(sc - mn);
            l[h] = l[h] * corr + p;
            for (int j = 0; j < 4; j++)
                acc[h][j] = acc[h][j] * corr + p * v[j];
            m[h] = mn;
        }
    }
    __shared__ float sm_m[WARPS][QPK], sm_l[WARPS][QPK], sm_acc[WARPS][QPK][HD];
    for (int h = 0; h < QPK; h++) {
        if (lane == 0)
            sm_m[warp][h] = m[h], sm_l[warp][h] = l[h];
        for (int j = 0; j < 4; j++)
            sm_acc[warp][h][lane * 4 + j] = acc[h][j];
    }
    __syncthreads();
    int d = threadIdx.x;
    for (int h = 0; h < QPK; h++) {
        float M = -1e30f, L = 0, A = 0;
        for (int w = 0; w < WARPS; w++)
            M = fmaxf(M, sm_m[w][h]);
        for (int w = 0; w < WARPS; w++) {
            float f = sm_l[w][h] > 0 ? __expf(sm_m[w][h] - M) : 0.0f;
            L += sm_l[w][h] * f;
            A += sm_acc[w][h][d] * f;
        }
        out[((size_t)seq * kv_heads * QPK + kvh * QPK + h) * HD + d] = A / L;
    }
}

/* Small case against a host reference: KV values n/16 (exact in bf16 and
 * in E4M3; the fp8 codes come from kernels/host kb_fp8_e4m3_encode). */
static bool decode_self_check(bool fp8)
{
    const int batch = 2, ctx = 37, kv_heads = 2, bps = (ctx + BLOCK - 1) / BLOCK;
    const int nblocks = batch * bps;
    size_t nvals = (size_t)nblocks * BLOCK * kv_heads * HD * 2;
    std::vector<float> vals(nvals);
    std::vector<uint8_t> f8(nvals);
    std::vector<__nv_bfloat16> b16(nvals);
    for (size_t i = 0; i < nvals; i++) {
        vals[i] = (float)((int)((i * 37) % 17) - 8) / 16.0f;
        f8[i] = kb_fp8_e4m3_encode(vals[i]);
        b16[i] = __float2bfloat16(vals[i]);
    }
    std::vector<int> bt(nblocks);
    for (int i = 0; i < nblocks; i++)
        bt[i] = (i * 5) % nblocks; /* 5 is prime to 6 blocks: a permutation */
    void *kv;
    int *dbt;
    float *out;
    size_t esz = fp8 ? 1 : 2, nout = (size_t)batch * kv_heads * QPK * HD;
    CUDA_CHECK(cudaMalloc(&kv, nvals * esz));
    CUDA_CHECK(cudaMalloc(&dbt, nblocks * sizeof(int)));
    CUDA_CHECK(cudaMalloc(&out, nout * sizeof(float)));
    CUDA_CHECK(cudaMemcpy(kv, fp8 ? (const void *)f8.data() : (const void *)b16.data(), nvals * esz,
                          cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(dbt, bt.data(), nblocks * sizeof(int), cudaMemcpyHostToDevice));
    if (fp8)
        k_decode<true><<<dim3(batch, kv_heads), HD>>>(kv, dbt, bps, ctx, kv_heads, out);
    else
        k_decode<false><<<dim3(batch, kv_heads), HD>>>(kv, dbt, bps, ctx, kv_heads, out);
    CUDA_CHECK(cudaGetLastError());
    std::vector<float> got(nout);
    CUDA_CHECK(cudaMemcpy(got.data(), out, nout * sizeof(float), cudaMemcpyDeviceToHost));
    cudaFree(kv);
    cudaFree(dbt);
    cudaFree(out);
    for (int s = 0; s < batch; s++)
        for (int kvh = 0; kvh < kv_heads; kvh++)
            for (int h = 0; h < QPK; h++) {
                std::vector<double> sc(ctx);
                double mx = -1e300, sum = 0;
                for (int t = 0; t < ctx; t++) {
                    size_t base = (((size_t)bt[s * bps + t / BLOCK] * BLOCK + t % BLOCK) * kv_heads + kvh) * HD * 2;
                    double dot = 0;
                    for (int d = 0; d < HD; d++)
                        dot += q_value(kvh * QPK + h, d) * vals[base + d];
                    sc[t] = dot / sqrt((double)HD);
                    mx = sc[t] > mx ? sc[t] : mx;
                }
                for (int t = 0; t < ctx; t++)
                    sum += exp(sc[t] - mx);
                for (int d = 0; d < HD; d++) {
                    double ref = 0;
                    for (int t = 0; t < ctx; t++) {
                        size_t base = (((size_t)bt[s * bps + t / BLOCK] * BLOCK + t % BLOCK) * kv_heads + kvh) * HD * 2;
                        ref += exp(sc[t] - mx) / sum * vals[base + HD + d];
                    }
                    double g = got[((size_t)s * kv_heads * QPK + kvh * QPK + h) * HD + d];
                    if (fabs(g - ref) > 1e-3 + 1e-3 * fabs(ref)) {
                        snprintf(kb_last_error, sizeof kb_last_error,
                                 "decode attention differs from the host reference (%g vs %g)", g, ref);
                        return false;
                    }
                }
            }
    return true;
}

static bool decode_case(kb_ctx &c, bool fp8, int batch, int ctx)
{
    const int kv_heads = 8, q_heads = kv_heads * QPK;
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
    dim3 grid(batch, kv_heads);
    double us;
    bool ok = kb_time(c, c.quick ? 3 : 10, [&] {
        if (fp8)
            k_decode<true><<<grid, HD>>>(kv, bt, blocks_per_seq, ctx, kv_heads, out);
        else
            k_decode<false><<<grid, HD>>>(kv, bt, blocks_per_seq, ctx, kv_heads, out);
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
    for (int fp8 = 0; fp8 <= 1; fp8++) {
        if (!decode_self_check(fp8 != 0)) {
            kb_emit(c, "attn_decode", fp8 ? "fp8" : "bf16", 0, 0, 0, 0, 0, 0, 0, 0, "failed");
            continue;
        }
        for (int b = 1; b <= max_b; b *= 4)
            for (int ctx = 128; ctx <= max_ctx; ctx *= 8)
                if ((double)b * ctx <= 4.0e6)
                    decode_case(c, fp8 != 0, b, ctx);
    }
    for (int prefix = 0; prefix <= (c.quick ? 4096 : 32768); prefix = prefix ? prefix * 4 : 1024)
        prefill_case(c, prefix, c.quick ? 256 : 1024);
}
