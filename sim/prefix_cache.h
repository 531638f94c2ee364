/*
 * prefix_cache.h - vLLM v1's automatic prefix caching: the block pool with
 * block ids, reference counts, a hash -> block table and the LRU free
 * queue, and the per-request block tables of each KV-cache group kind.
 * Rules follow vllm/v1/core/ (public source; the files and functions are
 * named at each rule in prefix_cache.c):
 *
 *  - Only full blocks are hashed, as a chain: hash(i) = H(hash(i-1),
 *    tokens of block i) (kv_cache_utils.py hash_block_tokens). capsim has
 *    no token ids: a request's tokens are a list of segments (content id,
 *    length) and a token is (its segment's content id, its offset in the
 *    segment), so requests that start with the same segments share block
 *    hashes. Output tokens are one more segment (out_content).
 *  - At admission the longest cached prefix is found, at most
 *    num_tokens - 1 tokens (the last token is always recomputed, so a full
 *    hit still computes a block's tail) (kv_cache_manager.py
 *    get_computed_blocks).
 *  - Hit blocks are shared by reference count; a block whose count drops
 *    to 0 keeps its hash and goes to the tail of the free queue; a new block
 *    is taken from the head, evicting the hash it held (block_pool.py
 *    get_new_blocks, free_blocks, touch). A request frees its blocks tail
 *    first (reverse order), so a prefix outlives its suffix.
 *  - Three kinds of group (a "lane" each; a lane's block stands for one
 *    block in each of its `weight` groups, which vLLM always allocates,
 *    hits and frees together):
 *      PC_FULL  full attention: hits are a prefix of cached blocks;
 *      PC_SWA   sliding window: only the last cdiv(window-1, B) blocks
 *               before the hit point must be cached; blocks that slide out
 *               of the window are freed (and stay cached);
 *      PC_STATE Mamba/GDN/conv state, vLLM's mamba_cache_mode "align":
 *               a state is kept only at block boundaries where a step
 *               ended (the scheduler cuts prefill chunks at block
 *               multiples, pc_align_split), so a hit stops at the last
 *               cached state at or before the other groups' hit.
 *    With several kinds the hit length is reconciled by vLLM's fixed point
 *    (kv_cache_coordinator.py HybridKVCacheCoordinator).
 *
 * Speed: blocks whose tokens include content unique to their request
 * ("private": a unique prompt, a reply nobody re-sends) can only be hit by
 * that request after a preemption. They are counted, not given a block
 * id, while held; a finished request returns them to the free queue as
 * one run; a preempted one gets them hashed, as vLLM keeps them. The LRU
 * order and every count are the same as with one id per block.
 *
 * Ownership: pc_new() returns a cache you free with pc_free(). Each
 * request's state is a struct pc_req the caller owns (one per request
 * slot, reused); pc_req_release() frees its arrays. Segments are copied.
 *
 * Invariants (pc_check): free blocks (never used + evictable) + blocks
 * referenced by requests == the pool; a block in the free queue has
 * reference count 0; every hashed block is in the hash table once.
 */
#ifndef CAPSIM_SIM_PREFIX_CACHE_H
#define CAPSIM_SIM_PREFIX_CACHE_H

#include <stdbool.h>
#include <stdint.h>

enum pc_lane { PC_FULL, PC_SWA, PC_STATE, PC_LANES };

/* `len` tokens whose content is `content` (same id, same tokens). */
struct pc_segment {
    uint64_t content;
    uint32_t len;
};

struct pc_config {
    uint32_t block_size;
    int64_t n_blocks;               /* physical blocks in the pool */
    uint32_t weight[PC_LANES];      /* KV-cache groups of each kind (0: none) */
    uint32_t swa_window;            /* tokens */
    bool drop_last_block;           /* an EAGLE/MTP drafter: vLLM's use_eagle */
};

/* One request's view of the cache. Zero-initialise, then pc_req_reset(). */
struct pc_req {
    int32_t *blk[PC_LANES];         /* block table per lane; -1 = null block,
                                     * -2 = a private block (below) */
    uint32_t n_blk[PC_LANES], cap_blk[PC_LANES];
    uint32_t n_cached[PC_LANES];    /* leading entries already hashed */
    int32_t state_prev;             /* align: previous state block index, -1 */
    bool state_allocated;
    uint64_t *hash;                 /* hashes of the full blocks known so far */
    uint32_t n_hash, cap_hash;
    struct pc_segment *seg;         /* prompt segments, then the output */
    uint32_t n_seg, cap_seg;
    uint32_t cur_seg;               /* hashing cursor: segment and its start */
    uint64_t cur_start;
    uint64_t private_tok;           /* first token of content unique to it */
    bool converted;                 /* its private blocks were hashed (preempted) */
};

struct prefix_cache;

/* Life cycle */
struct prefix_cache *pc_new(const struct pc_config *cfg);
void pc_free(struct prefix_cache *pc);

/* Set a request's content: the prompt's segments (their lengths may add up
 * to less than n_prompt: the rest is unique to this request, as is a
 * 0 out_content). `unique` must differ between requests. */
void pc_req_reset(struct pc_req *q, const struct pc_segment *seg, uint32_t n_seg,
                  uint32_t n_prompt, uint64_t out_content, uint64_t unique);
void pc_req_release(struct pc_req *q);
/* Blocks of any lane the request holds (0 when it holds none). */
bool pc_req_holds_blocks(const struct pc_req *q);

/* A step starts (vLLM new_step_starts: Mamba may not use a state cached
 * in the step being scheduled). */
void pc_new_step(struct prefix_cache *pc);

/* The longest cached prefix of a request with num_tokens tokens, in
 * tokens (a multiple of the block size, < num_tokens). The blocks found
 * are kept for the pc_allocate() that follows. */
int64_t pc_lookup(struct prefix_cache *pc, struct pc_req *q, int64_t num_tokens);

/* vLLM's allocate_slots(): give the request slots for n_new tokens after
 * num_computed (+ hit, the pc_lookup() result for a waiting request, else
 * 0), and hash the blocks that become full, up to num_tokens known
 * tokens. False, with nothing allocated, if too few blocks are free. */
bool pc_allocate(struct prefix_cache *pc, struct pc_req *q, int64_t num_computed, int64_t hit,
                 int64_t n_new, int64_t num_tokens);

/* Return all of the request's blocks. A preempted request (`preempted`)
 * keeps its blocks findable by hash for when it resumes; a finished one's
 * private blocks can never be hit again. */
void pc_release(struct prefix_cache *pc, struct pc_req *q, bool preempted);

/* Mamba "align" mode: cut a prefill chunk so it ends on a block boundary
 * (vLLM Scheduler._mamba_block_aligned_split). Identity without state
 * groups. May return 0 (nothing schedulable this step). */
int64_t pc_align_split(const struct prefix_cache *pc, int64_t num_computed, int64_t n_new,
                       int64_t num_prompt, int64_t num_tokens);

/* Queries */
int64_t pc_n_free(const struct prefix_cache *pc);       /* incl. cached evictable */
int64_t pc_n_cached(const struct prefix_cache *pc);     /* blocks holding a hash */
/* Walk every block and assert the invariants (tests). */
void pc_check(const struct prefix_cache *pc);

#endif /* CAPSIM_SIM_PREFIX_CACHE_H */
