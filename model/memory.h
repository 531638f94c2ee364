/*
 * memory.h - vLLM's memory accounting on one machine
 * (gpu_worker.determine_available_memory, kv_cache_utils; see
 * ../shared/research/serving-semantics.md §1.4-1.7): the KV budget from
 * --gpu-memory-utilization x the memory CUDA reports, less weights,
 * activation peak, non-torch memory and the CUDA-graph estimate; the block
 * size (forced up for hybrid models); the KV layout; and the lines vLLM
 * logs: "GPU KV cache size: N tokens", "Maximum concurrency for L tokens
 * per request: X".
 *
 * Ownership: plain data.
 */
#ifndef CAPSIM_MODEL_MEMORY_H
#define CAPSIM_MODEL_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "model/kv_layout.h"
#include "model/model.h"
#include "profile/profile.h"

struct memory_args {
    enum dtype weights;
    enum kv_dtype kv;
    double gpu_memory_utilization;      /* vLLM default 0.9 */
    uint32_t max_model_len;             /* 0 = model's max_position_embeddings */
    uint32_t max_num_batched_tokens;    /* sizes the activation peak */
    uint32_t max_num_seqs;
    uint32_t block_size;                /* 0 = vLLM's rule */
    uint32_t num_speculative_tokens;    /* > 0: the drafter's weights and KV layers load too */
    enum spec_method spec_method;       /* which drafter (default SPEC_MTP) */
    bool language_model_only;
    int64_t num_gpu_blocks_override;    /* 0 = computed */
    bool mamba_cache_fp32;              /* --mamba-ssm-cache-dtype float32: conv state fp32 too */
};

struct memory_report {
    double total_bytes;          /* what CUDA reports (profile) */
    double requested_bytes;      /* utilization x total */
    double weights_bytes;
    double activation_bytes;
    double non_torch_bytes;
    double cudagraph_bytes;
    double kv_cache_bytes;       /* available for KV */
    struct kv_layout layout;
    int64_t kv_cache_tokens;     /* "GPU KV cache size: N tokens" */
    uint32_t max_model_len;
    bool max_model_len_assumed;  /* the model gives no maximum and no --max-model-len: vLLM's 2048 */
    double max_concurrency;      /* for max_model_len tokens per request */
};

/* vLLM's max_model_len when config.json names no maximum length and the
 * user gives none (ModelConfig._get_and_verify_max_len: "Assuming the
 * model's maximum length is 2048"). */
#define MEMORY_DEFAULT_MAX_MODEL_LEN 2048u

int memory_account(const struct model *m, const struct memory_args *a,
                   const struct profile *p, struct memory_report *out, struct cs_err *err);

/* Requests of `tokens` tokens each that fit in the pool at once. */
double memory_max_concurrency(const struct memory_report *r, int64_t tokens);

#endif /* CAPSIM_MODEL_MEMORY_H */
