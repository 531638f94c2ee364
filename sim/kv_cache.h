/*
 * kv_cache.h - the paged KV cache as vLLM's block pool sees it: a fixed
 * number of blocks shared by all layer groups (model/kv_layout.h), handed
 * to requests as their cached tokens grow and returned when they finish
 * or are preempted. Only counts are kept; which block ids a request holds
 * does not change any timing.
 *
 * Invariant: n_free + blocks held by all requests == n_blocks, always.
 *
 * Ownership: kv_cache_new() returns a cache to free with kv_cache_free().
 * The cache does not know requests: callers keep each request's held
 * count (an int64_t they own) and pass it in.
 */
#ifndef CAPSIM_SIM_KV_CACHE_H
#define CAPSIM_SIM_KV_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "model/kv_layout.h"

struct kv_cache;

/* Life cycle */
struct kv_cache *kv_cache_new(const struct kv_layout *layout);
void kv_cache_free(struct kv_cache *kv);

/* Queries */
int64_t kv_cache_n_blocks(const struct kv_cache *kv);
int64_t kv_cache_n_free(const struct kv_cache *kv);
/* Blocks a request needs to hold `tokens` tokens, `new_tokens` of them
 * scheduled this step. */
int64_t kv_cache_blocks_for(const struct kv_cache *kv, int64_t tokens, int64_t new_tokens);

/* Changes */
/* Grow (or, for sliding windows, shrink) *held to cover `tokens` tokens.
 * Returns true on success; false, with nothing changed, if too few blocks
 * are free (vLLM's allocate_slots returning None). */
bool kv_cache_alloc_blocks(struct kv_cache *kv, int64_t *held, int64_t tokens,
                           int64_t new_tokens);
/* Return all of *held to the pool and set it to 0. */
void kv_cache_release(struct kv_cache *kv, int64_t *held);

#endif /* CAPSIM_SIM_KV_CACHE_H */
