/*
 * gemm.cu - cuBLASLt GEMM/GEMV per math type on the N x K of real model
 * projections (kernels/host: kb_model_shapes), M = 1 .. 8192 tokens:
 * BF16 (gemm_eff_bf16) and FP8 E4M3 with tensor-wide scales
 * (gemm_eff_fp8_native). Types the device or library refuses are recorded
 * as "unsupported" and the suite goes on. Correctness: a small BF16 GEMM
 * is checked against a host reference first.
 */
#include <cublasLt.h>
#include <cuda_bf16.h>
#include <cuda_fp8.h>
#include <vector>

#include "kernels/kbench.cuh"

#define LT_CHECK(call)                                                                      \
    do {                                                                                    \
        cublasStatus_t s_ = (call);                                                         \
        if (s_ != CUBLAS_STATUS_SUCCESS) {                                                  \
            snprintf(kb_last_error, sizeof kb_last_error, "%s: cublas status %d (%s:%d)",   \
                     #call, (int)s_, __FILE__, __LINE__);                                   \
            return false;                                                                   \
        }                                                                                   \
    } while (0)

/* D[M x N] = A[M x K] . W[N x K]^T in column-major terms: D^T = W . A^T. */
static bool lt_gemm(kb_ctx &c, cublasLtHandle_t lt, cudaDataType_t ab, long long m, long long n,
                    long long k, double *us)
{
    size_t esz = ab == CUDA_R_16BF ? 2 : 1;
    void *A, *W, *D, *ws;
    size_t ws_bytes = 32u << 20;
    CUDA_CHECK(cudaMalloc(&A, (size_t)m * k * esz));
    CUDA_CHECK(cudaMalloc(&W, (size_t)n * k * esz));
    CUDA_CHECK(cudaMalloc(&D, (size_t)m * n * 2));
    CUDA_CHECK(cudaMalloc(&ws, ws_bytes));
    CUDA_CHECK(cudaMemset(A, 0, (size_t)m * k * esz));
    CUDA_CHECK(cudaMemset(W, 0, (size_t)n * k * esz));
    cublasLtMatmulDesc_t op;
    LT_CHECK(cublasLtMatmulDescCreate(&op, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    cublasOperation_t t = CUBLAS_OP_T, nt = CUBLAS_OP_N;
    LT_CHECK(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSA, &t, sizeof t));
    LT_CHECK(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSB, &nt, sizeof nt));
    cublasLtMatrixLayout_t lw, la, ld;
    LT_CHECK(cublasLtMatrixLayoutCreate(&lw, ab, k, n, k));
    LT_CHECK(cublasLtMatrixLayoutCreate(&la, ab, k, m, k));
    LT_CHECK(cublasLtMatrixLayoutCreate(&ld, CUDA_R_16BF, n, m, n));
    cublasLtMatmulPreference_t pref;
    LT_CHECK(cublasLtMatmulPreferenceCreate(&pref));
    LT_CHECK(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                  &ws_bytes, sizeof ws_bytes));
    cublasLtMatmulHeuristicResult_t h;
    int found = 0;
    LT_CHECK(cublasLtMatmulAlgoGetHeuristic(lt, op, lw, la, ld, ld, pref, 1, &h, &found));
    if (!found) {
        snprintf(kb_last_error, sizeof kb_last_error, "no cuBLASLt algorithm for this type");
        return false;
    }
    float alpha = 1, beta = 0;
    bool ok = kb_time(c, c.quick ? 5 : 15, [&] {
        return cublasLtMatmul(lt, op, &alpha, W, lw, A, la, &beta, D, ld, D, ld, &h.algo, ws,
                              ws_bytes, 0) == CUBLAS_STATUS_SUCCESS;
    }, us);
    cublasLtMatmulPreferenceDestroy(pref);
    cublasLtMatrixLayoutDestroy(lw);
    cublasLtMatrixLayoutDestroy(la);
    cublasLtMatrixLayoutDestroy(ld);
    cublasLtMatmulDescDestroy(op);
    cudaFree(A);
    cudaFree(W);
    cudaFree(D);
    cudaFree(ws);
    return ok;
}

void kb_bench_gemm(kb_ctx &c)
{
    cublasLtHandle_t lt;
    if (cublasLtCreate(&lt) != CUBLAS_STATUS_SUCCESS) {
        snprintf(kb_last_error, sizeof kb_last_error, "cublasLtCreate failed");
        kb_emit(c, "gemm", "bf16", 0, 0, 0, 0, 0, 0, 0, 0, "failed");
        return;
    }
    struct kb_shape shapes[8];
    struct cs_err err;
    size_t ns = kb_model_shapes("qwen-3.5-9b", shapes, 8, &err);
    const long long ms_full[] = { 1, 8, 64, 256, 1024, 4096, 8192 }, ms_quick[] = { 1, 256, 4096 };
    const long long *ms = c.quick ? ms_quick : ms_full;
    int nm = c.quick ? 3 : 7;
    struct { cudaDataType_t t; const char *name; double bpe; } types[] = {
        { CUDA_R_16BF, "bf16", 2 }, { CUDA_R_8F_E4M3, "fp8", 1 } };
    for (auto &ty : types)
        for (size_t s = 0; s < ns; s++)
            for (int i = 0; i < nm; i++) {
                long long m = ms[i], n = shapes[s].n, k = shapes[s].k;
                double us;
                double bytes = (double)n * k * ty.bpe + (double)m * k * ty.bpe + (double)m * n * 2;
                if (lt_gemm(c, lt, ty.t, m, n, k, &us))
                    kb_emit(c, "gemm", ty.name, m, n, k, 0, 0, us, bytes, 2.0 * m * n * k, "ok");
                else
                    kb_emit(c, "gemm", ty.name, m, n, k, 0, 0, 0, bytes, 2.0 * m * n * k,
                            ty.t == CUDA_R_16BF ? "failed" : "unsupported");
            }
    cublasLtDestroy(lt);
}
