/*
 * kernel_path.h - which GEMM kernels vLLM runs a checkpoint's weights
 * through on GB10 (SM 12.1), decided as vLLM's own selection code
 * decides it: from the checkpoint's weight format, whether the weights
 * are dense linears or routed experts, and the server's flags
 * (--linear-backend, --moe-backend, VLLM_TEST_FORCE_FP8_MARLIN, a build
 * with or without the SM120 NVFP4 kernels). One table, kpath_choose();
 * every command reports what it returns.
 *
 * Ownership: the strings in struct kpath_choice are static.
 */
#ifndef CAPSIM_MODEL_KERNEL_PATH_H
#define CAPSIM_MODEL_KERNEL_PATH_H

#include <stdbool.h>

#include "common/err.h"
#include "model/precision.h"
#include "model/work.h"

/* A checkpoint's weight format, as its quantization_config tells vLLM. */
enum weight_format {
    WFMT_BF16,        /* no quantization (BF16/FP16) */
    WFMT_FP8_TENSOR,  /* FP8, per-tensor or per-channel scales (modelopt FP8, compressed-tensors) */
    WFMT_FP8_BLOCK,   /* FP8 with 128x128 block scales (weight_block_size: Qwen, Mistral, DeepSeek) */
    WFMT_NVFP4,       /* NVFP4: modelopt / compressed-tensors W4A4 */
    WFMT_MXFP4,       /* MXFP4 experts (gpt-oss) */
    WFMT_INT4,        /* GPTQ / AWQ, group-quantized INT4 */
    WFMT_COUNT
};

enum gemm_role { GEMM_LINEAR, GEMM_EXPERTS };

struct kpath_choice {
    enum kernel_path path;
    const char *kernel;  /* the kernel vLLM logs ("MarlinFP8ScaledMMLinearKernel", "TRITON", ...) */
    const char *why;     /* what decided it: "default", a flag, the build */
};

/* The weight format of a part stored as `d` (fp8_block: 128x128 scales). */
enum weight_format kpath_weight_format(enum dtype d, bool fp8_block);
const char *kpath_weight_format_name(enum weight_format f);

/* vLLM's choice for weights of format `f` in role `role` under `kb`
 * (NULL: vLLM's defaults). A flag asking for a kernel vLLM does not have
 * for that format (Triton NVFP4, say) is a usage error naming the flag. */
int kpath_choose(enum weight_format f, enum gemm_role role, const struct kernel_backends *kb,
                 struct kpath_choice *out, struct cs_err *err);

/* One NAME=VALUE of vLLM's environment (vllm serve's, as `docker run -e`
 * passes it). VLLM_TEST_FORCE_FP8_MARLIN=1 sends FP8 through Marlin;
 * other VLLM_* variables are accepted and do not change the kernels
 * capsim prices. A malformed assignment is a usage error naming `flag`. */
int kpath_apply_env(const char *assignment, const char *flag, struct kernel_backends *kb,
                    struct cs_err *err);

#endif /* CAPSIM_MODEL_KERNEL_PATH_H */
