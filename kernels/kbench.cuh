/*
 * kbench.cuh - shared by the CUDA benchmarks: error checks, timing with
 * CUDA events (warm-up, L2 flush between repetitions, median of N), and
 * the record each benchmark emits (kernels/host/kbench.h).
 */
#ifndef CAPSIM_KERNELS_KBENCH_CUH
#define CAPSIM_KERNELS_KBENCH_CUH

#include <cuda_runtime.h>
#include <cstdio>

extern "C" {
#include "kernels/host/kbench.h"
}

/* Every CUDA call is checked; a failure names the call, file and line and
 * fails the benchmark (not the suite). */
#define CUDA_CHECK(call)                                                                    \
    do {                                                                                    \
        cudaError_t e_ = (call);                                                            \
        if (e_ != cudaSuccess) {                                                            \
            snprintf(kb_last_error, sizeof kb_last_error, "%s: %s (%s:%d)", #call,          \
                     cudaGetErrorString(e_), __FILE__, __LINE__);                           \
            return false;                                                                   \
        }                                                                                   \
    } while (0)

extern char kb_last_error[256];

struct kb_ctx {
    FILE *out;
    bool quick;
    const char *filter;
    char device[64];
    int sm_major, sm_minor, clock_mhz, driver, runtime;
    void *flush;          /* buffer larger than L2, written between repetitions */
    size_t flush_bytes;
};

/* Time `launch` (which enqueues the kernel on stream 0): warm-up, then reps
 * runs each after an L2 flush; the median in microseconds. */
template <typename F> bool kb_time(kb_ctx &c, int reps, F launch, double *median_us)
{
    double t[64];
    if (reps > 64)
        reps = 64;
    cudaEvent_t a, b;
    CUDA_CHECK(cudaEventCreate(&a));
    CUDA_CHECK(cudaEventCreate(&b));
    if (!launch())
        return false;
    CUDA_CHECK(cudaDeviceSynchronize());
    for (int i = 0; i < reps; i++) {
        CUDA_CHECK(cudaMemsetAsync(c.flush, i, c.flush_bytes));
        CUDA_CHECK(cudaEventRecord(a));
        if (!launch())
            return false;
        CUDA_CHECK(cudaEventRecord(b));
        CUDA_CHECK(cudaEventSynchronize(b));
        float ms;
        CUDA_CHECK(cudaEventElapsedTime(&ms, a, b));
        t[i] = ms * 1e3;
    }
    CUDA_CHECK(cudaEventDestroy(a));
    CUDA_CHECK(cudaEventDestroy(b));
    *median_us = kb_median(t, (size_t)reps);
    return true;
}

/* Emit one record (status ok with time, or failed/unsupported with the message). */
void kb_emit(kb_ctx &c, const char *bench, const char *dtype, long long m, long long n, long long k,
             long long batch, long long ctx, double time_us, double bytes, double flops,
             const char *status);

/* The benchmark families, each in its own file. */
void kb_bench_membw(kb_ctx &c);
void kb_bench_gemm(kb_ctx &c);
void kb_bench_dequant(kb_ctx &c);
void kb_bench_attention(kb_ctx &c);

#endif
