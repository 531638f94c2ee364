/*
 * membw.cu - DRAM bandwidth: read (sum of float4 loads), copy, triad, over
 * sizes from inside L2 to far beyond it. Stands for the profile's
 * bw_eff_weights (docs/kernels.md).
 */
#include "kernels/kbench.cuh"

__global__ void k_read(const float4 *a, size_t n, float *sink)
{
    float acc = 0;
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        float4 v = a[i];
        acc += v.x + v.y + v.z + v.w;
    }
    if (acc == 1234.5f) /* never true; keeps the loads */
        *sink = acc;
}

__global__ void k_copy(const float4 *a, float4 *b, size_t n)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
        b[i] = a[i];
}

__global__ void k_triad(const float4 *a, const float4 *b, float4 *c, float s, size_t n)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        float4 x = a[i], y = b[i];
        c[i] = make_float4(x.x + s * y.x, x.y + s * y.y, x.z + s * y.z, x.w + s * y.w);
    }
}

static bool run_size(kb_ctx &c, size_t bytes)
{
    size_t n = bytes / sizeof(float4);
    float4 *a, *b, *d;
    float *sink;
    CUDA_CHECK(cudaMalloc(&a, bytes));
    CUDA_CHECK(cudaMalloc(&b, bytes));
    CUDA_CHECK(cudaMalloc(&d, bytes));
    CUDA_CHECK(cudaMalloc(&sink, sizeof(float)));
    CUDA_CHECK(cudaMemset(a, 0, bytes));
    CUDA_CHECK(cudaMemset(b, 0, bytes));
    int grid = 1024, block = 256;
    double t;
    int reps = c.quick ? 5 : 20;
    if (kb_time(c, reps, [&] { k_read<<<grid, block>>>(a, n, sink); return cudaGetLastError() == cudaSuccess; }, &t))
        kb_emit(c, "membw_read", "", 0, (long long)bytes, 0, 0, 0, t, (double)bytes, 0, "ok");
    if (kb_time(c, reps, [&] { k_copy<<<grid, block>>>(a, b, n); return cudaGetLastError() == cudaSuccess; }, &t))
        kb_emit(c, "membw_copy", "", 0, (long long)bytes, 0, 0, 0, t, 2.0 * bytes, 0, "ok");
    if (kb_time(c, reps, [&] { k_triad<<<grid, block>>>(a, b, d, 3.0f, n); return cudaGetLastError() == cudaSuccess; }, &t))
        kb_emit(c, "membw_triad", "", 0, (long long)bytes, 0, 0, 0, t, 3.0 * bytes, 2.0 * n * 4, "ok");
    cudaFree(a);
    cudaFree(b);
    cudaFree(d);
    cudaFree(sink);
    return true;
}

void kb_bench_membw(kb_ctx &c)
{
    size_t top = c.quick ? (256u << 20) : (2048u << 20);
    for (size_t bytes = 1u << 20; bytes <= top; bytes *= 4)
        if (!run_size(c, bytes))
            kb_emit(c, "membw_read", "", 0, (long long)bytes, 0, 0, 0, 0, 0, 0, "failed");
}
