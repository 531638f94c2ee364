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

/* The GEMM kernel a group of weights runs through: a property of its own,
 * separate from the storage precision. vLLM chooses it from the
 * checkpoint's format and the server's flags (model/kernel_path.h);
 * the cost model prices each from how the kernel works (sim/cost.c).
 * ORDER KPATH: kpath_names[] in work.c. */
enum kernel_path {
    KPATH_BF16,         /* BF16/FP16 weights: cuBLAS GEMM, Triton fused_moe for experts */
    KPATH_FP8_CUTLASS,  /* W8A8 FP8 on FP8 tensor cores (CUTLASS / FlashInfer, per-tensor or 128x128 blocks) */
    KPATH_FP8_TRITON,   /* W8A8 FP8 through Triton (block-FP8 fallback, fused_moe FP8 experts) */
    KPATH_FP8_MARLIN,   /* FP8 weights dequantized in-kernel, BF16 math (W8A16) */
    KPATH_FP4_CUTLASS,  /* NVFP4 W4A4 block-scaled FP4 MMA (CUTLASS / FlashInfer) */
    KPATH_FP4_MARLIN,   /* NVFP4 weights dequantized in-kernel, BF16 math (W4A16) */
    KPATH_INT4_MARLIN,  /* GPTQ/AWQ INT4 group-quantized weights, BF16 math (W4A16) */
    KPATH_MXFP4_MARLIN, /* MXFP4 experts (gpt-oss), BF16 math (W4A16) */
    KPATH_COUNT
};

/* Marlin-family paths dequantize in registers and multiply on BF16 tensor
 * cores; they share one structure (csrc/quantization/marlin/). */
static inline bool kpath_is_marlin(enum kernel_path p)
{
    return p == KPATH_FP8_MARLIN || p == KPATH_FP4_MARLIN || p == KPATH_INT4_MARLIN ||
           p == KPATH_MXFP4_MARLIN;
}

/* Native low-precision paths quantize their activations before each GEMM. */
static inline bool kpath_quantizes_activations(enum kernel_path p)
{
    return p == KPATH_FP8_CUTLASS || p == KPATH_FP8_TRITON || p == KPATH_FP4_CUTLASS;
}

/* One kind of weight matrix in a part: its output width N (which decides
 * how many of Marlin's 256-wide column tiles it has), the bytes of one
 * layer's copy (does it stay in L2?) and the bytes of all its copies. */
struct work_matrix {
    double n;
    double layer_bytes;
    double bytes;
};

#define WORK_MAX_MATRICES 4

/* One part of the weights that is read and multiplied in one kernel path. */
struct work_part {
    double bytes;              /* weight bytes of the part as stored */
    double flops_per_token;    /* 2 x multiply-accumulates per token */
    enum kernel_path path;
    /* Activation elements each token feeds into the part's GEMMs (sum of
     * K over its matrices): a native path quantizes them first. */
    double act_in_per_token;
    /* The matrix kinds the part's bytes split into; none: one matrix as
     * wide as the part is large (no L2 reuse, every tile column busy). */
    uint32_t n_matrices;
    struct work_matrix m[WORK_MAX_MATRICES];
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
    /* Decode attention where it differs from prefill (MLA: prefill runs
     * in MHA form, decode absorbed over the latent); else equal to the
     * prefill fields. */
    double attn_flops_per_pair_full_decode;
    uint32_t head_dim_full_decode;
    /* MLA with chunked prefill: every step re-gathers a prefilling
     * request's cached latents and re-runs kv_b_proj over them
     * (MLACommonImpl._compute_prefill_context): FLOPs and bytes per
     * cached context token, summed over layers. 0 for other models. */
    double mla_ctx_flops_per_token;
    double mla_ctx_bytes_per_token;

    /* Element-wise kernels between the GEMMs (fused residual-add + norm,
     * activation-and-mul, rotary, KV-cache writes, MoE token permutes):
     * bytes each token moves through DRAM per step, summed over layers.
     * They run whatever the GEMMs' precision, so a faster GEMM does not
     * make them faster. */
    double elementwise_bytes_per_token;

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
    double attn_pairs_full_decode; /* the part of attn_pairs_full from decoding requests */
    double prefill_ctx_tokens;   /* Σ cached context of requests prefilling a later chunk */
    double state_writes;         /* recurrent states written: 1 per request, 1 + k when verifying k drafts */
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
    if (decode)
        s->attn_pairs_full_decode += n * c + n * (n + 1.0) / 2.0;
    else
        s->prefill_ctx_tokens += c;
    /* A prompt chunk keeps its final recurrent state; verifying drafts
     * keeps one per position, so a rejection can roll back
     * (GDNAttentionMetadata.spec_state_indices_tensor, one slot per draft
     * position, vllm/v1/attention/backends/gdn_attn.py). */
    s->state_writes += decode ? n : 1.0;
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

/* A kernel family as vLLM's --linear-backend and --moe-backend name it. */
enum kernel_backend {
    KBACKEND_DEFAULT,  /* "auto": vLLM's own choice (model/kernel_path.c) */
    KBACKEND_MARLIN,   /* "marlin" */
    KBACKEND_CUTLASS,  /* "cutlass", "vllm_cutlass", "flashinfer_cutlass", "flashinfer_*", ... */
    KBACKEND_TRITON,   /* "triton", "triton_kernels" */
};

/* What decides the kernel paths besides the checkpoint. */
struct kernel_backends {
    enum kernel_backend linear;  /* dense linears (--linear-backend) */
    enum kernel_backend moe;     /* routed experts (--moe-backend) */
    bool fp8_marlin;             /* VLLM_TEST_FORCE_FP8_MARLIN=1: FP8 linears and experts through Marlin */
    bool sm120_fp4_kernels;      /* the vLLM build has its SM120 NVFP4 kernels (ENABLE_NVFP4_SM120) */
};

/* Parse a backend name ("auto", "marlin", "cutlass", "flashinfer_cutlass",
 * "triton", ...; NULL or "" = auto). `flag` names the option in errors;
 * a backend that does not run on SM 12.x (deep_gemm, machete, aiter,
 * flashinfer_trtllm) is an error that says so. */
int kernel_backend_parse(const char *s, const char *flag, enum kernel_backend *out,
                         struct cs_err *err);

#endif /* CAPSIM_MODEL_WORK_H */
