/*
 * work.h - the physics the cost model consumes: what one engine step reads
 * and computes, split into per-model constants (struct model_work, filled
 * once by the model module for a model x precision x KV dtype) and
 * per-step tallies (struct step_shape, accumulated by the scheduler, one
 * call per scheduled request).
 *
 * Units: bytes, FLOPs, tokens. Nothing here knows about time; seconds come
 * from sim/cost.h with a hardware profile.
 *
 * Ownership: plain data, no pointers.
 */
#ifndef CAPSIM_MODEL_WORK_H
#define CAPSIM_MODEL_WORK_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

/* How a group of linear layers runs on the GPU; a property of its own,
 * separate from the storage precision (../shared/research/gb10.md
 * section 4). ORDER KPATH: kpath_names[]. */
enum kernel_path {
    KPATH_BF16,        /* BF16/FP16 weights, BF16 tensor-core GEMM */
    KPATH_FP8_NATIVE,  /* W8A8 FP8 GEMM (CUTLASS/FlashInfer) */
    KPATH_FP8_MARLIN,  /* FP8 weights dequantized in-kernel, BF16 math (W8A16) */
    KPATH_FP4_NATIVE,  /* NVFP4 W4A4 block-scaled MMA */
    KPATH_FP4_MARLIN,  /* NVFP4 weights dequantized in-kernel, BF16 math (W4A16) */
    KPATH_MXFP4,       /* MXFP4 experts (gpt-oss), Marlin/Triton W4A16 */
    KPATH_COUNT
};

/* One part of the weights that is read and multiplied in one kernel path. */
struct work_part {
    double bytes;              /* weight bytes of the part as stored */
    double flops_per_token;    /* 2 x multiply-accumulates per token */
    enum kernel_path path;
};

struct model_work {
    /* Weights read every step whatever the batch: attention and recurrent
     * projections, dense MLPs, shared experts, routers, norms. */
    struct work_part dense;
    /* The LM head: read every step, computed only for tokens that sample
     * (one per decoding request, one per prompt-finishing chunk). */
    struct work_part lm_head;
    /* Routed experts: `expert.bytes` and `expert.flops_per_token` are for
     * ONE expert in ONE MoE layer; a step reads the distinct experts its
     * tokens touch. n_moe_layers == 0 for dense models. */
    struct work_part expert;
    uint32_t n_moe_layers;
    uint32_t n_experts;          /* routed experts per MoE layer */
    uint32_t n_experts_active;   /* top-k per token */

    /* Attention. Full-attention layers read the whole context; sliding
     * layers at most swa_window tokens. Bytes at the run's KV dtype,
     * summed over the layers of each kind, K and V together. */
    double kv_bytes_per_token_full;
    double kv_bytes_per_token_swa;
    uint32_t swa_window;                 /* 0 = no sliding layers */
    double attn_flops_per_pair_full;     /* QK^T + PV per (query, key) pair, summed over full layers */
    double attn_flops_per_pair_swa;
    uint32_t head_dim_full;              /* decides the attention kernel's tile shape */
    uint32_t head_dim_swa;

    /* Recurrent layers (Mamba-2, Gated DeltaNet, short conv): state bytes
     * per sequence read and written each step, and per-token FLOPs. */
    double state_bytes_per_seq;
    double state_flops_per_token;

    uint32_t n_residual_blocks;          /* token mixers and FFNs, for per-block overheads */

    /* Speculative decoding: each step the drafter runs `drafter_passes`
     * sequential forward passes over the decoding requests, each pass
     * `drafter_tokens` positions per request through its non-expert
     * weights (`drafter`) and touched experts (one MoE layer if
     * `drafter_moe`), then the shared LM head over `drafter_logits`
     * positions per request, and reads `drafter_kv_bytes_per_token` of its
     * own K/V per context token. The model's MTP block: k passes of one
     * position. A DFlash drafter: one pass over the k + 1 block positions,
     * k logits. 0 passes: no drafter, or one capsim does not price. */
    struct work_part drafter;
    bool drafter_moe;
    uint32_t drafter_passes;
    uint32_t drafter_tokens, drafter_logits;
    double drafter_kv_bytes_per_token;
};

/* What one step holds. Zero it, then work_shape_add() each scheduled request. */
struct step_shape {
    uint32_t n_seqs;             /* requests in the step */
    uint32_t n_decode_seqs;      /* requests past their prompt (decode, +spec) */
    int64_t n_tokens;            /* all scheduled tokens */
    int64_t n_prefill_tokens;    /* tokens that are prompt (or recompute) */
    uint32_t n_logits;           /* tokens that run the LM head and sample */
    double kv_tokens_full;       /* Σ keys read per full layer: ctx + new */
    double kv_tokens_swa;        /* Σ min(ctx + new, window) */
    double attn_pairs_full;      /* Σ query-key pairs, causal within the chunk */
    double attn_pairs_swa;
};

/* Add one request's share of a step: it has `ctx` tokens already in its KV
 * cache and processes `n_new` tokens now; `decode` if it is past its prompt,
 * `n_logits` the tokens it samples this step (1 for decode, 1+k with k
 * speculative tokens, 1 for the chunk that ends a prompt, else 0). */
static inline void work_shape_add(struct step_shape *s, const struct model_work *w,
                                  int64_t ctx, int64_t n_new, bool decode,
                                  uint32_t n_logits)
{
    double c = (double)ctx, n = (double)n_new, end = c + n;
    s->n_seqs++;
    s->n_tokens += n_new;
    if (decode)
        s->n_decode_seqs++;
    else
        s->n_prefill_tokens += n_new;
    s->n_logits += n_logits;
    s->kv_tokens_full += end;
    s->attn_pairs_full += n * c + n * (n + 1.0) / 2.0;
    if (w->swa_window) {
        double win = (double)w->swa_window;
        s->kv_tokens_swa += end < win ? end : win;
        /* each query sees at most `win` keys */
        double full_pairs = n * c + n * (n + 1.0) / 2.0;
        double cap = n * win;
        s->attn_pairs_swa += full_pairs < cap ? full_pairs : cap;
    }
}

/* Routing with unequal expert popularity. Expert i (0-based rank) is in a
 * token's top-k with probability p_i proportional to (i+1)^-skew, scaled
 * so that sum p_i = k and capped at 1 (skew 0: p_i = k/E, uniform).
 * Fills log_miss[i] = log(1 - p_i) for E experts (-INFINITY when p_i = 1);
 * the caller owns the array of n_experts doubles. */
void work_routing_init(uint32_t n_experts, uint32_t k, double skew, double *log_miss);
/* Expected distinct experts T tokens touch under that routing:
 * sum_i 1 - (1 - p_i)^T. */
double work_experts_touched_skewed(const double *log_miss, uint32_t n_experts, double n_tokens);

const char *kpath_name(enum kernel_path p);

/* vLLM's choice of GEMM kernels for quantized weights, as its
 * --linear-backend and --moe-backend flags name them: its own default,
 * Marlin (weights dequantized in-kernel, BF16 math), or a native
 * low-precision kernel (CUTLASS, FlashInfer, Triton, DeepGEMM). */
enum kernel_backend { KBACKEND_DEFAULT, KBACKEND_MARLIN, KBACKEND_NATIVE };

struct kernel_backends {
    enum kernel_backend linear;  /* dense linears (--linear-backend) */
    enum kernel_backend moe;     /* routed experts (--moe-backend) */
    bool fp8_marlin;             /* VLLM_TEST_FORCE_FP8_MARLIN=1: FP8 parts through Marlin */
};

/* Parse a backend name ("auto", "marlin", "cutlass", "flashinfer_cutlass",
 * "triton", ...; NULL or "" = default). `flag` names the option in errors. */
int kernel_backend_parse(const char *s, const char *flag, enum kernel_backend *out,
                         struct cs_err *err);

#endif /* CAPSIM_MODEL_WORK_H */
