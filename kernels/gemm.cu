/*
 * gemm.cu - cuBLASLt GEMM/GEMV per math type on the N x K of real model
 * projections (kernels/host: kb_model_shapes), M = 1 .. 8192 tokens:
 * BF16 (gemm_eff_bf16), FP8 E4M3 with tensor-wide scales
 * (gemm_eff_fp8_native), MXFP8 (E4M3, 32-element E8M0 block scales), NVFP4
 * (E2M1, 16-element UE4M3 block scales; gemm_eff_fp4_native) and MXFP4
 * (E2M1, 32-element E8M0 block scales). Types the device or library refuses
 * (no heuristic, or a cuBLASLt error) are recorded as "unsupported" with the
 * reason and the suite goes on. Inputs are zeros: cuBLASLt's results are not
 * checked here (the dequant GEMM is, in dequant.cu).
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
/* `scale_mode`: SCALAR_32F (no scale buffers: bf16, tensor-wide fp8) or a
 * block mode (VEC16_UE4M3 = NVFP4, VEC32_UE8M0 = MX): then per-block scale
 * buffers for both operands, sized generously (rows padded to 128, K blocks
 * to 4, cuBLASLt's tiled scale layout); their values do not matter for time. */
static bool lt_gemm(kb_ctx &c, cublasLtHandle_t lt, cudaDataType_t ab, int scale_mode, long long m,
                    long long n, long long k, double *us)
{
    size_t bits = ab == CUDA_R_16BF ? 16 : ab == CUDA_R_4F_E2M1 ? 4 : 8;
    size_t block = scale_mode == CUBLASLT_MATMUL_MATRIX_SCALE_VEC16_UE4M3 ? 16 : 32;
    size_t sa_bytes = (size_t)((m + 127) / 128 * 128) * (size_t)((k / block + 3) / 4 * 4);
    size_t sw_bytes = (size_t)((n + 127) / 128 * 128) * (size_t)((k / block + 3) / 4 * 4);
    void *A, *W, *D, *ws, *sa = NULL, *sw = NULL;
    size_t ws_bytes = 32u << 20;
    CUDA_CHECK(cudaMalloc(&A, (size_t)m * k * bits / 8));
    CUDA_CHECK(cudaMalloc(&W, (size_t)n * k * bits / 8));
    CUDA_CHECK(cudaMalloc(&D, (size_t)m * n * 2));
    CUDA_CHECK(cudaMalloc(&ws, ws_bytes));
    CUDA_CHECK(cudaMemset(A, 0, (size_t)m * k * bits / 8));
    CUDA_CHECK(cudaMemset(W, 0, (size_t)n * k * bits / 8));
    cublasLtMatmulDesc_t op;
    LT_CHECK(cublasLtMatmulDescCreate(&op, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    cublasOperation_t t = CUBLAS_OP_T, nt = CUBLAS_OP_N;
    LT_CHECK(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSA, &t, sizeof t));
    LT_CHECK(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSB, &nt, sizeof nt));
    if (scale_mode != CUBLASLT_MATMUL_MATRIX_SCALE_SCALAR_32F) {
        CUDA_CHECK(cudaMalloc(&sa, sa_bytes));
        CUDA_CHECK(cudaMalloc(&sw, sw_bytes));
        CUDA_CHECK(cudaMemset(sa, 0x38, sa_bytes)); /* 1.0 in UE4M3; 2^-71 in UE8M0, fine for timing */
        CUDA_CHECK(cudaMemset(sw, 0x38, sw_bytes));
        cublasLtMatmulMatrixScale_t mode = (cublasLtMatmulMatrixScale_t)scale_mode;
        LT_CHECK(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_A_SCALE_MODE, &mode, sizeof mode));
        LT_CHECK(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_B_SCALE_MODE, &mode, sizeof mode));
        LT_CHECK(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &sw, sizeof sw));
        LT_CHECK(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &sa, sizeof sa));
    }
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
    cudaFree(sa);
    cudaFree(sw);
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
    /* bytes per element include the block scales: nvfp4 4 bits + 8/16,
     * mxfp4 4 + 8/32, mxfp8 8 + 8/32 */
    struct { cudaDataType_t t; int mode; const char *name; double bpe; } types[] = {
        { CUDA_R_16BF, CUBLASLT_MATMUL_MATRIX_SCALE_SCALAR_32F, "bf16", 2 },
        { CUDA_R_8F_E4M3, CUBLASLT_MATMUL_MATRIX_SCALE_SCALAR_32F, "fp8", 1 },
        { CUDA_R_8F_E4M3, CUBLASLT_MATMUL_MATRIX_SCALE_VEC32_UE8M0, "mxfp8", 1.0 + 1.0 / 32 },
        { CUDA_R_4F_E2M1, CUBLASLT_MATMUL_MATRIX_SCALE_VEC16_UE4M3, "nvfp4", 0.5 + 1.0 / 16 },
        { CUDA_R_4F_E2M1, CUBLASLT_MATMUL_MATRIX_SCALE_VEC32_UE8M0, "mxfp4", 0.5 + 1.0 / 32 } };
    for (auto &ty : types)
        for (size_t s = 0; s < ns; s++)
            for (int i = 0; i < nm; i++) {
                long long m = ms[i], n = shapes[s].n, k = shapes[s].k;
                double us;
                double bytes = (double)n * k * ty.bpe + (double)m * k * ty.bpe + (double)m * n * 2;
                if (lt_gemm(c, lt, ty.t, ty.mode, m, n, k, &us))
                    kb_emit(c, "gemm", ty.name, m, n, k, 0, 0, us, bytes, 2.0 * m * n * k, "ok");
                else
                    kb_emit(c, "gemm", ty.name, m, n, k, 0, 0, 0, bytes, 2.0 * m * n * k,
                            ty.t == CUDA_R_16BF ? "failed" : "unsupported");
            }
    cublasLtDestroy(lt);
}
