/*
 * kv_layout.h - how vLLM's paged KV cache is laid out for one model and
 * server configuration: the block size and the number of blocks in the
 * shared pool, and how many blocks a request of a given length holds.
 * Filled by the model module's memory accounting (model/memory.h) and
 * consumed by the engine (sim/kv_cache.h).
 *
 * vLLM's hybrid allocator (../shared/research/serving-semantics.md §1.7):
 * layers are grouped by kind into groups of equal size sharing one block
 * pool; a block is one page in every layer of a group. A request holds
 *   n_full_groups  x ceil(tokens / block_size)                      (full attention)
 * + n_swa_groups   x min(ceil(tokens / block_size),
 *                        ceil((window - 1 + new_tokens) / block_size) + 1)   (sliding)
 * + n_state_groups x 1                                              (Mamba/GDN/conv)
 *
 * Ownership: plain data.
 */
#ifndef CAPSIM_MODEL_KV_LAYOUT_H
#define CAPSIM_MODEL_KV_LAYOUT_H

#include <stdint.h>

struct kv_layout {
    uint32_t block_size;       /* tokens per block (16 by default; forced up for hybrids) */
    int64_t n_blocks;          /* blocks in the pool (vLLM's num_gpu_blocks) */
    uint32_t n_full_groups;
    uint32_t n_swa_groups;
    uint32_t swa_window;       /* tokens; 0 if no sliding groups */
    uint32_t n_state_groups;
};

/* Blocks a request holds with `tokens` tokens in its cache, having
 * scheduled `new_tokens` of them in the current step (sliding groups keep
 * the window plus the step's tokens). */
static inline int64_t kv_layout_blocks_for(const struct kv_layout *l, int64_t tokens,
                                           int64_t new_tokens)
{
    int64_t bs = l->block_size;
    int64_t full = (tokens + bs - 1) / bs;
    int64_t total = (int64_t)l->n_full_groups * full;
    if (l->n_swa_groups) {
        int64_t win = ((int64_t)l->swa_window - 1 + new_tokens + bs - 1) / bs + 1;
        total += (int64_t)l->n_swa_groups * (full < win ? full : win);
    }
    total += l->n_state_groups;
    return total;
}

#endif /* CAPSIM_MODEL_KV_LAYOUT_H */
