/*
 * kernel_path.c - vLLM's kernel choice on SM 12.x as one table. Rows are
 * tried in order; the first whose conditions hold decides. Sources are
 * vLLM main of 2026 as read for ../shared/research/kernel-paths-sm121.md
 * (sections 1, 4; file and function per group of rows below).
 */
#include "model/kernel_path.h"

#include <stddef.h>
#include <string.h>

#include "common/strutil.h"

enum { ANY = -1 };

struct kpath_row {
    enum weight_format format;
    enum gemm_role role;
    int backend;            /* enum kernel_backend, or ANY */
    int force_fp8_marlin;   /* 0, 1 or ANY */
    int fp4_kernels;        /* 0, 1 or ANY */
    int path;               /* enum kernel_path, or ANY: the flag asks for what vLLM lacks */
    const char *kernel;
    const char *why;
};

static const struct kpath_row rows[] = {
    /* Unquantized weights: cuBLAS for linears (UnquantizedLinearMethod),
     * Triton fused_moe for experts (UnquantizedFusedMoEMethod); the
     * backend flags apply to quantized layers only. */
    { WFMT_BF16, GEMM_LINEAR, ANY, ANY, ANY, KPATH_BF16, "cuBLAS", "unquantized" },
    { WFMT_BF16, GEMM_EXPERTS, ANY, ANY, ANY, KPATH_BF16, "TRITON (fused_moe)", "unquantized" },

    /* FP8 linears. VLLM_TEST_FORCE_FP8_MARLIN lifts the capability >= 8.9
     * gate of MarlinFP8ScaledMMLinearKernel.is_supported
     * (vllm/model_executor/kernels/linear/scaled_mm/marlin.py); the
     * priority lists _POSSIBLE_FP8_KERNELS / _POSSIBLE_FP8_BLOCK_KERNELS
     * (vllm/model_executor/kernels/linear/__init__.py,
     * choose_scaled_mm_linear_kernel) put CUTLASS before Marlin and Triton,
     * and --linear-backend filters them. Block FP8 on CUTLASS is the SM120
     * blockwise kernel (scaled_mm_blockwise_sm120_fp8_dispatch.cuh). */
    { WFMT_FP8_TENSOR, GEMM_LINEAR, ANY, 1, ANY, KPATH_FP8_MARLIN, "MarlinFP8ScaledMMLinearKernel",
      "VLLM_TEST_FORCE_FP8_MARLIN=1" },
    { WFMT_FP8_TENSOR, GEMM_LINEAR, KBACKEND_MARLIN, ANY, ANY, KPATH_FP8_MARLIN,
      "MarlinFP8ScaledMMLinearKernel", "--linear-backend marlin" },
    { WFMT_FP8_TENSOR, GEMM_LINEAR, KBACKEND_TRITON, ANY, ANY, ANY, NULL,
      "vLLM has no Triton kernel for per-tensor FP8 linears" },
    { WFMT_FP8_TENSOR, GEMM_LINEAR, KBACKEND_CUTLASS, ANY, ANY, KPATH_FP8_CUTLASS,
      "CutlassFP8ScaledMMLinearKernel", "--linear-backend cutlass" },
    { WFMT_FP8_TENSOR, GEMM_LINEAR, ANY, ANY, ANY, KPATH_FP8_CUTLASS, "CutlassFP8ScaledMMLinearKernel",
      "default: the first per-tensor FP8 kernel that supports SM 12.x" },
    { WFMT_FP8_BLOCK, GEMM_LINEAR, ANY, 1, ANY, KPATH_FP8_MARLIN, "MarlinFP8ScaledMMLinearKernel",
      "VLLM_TEST_FORCE_FP8_MARLIN=1" },
    { WFMT_FP8_BLOCK, GEMM_LINEAR, KBACKEND_MARLIN, ANY, ANY, KPATH_FP8_MARLIN,
      "MarlinFP8ScaledMMLinearKernel", "--linear-backend marlin" },
    { WFMT_FP8_BLOCK, GEMM_LINEAR, KBACKEND_TRITON, ANY, ANY, KPATH_FP8_TRITON,
      "TritonFp8BlockScaledMMKernel", "--linear-backend triton" },
    { WFMT_FP8_BLOCK, GEMM_LINEAR, KBACKEND_CUTLASS, ANY, ANY, KPATH_FP8_CUTLASS,
      "CutlassFp8BlockScaledMMKernel", "--linear-backend cutlass" },
    { WFMT_FP8_BLOCK, GEMM_LINEAR, ANY, ANY, ANY, KPATH_FP8_CUTLASS, "CutlassFp8BlockScaledMMKernel",
      "default: the first block-FP8 kernel that supports SM 12.x (some GB10 builds fail in it, "
      "vLLM #43367; recipes then force Marlin)" },

    /* FP8 experts: the FP8 MoE oracle
     * (vllm/model_executor/layers/fused_moe/oracle/fp8.py) returns MARLIN
     * when forced; its automatic order reaches TRITON first on SM 12.x
     * (FlashInfer TRT-LLM and DeepGEMM need SM90/SM100, vLLM's CUTLASS
     * FP8 MoE is not built for SM120 tensor-scaled FP8, vLLM #43507). */
    { WFMT_FP8_TENSOR, GEMM_EXPERTS, ANY, 1, ANY, KPATH_FP8_MARLIN, "MARLIN",
      "VLLM_TEST_FORCE_FP8_MARLIN=1" },
    { WFMT_FP8_BLOCK, GEMM_EXPERTS, ANY, 1, ANY, KPATH_FP8_MARLIN, "MARLIN", "VLLM_TEST_FORCE_FP8_MARLIN=1" },
    { WFMT_FP8_TENSOR, GEMM_EXPERTS, KBACKEND_MARLIN, ANY, ANY, KPATH_FP8_MARLIN, "MARLIN",
      "--moe-backend marlin" },
    { WFMT_FP8_BLOCK, GEMM_EXPERTS, KBACKEND_MARLIN, ANY, ANY, KPATH_FP8_MARLIN, "MARLIN",
      "--moe-backend marlin" },
    { WFMT_FP8_TENSOR, GEMM_EXPERTS, KBACKEND_CUTLASS, ANY, ANY, ANY, NULL,
      "vLLM's CUTLASS FP8 MoE is not built for SM 12.x tensor-scaled FP8 (vLLM #43507)" },
    { WFMT_FP8_BLOCK, GEMM_EXPERTS, KBACKEND_CUTLASS, ANY, ANY, KPATH_FP8_CUTLASS, "CUTLASS",
      "--moe-backend cutlass" },
    { WFMT_FP8_TENSOR, GEMM_EXPERTS, ANY, ANY, ANY, KPATH_FP8_TRITON, "TRITON (fused_moe fp8_w8a8)",
      "default: the FP8 MoE oracle's first backend available on SM 12.x" },
    { WFMT_FP8_BLOCK, GEMM_EXPERTS, ANY, ANY, ANY, KPATH_FP8_TRITON, "TRITON (fused_moe fp8_w8a8)",
      "default: the FP8 MoE oracle's first backend available on SM 12.x" },

    /* NVFP4. cutlass_scaled_mm_supports_fp4()
     * (csrc/.../fp4/nvfp4_scaled_mm_entry.cu) is true on SM 12.x only when
     * ENABLE_NVFP4_SM120 was compiled in, which official images skip
     * (vLLM PR #41738); then the linear selector
     * (select_nvfp4_linear_backend) and the NVFP4 MoE oracle
     * (fused_moe/oracle/nvfp4.py) fall through to Marlin. */
    { WFMT_NVFP4, GEMM_LINEAR, KBACKEND_MARLIN, ANY, ANY, KPATH_FP4_MARLIN, "MarlinNvFp4LinearKernel",
      "--linear-backend marlin" },
    { WFMT_NVFP4, GEMM_LINEAR, KBACKEND_TRITON, ANY, ANY, ANY, NULL,
      "vLLM has no Triton kernel for NVFP4 linears" },
    { WFMT_NVFP4, GEMM_LINEAR, KBACKEND_CUTLASS, ANY, ANY, KPATH_FP4_CUTLASS, "CutlassNvFp4LinearKernel",
      "--linear-backend cutlass (needs a build with the SM120 NVFP4 kernels)" },
    { WFMT_NVFP4, GEMM_LINEAR, ANY, ANY, 1, KPATH_FP4_CUTLASS, "CutlassNvFp4LinearKernel",
      "default on a build with the SM120 NVFP4 kernels" },
    { WFMT_NVFP4, GEMM_LINEAR, ANY, ANY, ANY, KPATH_FP4_MARLIN, "MarlinNvFp4LinearKernel",
      "default: the build lacks the SM120 NVFP4 kernels (official images, vLLM PR #41738)" },
    { WFMT_NVFP4, GEMM_EXPERTS, KBACKEND_MARLIN, ANY, ANY, KPATH_FP4_MARLIN, "MARLIN",
      "--moe-backend marlin" },
    { WFMT_NVFP4, GEMM_EXPERTS, KBACKEND_TRITON, ANY, ANY, ANY, NULL,
      "vLLM has no Triton kernel for NVFP4 experts" },
    { WFMT_NVFP4, GEMM_EXPERTS, KBACKEND_CUTLASS, ANY, ANY, KPATH_FP4_CUTLASS, "FLASHINFER_CUTLASS",
      "--moe-backend cutlass (needs a build with the SM120 NVFP4 kernels)" },
    { WFMT_NVFP4, GEMM_EXPERTS, ANY, ANY, 1, KPATH_FP4_CUTLASS, "FLASHINFER_CUTLASS",
      "default on a build with the SM120 NVFP4 kernels" },
    { WFMT_NVFP4, GEMM_EXPERTS, ANY, ANY, ANY, KPATH_FP4_MARLIN, "MARLIN",
      "default: the build lacks the SM120 NVFP4 kernels (official images, vLLM PR #41738)" },

    /* MXFP4 experts (gpt-oss): the MXFP4 MoE backends ahead of Marlin are
     * FlashInfer's SM90/SM100 kernels (fused_moe/oracle/mxfp4.py). */
    { WFMT_MXFP4, GEMM_EXPERTS, KBACKEND_MARLIN, ANY, ANY, KPATH_MXFP4_MARLIN, "MARLIN",
      "--moe-backend marlin" },
    { WFMT_MXFP4, GEMM_EXPERTS, KBACKEND_DEFAULT, ANY, ANY, KPATH_MXFP4_MARLIN, "MARLIN",
      "default: the MXFP4 MoE backends before Marlin need SM90/SM100" },
    { WFMT_MXFP4, GEMM_EXPERTS, ANY, ANY, ANY, ANY, NULL,
      "capsim prices MXFP4 experts through Marlin only, vLLM's choice on SM 12.x" },
    { WFMT_MXFP4, GEMM_LINEAR, ANY, ANY, ANY, ANY, NULL, "MXFP4 checkpoints quantize experts only" },

    /* GPTQ/AWQ INT4: the mixed-precision kernel list
     * (vllm/model_executor/layers/quantization/kernels/mixed_precision)
     * starts with Machete, which needs SM90; Marlin comes next
     * (gptq_marlin / awq_marlin); fused_marlin_moe runs the experts. */
    { WFMT_INT4, GEMM_LINEAR, KBACKEND_DEFAULT, ANY, ANY, KPATH_INT4_MARLIN, "MarlinLinearKernel",
      "default: Machete needs SM90; Marlin is next" },
    { WFMT_INT4, GEMM_LINEAR, KBACKEND_MARLIN, ANY, ANY, KPATH_INT4_MARLIN, "MarlinLinearKernel",
      "--linear-backend marlin" },
    { WFMT_INT4, GEMM_EXPERTS, KBACKEND_DEFAULT, ANY, ANY, KPATH_INT4_MARLIN, "MARLIN (fused_marlin_moe)",
      "default for GPTQ/AWQ experts" },
    { WFMT_INT4, GEMM_EXPERTS, KBACKEND_MARLIN, ANY, ANY, KPATH_INT4_MARLIN, "MARLIN (fused_marlin_moe)",
      "--moe-backend marlin" },
    { WFMT_INT4, GEMM_LINEAR, ANY, ANY, ANY, ANY, NULL, "capsim prices INT4 weights through Marlin only" },
    { WFMT_INT4, GEMM_EXPERTS, ANY, ANY, ANY, ANY, NULL, "capsim prices INT4 weights through Marlin only" },
};

static const char *const format_names[] = {
    [WFMT_BF16] = "bf16",   [WFMT_FP8_TENSOR] = "fp8 (per-tensor)", [WFMT_FP8_BLOCK] = "fp8 (128x128 blocks)",
    [WFMT_NVFP4] = "nvfp4", [WFMT_MXFP4] = "mxfp4",                 [WFMT_INT4] = "int4 (group 128)",
};
_Static_assert(CS_ARRAY_LEN(format_names) == WFMT_COUNT, "format_names out of step");

const char *kpath_weight_format_name(enum weight_format f)
{
    return (unsigned)f < WFMT_COUNT ? format_names[f] : "?";
}

enum weight_format kpath_weight_format(enum dtype d, bool fp8_block)
{
    switch (d) {
    case DTYPE_FP8:
        return fp8_block ? WFMT_FP8_BLOCK : WFMT_FP8_TENSOR;
    case DTYPE_NVFP4:
        return WFMT_NVFP4;
    case DTYPE_MXFP4:
        return WFMT_MXFP4;
    case DTYPE_INT4:
        return WFMT_INT4;
    default:
        return WFMT_BF16;
    }
}

static bool matches(int want, int have)
{
    return want == ANY || want == have;
}

int kpath_choose(enum weight_format f, enum gemm_role role, const struct kernel_backends *kb,
                 struct kpath_choice *out, struct cs_err *err)
{
    static const struct kernel_backends defaults = { KBACKEND_DEFAULT, KBACKEND_DEFAULT, false, false };
    if (!kb)
        kb = &defaults;
    int backend = role == GEMM_LINEAR ? (int)kb->linear : (int)kb->moe;
    for (size_t i = 0; i < CS_ARRAY_LEN(rows); i++) {
        const struct kpath_row *r = &rows[i];
        if (r->format != f || r->role != role || !matches(r->backend, backend) ||
            !matches(r->force_fp8_marlin, kb->fp8_marlin) || !matches(r->fp4_kernels, kb->sm120_fp4_kernels))
            continue;
        if (r->path == ANY)
            return cs_err_set(err, CS_EUSAGE, "%s: %s",
                              role == GEMM_LINEAR ? "--linear-backend" : "--moe-backend", r->why);
        *out = (struct kpath_choice){ (enum kernel_path)r->path, r->kernel, r->why };
        return CS_OK;
    }
    /* Every format has a catch-all row per role. */
    return cs_err_set(err, CS_EUSAGE, "no kernel for %s weights", kpath_weight_format_name(f));
}

int kpath_apply_env(const char *assignment, const char *flag, struct kernel_backends *kb,
                    struct cs_err *err)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return cs_err_set(err, CS_EUSAGE, "%s: '%s': want NAME=VALUE", flag, assignment);
    size_t n = (size_t)(eq - assignment);
    if (n < 5 || strncmp(assignment, "VLLM_", 5) != 0)
        return cs_err_set(err, CS_EUSAGE, "%s: '%s': vLLM's variables start with VLLM_", flag, assignment);
    static const char force[] = "VLLM_TEST_FORCE_FP8_MARLIN";
    if (n == sizeof force - 1 && strncmp(assignment, force, n) == 0) {
        /* vllm/envs.py: bool(int(os.getenv(...))) */
        const char *v = eq + 1;
        if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
            return cs_err_set(err, CS_EUSAGE, "%s: %s: want 0 or 1 (got '%s')", flag, force, v);
        kb->fp8_marlin = strcmp(v, "1") == 0;
    }
    return CS_OK;
}
