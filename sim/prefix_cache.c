/*
 * prefix_cache.c - vLLM v1's prefix cache (see prefix_cache.h). Read at
 * the public vllm-project/vllm source: vllm/v1/core/kv_cache_manager.py,
 * block_pool.py, kv_cache_utils.py, single_type_kv_cache_manager.py,
 * kv_cache_coordinator.py, sched/scheduler.py.
 *
 * Pool accounting: a lane block weighs `weight[lane]` physical blocks (one
 * per group of that kind). The free queue holds lane blocks in LRU order;
 * physical blocks never used yet ("virgin", at the queue's head when the
 * engine starts, as vLLM's initial free list) are counted, not queued, and
 * so are the spare physical blocks left when an evicted block weighed more
 * than the new one needed ("loose", at the head too).
 */
#include "sim/prefix_cache.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/xalloc.h"

struct node {
    uint64_t key;        /* hash salted by lane; 0 = not cached */
    uint32_t phys;       /* physical blocks it stands for */
    int32_t prev, next;  /* free queue links (next: also the node free list) */
    int32_t hnext;       /* hash chain */
    int32_t ref;
    uint32_t step;       /* step in which it was hashed */
    uint8_t lane;
    uint8_t queued;
    uint8_t plain;       /* a run of private blocks returned by a finished request */
};

struct prefix_cache {
    struct pc_config cfg;
    struct node *nodes;
    size_t n_nodes, cap_nodes;
    int32_t node_free;           /* recycled node structs */
    int32_t head, tail;          /* free queue: evict at head, append at tail */
    int64_t n_virgin, n_loose, q_weight;
    int64_t n_private_held;      /* physical blocks held as private blocks */
    int32_t *bucket;
    uint32_t n_bucket;           /* power of two */
    int64_t n_hashed;
    uint32_t step;
    /* the last pc_lookup()'s hit blocks per lane */
    int32_t *hit[PC_LANES];
    uint32_t n_hit[PC_LANES], cap_hit[PC_LANES];
};

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* kv_cache_utils.py NONE_HASH: the parent of the first block. */
#define PC_NONE_HASH 0x6a09e667f3bcc908ULL

static uint64_t lane_key(uint64_t hash, int lane)
{
    uint64_t k = mix64(hash ^ (0x51ed270b27a4b3c1ULL * (uint64_t)(lane + 1)));
    return k ? k : 1;
}

/* ---------------------------------------------------------------- life cycle */

struct prefix_cache *pc_new(const struct pc_config *cfg)
{
    CS_ASSERT(cfg->block_size > 0 && cfg->n_blocks >= 0);
    struct prefix_cache *pc = xcalloc(1, sizeof *pc);
    pc->cfg = *cfg;
    pc->node_free = pc->head = pc->tail = -1;
    pc->n_virgin = cfg->n_blocks;
    pc->n_bucket = 1024;
    pc->bucket = xmalloc(pc->n_bucket * sizeof *pc->bucket);
    memset(pc->bucket, 0xff, pc->n_bucket * sizeof *pc->bucket);
    return pc;
}

void pc_free(struct prefix_cache *pc)
{
    if (!pc)
        return;
    free(pc->nodes);
    free(pc->bucket);
    for (int l = 0; l < PC_LANES; l++)
        free(pc->hit[l]);
    free(pc);
}

void pc_req_reset(struct pc_req *q, const struct pc_segment *seg, uint32_t n_seg,
                  uint32_t n_prompt, uint64_t out_content, uint64_t unique)
{
    for (int l = 0; l < PC_LANES; l++)
        q->n_blk[l] = q->n_cached[l] = 0;
    q->state_prev = -1;
    q->state_allocated = false;
    q->n_hash = 0;
    q->n_seg = 0;
    q->cur_seg = 0;
    q->cur_start = 0;
    size_t cap = q->cap_seg;
    xgrow((void **)&q->seg, &cap, (size_t)n_seg + 2, sizeof *q->seg);
    q->cap_seg = (uint32_t)cap;
    q->converted = false;
    uint32_t left = n_prompt;
    for (uint32_t i = 0; i < n_seg && left > 0; i++) {
        uint32_t len = seg[i].len < left ? seg[i].len : left;
        if (len == 0)
            continue;
        q->seg[q->n_seg++] = (struct pc_segment){ seg[i].content, len };
        left -= len;
    }
    q->private_tok = out_content ? UINT64_MAX : n_prompt;
    if (left > 0) {
        q->private_tok = n_prompt - left;
        q->seg[q->n_seg++] = (struct pc_segment){ mix64(unique), left };
    }
    /* the output runs on without end */
    q->seg[q->n_seg++] = (struct pc_segment){ out_content ? out_content : mix64(~unique),
                                              UINT32_MAX };
}

void pc_req_release(struct pc_req *q)
{
    for (int l = 0; l < PC_LANES; l++)
        free(q->blk[l]);
    free(q->hash);
    free(q->seg);
    memset(q, 0, sizeof *q);
}

bool pc_req_holds_blocks(const struct pc_req *q)
{
    for (int l = 0; l < PC_LANES; l++)
        for (uint32_t i = 0; i < q->n_blk[l]; i++)
            if (q->blk[l][i] != -1)
                return true;
    return false;
}

void pc_new_step(struct prefix_cache *pc)
{
    pc->step++;
}

/* ---------------------------------------------------------------- hashing */

/* kv_cache_utils.py hash_block_tokens / the request block hasher: block i
 * hashes its parent's hash with its tokens, here its (content, offset,
 * length) pieces. Hashes are computed once per request, in order. */
static void ensure_hashes(struct pc_req *q, uint32_t n_blocks, uint32_t bs)
{
    if (n_blocks <= q->n_hash)
        return;
    size_t cap = q->cap_hash;
    xgrow((void **)&q->hash, &cap, n_blocks, sizeof *q->hash);
    q->cap_hash = (uint32_t)cap;
    for (uint32_t i = q->n_hash; i < n_blocks; i++) {
        uint64_t pos = (uint64_t)i * bs, end = pos + bs;
        uint64_t h = mix64((i ? q->hash[i - 1] : PC_NONE_HASH) ^ 0x2545f4914f6cdd1dULL);
        while (pos < end) {
            const struct pc_segment *sg = &q->seg[q->cur_seg];
            uint64_t seg_end = q->cur_start + sg->len;
            uint64_t piece_end = seg_end < end ? seg_end : end;
            h = mix64(h ^ sg->content);
            h = mix64(h ^ (pos - q->cur_start));
            h = mix64(h ^ (piece_end - pos));
            pos = piece_end;
            if (pos == seg_end && q->cur_seg + 1 < q->n_seg) {
                q->cur_start = seg_end;
                q->cur_seg++;
            }
        }
        q->hash[i] = h;
    }
    q->n_hash = n_blocks;
}

/* ---------------------------------------------------------------- hash table */

static void table_insert(struct prefix_cache *pc, int32_t id)
{
    if ((uint64_t)pc->n_hashed + 1 > pc->n_bucket) {
        free(pc->bucket);
        pc->n_bucket *= 2;
        pc->bucket = xmalloc(pc->n_bucket * sizeof *pc->bucket);
        memset(pc->bucket, 0xff, pc->n_bucket * sizeof *pc->bucket);
        for (size_t i = 0; i < pc->n_nodes; i++) {
            struct node *n = &pc->nodes[i];
            if (n->key && n->ref >= 0 && (int32_t)i != id) { /* id: inserted below */
                uint32_t b = (uint32_t)n->key & (pc->n_bucket - 1);
                n->hnext = pc->bucket[b];
                pc->bucket[b] = (int32_t)i;
            }
        }
    }
    struct node *n = &pc->nodes[id];
    uint32_t b = (uint32_t)n->key & (pc->n_bucket - 1);
    n->hnext = pc->bucket[b];
    pc->bucket[b] = id;
    pc->n_hashed++;
}

static void table_remove(struct prefix_cache *pc, int32_t id)
{
    struct node *n = &pc->nodes[id];
    int32_t *p = &pc->bucket[(uint32_t)n->key & (pc->n_bucket - 1)];
    while (*p != id) {
        CS_ASSERT(*p >= 0);
        p = &pc->nodes[*p].hnext;
    }
    *p = n->hnext;
    n->key = 0;
    pc->n_hashed--;
}

/* block_pool.py get_cached_block: any block holding this hash in `lane`. */
static int32_t table_find(const struct prefix_cache *pc, uint64_t hash, int lane)
{
    uint64_t key = lane_key(hash, lane);
    for (int32_t id = pc->bucket[(uint32_t)key & (pc->n_bucket - 1)]; id >= 0;
         id = pc->nodes[id].hnext)
        if (pc->nodes[id].key == key)
            return id;
    return -1;
}

/* ---------------------------------------------------------------- free queue */

static void queue_unlink(struct prefix_cache *pc, int32_t id)
{
    struct node *n = &pc->nodes[id];
    if (n->prev >= 0)
        pc->nodes[n->prev].next = n->next;
    else
        pc->head = n->next;
    if (n->next >= 0)
        pc->nodes[n->next].prev = n->prev;
    else
        pc->tail = n->prev;
    n->queued = 0;
    pc->q_weight -= n->phys;
}

static void queue_append(struct prefix_cache *pc, int32_t id)
{
    struct node *n = &pc->nodes[id];
    n->prev = pc->tail;
    n->next = -1;
    if (pc->tail >= 0)
        pc->nodes[pc->tail].next = id;
    else
        pc->head = id;
    pc->tail = id;
    n->queued = 1;
    pc->q_weight += n->phys;
}

static int32_t node_struct(struct prefix_cache *pc)
{
    int32_t id = pc->node_free;
    if (id >= 0) {
        pc->node_free = pc->nodes[id].next;
    } else {
        xgrow((void **)&pc->nodes, &pc->cap_nodes, pc->n_nodes + 1, sizeof *pc->nodes);
        id = (int32_t)pc->n_nodes++;
    }
    return id;
}

/* Private blocks back in the free queue: one run (merged with a run
 * already at the tail), in the place vLLM's blocks would take. */
static void append_plain(struct prefix_cache *pc, int64_t phys)
{
    if (phys <= 0)
        return;
    if (pc->tail >= 0 && pc->nodes[pc->tail].plain) {
        pc->nodes[pc->tail].phys += (uint32_t)phys;
        pc->q_weight += phys;
        return;
    }
    int32_t id = node_struct(pc);
    pc->nodes[id] = (struct node){ .phys = (uint32_t)phys, .prev = -1, .next = -1, .hnext = -1,
                                   .plain = 1 };
    queue_append(pc, id);
}

/* block_pool.py get_new_blocks: physical blocks come off the free queue's
 * head; a cached block there loses its hash (_maybe_evict_cached_block). */
static void take_physical(struct prefix_cache *pc, int64_t k)
{
    while (pc->n_virgin + pc->n_loose < k) {
        int32_t id = pc->head;
        CS_ASSERT(id >= 0);
        queue_unlink(pc, id);
        struct node *ev = &pc->nodes[id];
        if (ev->key)
            table_remove(pc, id);
        pc->n_loose += ev->phys;
        ev->ref = -1; /* a recycled struct, not a block */
        ev->next = pc->node_free;
        pc->node_free = id;
    }
    int64_t from_virgin = pc->n_virgin < k ? pc->n_virgin : k;
    pc->n_virgin -= from_virgin;
    pc->n_loose -= k - from_virgin;
}

/* A block with an id (one that may be shared) for `lane`. */
static int32_t node_new(struct prefix_cache *pc, int lane)
{
    take_physical(pc, pc->cfg.weight[lane]);
    int32_t id = node_struct(pc);
    pc->nodes[id] = (struct node){ .phys = pc->cfg.weight[lane], .prev = -1, .next = -1,
                                   .hnext = -1, .ref = 1, .lane = (uint8_t)lane };
    return id;
}

/* block_pool.py touch: a hit block gains a reference; one with none
 * leaves the free queue (it is no longer an eviction candidate). */
static void node_touch(struct prefix_cache *pc, int32_t id)
{
    struct node *n = &pc->nodes[id];
    if (n->ref == 0)
        queue_unlink(pc, id);
    n->ref++;
}

/* block_pool.py free_blocks: a block nobody references goes to the tail,
 * keeping its hash until it is reused. */
static void node_unref(struct prefix_cache *pc, int32_t id)
{
    struct node *n = &pc->nodes[id];
    CS_ASSERT(n->ref > 0);
    if (--n->ref == 0)
        queue_append(pc, id);
}

static void lane_push(struct pc_req *q, int lane, int32_t id)
{
    if (q->n_blk[lane] == q->cap_blk[lane]) {
        size_t cap = q->cap_blk[lane];
        xgrow((void **)&q->blk[lane], &cap, (size_t)q->n_blk[lane] + 1, sizeof(int32_t));
        q->cap_blk[lane] = (uint32_t)cap;
    }
    q->blk[lane][q->n_blk[lane]++] = id;
}

static void hit_push(struct prefix_cache *pc, int lane, int32_t id)
{
    if (pc->n_hit[lane] == pc->cap_hit[lane]) {
        size_t cap = pc->cap_hit[lane];
        xgrow((void **)&pc->hit[lane], &cap, (size_t)pc->n_hit[lane] + 1, sizeof(int32_t));
        pc->cap_hit[lane] = (uint32_t)cap;
    }
    pc->hit[lane][pc->n_hit[lane]++] = id;
}

/* ---------------------------------------------------------------- lookup */

static int64_t cdiv(int64_t a, int64_t b)
{
    return (a + b - 1) / b;
}

/* single_type_kv_cache_manager.py FullAttentionManager.find_longest_cache_hit:
 * left to right, stop at the first miss (the chain makes later ones misses
 * too); an EAGLE drafter drops the last hit block. */
static int64_t find_full(struct prefix_cache *pc, struct pc_req *q, int64_t max_len)
{
    uint32_t bs = pc->cfg.block_size;
    pc->n_hit[PC_FULL] = 0;
    int64_t n = max_len / bs;
    for (int64_t i = 0; i < n; i++) {
        int32_t id = table_find(pc, q->hash[i], PC_FULL);
        if (id < 0)
            break;
        hit_push(pc, PC_FULL, id);
    }
    if (pc->cfg.drop_last_block && pc->n_hit[PC_FULL] > 0)
        pc->n_hit[PC_FULL]--;
    return (int64_t)pc->n_hit[PC_FULL] * bs;
}

/* SlidingWindowManager.find_longest_cache_hit: right to left, the first
 * run of cdiv(window - 1, B) cached blocks (one more with EAGLE, then
 * dropped) ends the hit; blocks before it are null. A run reaching block
 * 0 is a hit even if shorter. */
static int64_t find_swa(struct prefix_cache *pc, struct pc_req *q, int64_t max_len)
{
    uint32_t bs = pc->cfg.block_size;
    int64_t need = cdiv((int64_t)pc->cfg.swa_window - 1, bs);
    if (pc->cfg.drop_last_block)
        need++;
    int64_t n = max_len / bs, run = 0, end = -1;
    for (int64_t i = n - 1; i >= 0; i--) {
        if (table_find(pc, q->hash[i], PC_SWA) >= 0) {
            if (++run >= need) {
                end = i + run; /* blocks [i, i + run) */
                break;
            }
        } else {
            run = 0;
        }
    }
    if (end < 0)
        end = run; /* the leading run, from block 0 */
    pc->n_hit[PC_SWA] = 0;
    int64_t start = end - run;
    for (int64_t i = 0; i < end; i++)
        hit_push(pc, PC_SWA, i < start ? -1 : table_find(pc, q->hash[i], PC_SWA));
    if (pc->cfg.drop_last_block && pc->n_hit[PC_SWA] > 0)
        pc->n_hit[PC_SWA]--;
    return (int64_t)pc->n_hit[PC_SWA] * bs;
}

/* MambaManager.find_longest_cache_hit (mamba_cache_mode "align"): right
 * to left, the last block boundary whose state is cached; no EAGLE drop
 * (draft models have no Mamba layers). */
static int64_t find_state(struct prefix_cache *pc, struct pc_req *q, int64_t max_len)
{
    uint32_t bs = pc->cfg.block_size;
    pc->n_hit[PC_STATE] = 0;
    for (int64_t i = max_len / bs - 1; i >= 0; i--) {
        int32_t id = table_find(pc, q->hash[i], PC_STATE);
        if (id >= 0) {
            for (int64_t k = 0; k < i; k++)
                hit_push(pc, PC_STATE, -1);
            hit_push(pc, PC_STATE, id);
            break;
        }
    }
    return (int64_t)pc->n_hit[PC_STATE] * bs;
}

int64_t pc_lookup(struct prefix_cache *pc, struct pc_req *q, int64_t num_tokens)
{
    uint32_t bs = pc->cfg.block_size;
    for (int l = 0; l < PC_LANES; l++)
        pc->n_hit[l] = 0;
    /* kv_cache_manager.py get_computed_blocks: max_cache_hit_length =
     * num_tokens - 1, so the last token is always computed (for its logits). */
    int64_t max_len = num_tokens - 1;
    if (max_len < (int64_t)bs)
        return 0;
    /* blocks past the request's first unique token can only be its own,
     * cached when it was preempted */
    if (!q->converted && (uint64_t)max_len > q->private_tok / bs * bs)
        max_len = (int64_t)(q->private_tok / bs * bs);
    if (max_len < (int64_t)bs)
        return 0;
    ensure_hashes(q, (uint32_t)(max_len / bs), bs);
    const struct pc_config *c = &pc->cfg;
    /* kv_cache_coordinator.py HybridKVCacheCoordinator.find_longest_cache_hit:
     * full attention first (its hit only shrinks afterwards), then each other
     * kind either accepts the length or cuts it; repeat until no kind cuts
     * (one pass for "full + one other kind"). */
    int n_kinds = (c->weight[PC_FULL] > 0) + (c->weight[PC_SWA] > 0) + (c->weight[PC_STATE] > 0);
    bool simple = n_kinds == 2 && c->weight[PC_FULL] > 0;
    int64_t hit = max_len, full_hit = -1;
    for (;;) {
        int64_t cur = hit;
        if (c->weight[PC_FULL]) {
            if (full_hit < 0)
                full_hit = find_full(pc, q, cur);
            cur = cur < full_hit ? cur : full_hit;
        }
        if (c->weight[PC_SWA])
            cur = find_swa(pc, q, cur);
        if (c->weight[PC_STATE])
            cur = find_state(pc, q, cur);
        if (cur >= hit)
            break;
        hit = cur;
        if (simple)
            break;
    }
    if (hit > max_len)
        hit = 0; /* no kind at all */
    hit = hit / bs * bs;
    /* every kind's blocks cut to the reconciled length */
    for (int l = 0; l < PC_LANES; l++)
        if (c->weight[l] && pc->n_hit[l] > hit / bs)
            pc->n_hit[l] = (uint32_t)(hit / bs);
    /* the fixed point ends on a state the hit can resume from */
    CS_ASSERT(!c->weight[PC_STATE] || hit == 0 ||
              (pc->n_hit[PC_STATE] == hit / bs && pc->hit[PC_STATE][hit / bs - 1] >= 0));
    return hit;
}

/* ---------------------------------------------------------------- allocation */

static void free_block_at(struct prefix_cache *pc, struct pc_req *q, int lane, uint32_t i)
{
    int32_t id = q->blk[lane][i];
    if (id >= 0) {
        node_unref(pc, id);
    } else if (id == -2) {
        pc->n_private_held -= pc->cfg.weight[lane];
        append_plain(pc, pc->cfg.weight[lane]);
    }
    q->blk[lane][i] = -1;
}

/* remove_skipped_blocks: blocks no later token will read are freed (and
 * stay cached). Sliding window: those before the window
 * (SlidingWindowManager.get_num_skipped_tokens); state: all but the
 * current state, plus the previous one (MambaManager, align mode). */
static void remove_skipped(struct prefix_cache *pc, struct pc_req *q, int64_t computed)
{
    uint32_t bs = pc->cfg.block_size;
    if (pc->cfg.weight[PC_SWA]) {
        int64_t skipped = computed - (int64_t)pc->cfg.swa_window + 1;
        int64_t nb = skipped > 0 ? skipped / bs : 0;
        if (nb > q->n_blk[PC_SWA])
            nb = q->n_blk[PC_SWA];
        for (int64_t i = nb - 1; i >= 0 && q->blk[PC_SWA][i] != -1; i--)
            free_block_at(pc, q, PC_SWA, (uint32_t)i);
    }
    if (pc->cfg.weight[PC_STATE]) {
        int64_t nb = computed > 1 ? (computed - 1) / bs : 0;
        if (nb > q->n_blk[PC_STATE])
            nb = q->n_blk[PC_STATE];
        for (int64_t i = nb - 1; i >= 0 && q->blk[PC_STATE][i] != -1; i--)
            free_block_at(pc, q, PC_STATE, (uint32_t)i);
        if (q->state_prev >= 0 && q->state_prev < cdiv(computed, bs) - 1 &&
            (uint32_t)q->state_prev < q->n_blk[PC_STATE])
            free_block_at(pc, q, PC_STATE, (uint32_t)q->state_prev);
    }
}

/* cache_blocks / block_pool.py cache_full_blocks: blocks that became full
 * get their hash (null blocks are skipped). */
static void cache_full(struct prefix_cache *pc, struct pc_req *q, int64_t tokens)
{
    uint32_t bs = pc->cfg.block_size;
    uint32_t full = (uint32_t)(tokens / bs);
    uint64_t shareable = q->private_tok / bs;
    ensure_hashes(q, full < shareable ? full : (uint32_t)shareable, bs);
    for (int l = 0; l < PC_LANES; l++) {
        if (!pc->cfg.weight[l])
            continue;
        uint32_t upto = full < q->n_blk[l] ? full : q->n_blk[l];
        for (uint32_t i = q->n_cached[l]; i < upto; i++) {
            int32_t id = q->blk[l][i];
            if (id < 0 || pc->nodes[id].key)
                continue; /* null, private, or a hit */
            pc->nodes[id].key = lane_key(q->hash[i], l);
            pc->nodes[id].step = pc->step;
            table_insert(pc, id);
        }
        if (upto > q->n_cached[l])
            q->n_cached[l] = upto;
    }
}

/* k new blocks at the end of a lane: shareable ones get an id, private
 * ones are taken in one go. */
static void new_blocks(struct prefix_cache *pc, struct pc_req *q, int lane, int64_t k)
{
    int64_t first_private = (int64_t)(q->private_tok / pc->cfg.block_size);
    int64_t i = q->n_blk[lane], end = i + k;
    for (; i < end && i < first_private; i++)
        lane_push(q, lane, node_new(pc, lane));
    if (i < end) {
        int64_t phys = (end - i) * pc->cfg.weight[lane];
        take_physical(pc, phys);
        pc->n_private_held += phys;
        for (; i < end; i++)
            lane_push(q, lane, -2);
    }
}

bool pc_allocate(struct prefix_cache *pc, struct pc_req *q, int64_t num_computed, int64_t hit,
                 int64_t n_new, int64_t num_tokens)
{
    const struct pc_config *c = &pc->cfg;
    uint32_t bs = c->block_size;
    int64_t total = num_computed + hit;
    int64_t required = cdiv(total + n_new, bs);
    int64_t upto = total + n_new < num_tokens ? total + n_new : num_tokens;
    if (hit == 0) {
        /* Fast path, most decode steps: no new block in any lane. */
        bool fits = true;
        for (int l = 0; l < PC_LANES; l++)
            fits &= !c->weight[l] || required <= (int64_t)q->n_blk[l];
        if (fits) {
            if (c->weight[PC_SWA] || c->weight[PC_STATE])
                remove_skipped(pc, q, total);
            if ((uint64_t)(upto / bs) > q->n_cached[PC_FULL] || !c->weight[PC_FULL])
                cache_full(pc, q, upto);
            return true;
        }
        for (int l = 0; l < PC_LANES; l++)
            pc->n_hit[l] = 0;
    }
    /* kv_cache_manager.py allocate_slots: drop what the window left behind,
     * then count the blocks to take from the free queue, hit blocks that
     * sit in it included (get_num_blocks_to_allocate). */
    remove_skipped(pc, q, total);
    int64_t need = 0;
    for (int l = 0; l < PC_LANES; l++) {
        if (!c->weight[l])
            continue;
        int64_t have = (int64_t)q->n_blk[l] + pc->n_hit[l], fresh;
        if (l == PC_STATE)
            fresh = required > have ? 1 : 0; /* align: one new state block */
        else
            fresh = required > have ? required - have : 0;
        int64_t evictable = 0;
        for (uint32_t i = 0; i < pc->n_hit[l]; i++)
            evictable += pc->hit[l][i] >= 0 && pc->nodes[pc->hit[l][i]].ref == 0;
        need += (fresh + evictable) * c->weight[l];
    }
    /* MambaManager.get_num_blocks_to_allocate: a state cached in this very
     * step cannot be read yet; the request waits for the next step. */
    if (c->weight[PC_STATE] && pc->n_hit[PC_STATE] > 0) {
        int32_t last = pc->hit[PC_STATE][pc->n_hit[PC_STATE] - 1];
        if (last >= 0 && pc->nodes[last].step == pc->step)
            return false;
    }
    if (need > pc_n_free(pc))
        return false;
    /* allocate_new_computed_blocks: take the hits (touch), then new blocks */
    for (int l = 0; l < PC_LANES; l++) {
        for (uint32_t i = 0; i < pc->n_hit[l]; i++) {
            int32_t id = pc->hit[l][i];
            if (id >= 0)
                node_touch(pc, id);
            lane_push(q, l, id);
        }
        if (pc->n_hit[l])
            q->n_cached[l] = q->n_blk[l];
        pc->n_hit[l] = 0;
    }
    for (int l = 0; l < PC_LANES; l++) {
        if (!c->weight[l] || required <= (int64_t)q->n_blk[l])
            continue;
        if (l == PC_STATE) {
            /* MambaManager.allocate_new_blocks (align): the running state
             * moves to a block at the last position; the one it leaves is
             * freed at the next allocation (remove_skipped). */
            if (q->n_blk[l] > 0)
                q->state_prev = (int32_t)q->n_blk[l] - 1;
            while ((int64_t)q->n_blk[l] < required - 1)
                lane_push(q, l, -1);
            new_blocks(pc, q, l, 1);
            q->state_allocated = true;
        } else {
            new_blocks(pc, q, l, required - (int64_t)q->n_blk[l]);
        }
    }
    /* cache what is full, never past the tokens the request knows (draft
     * tokens are not cached) */
    cache_full(pc, q, upto);
    return true;
}

void pc_release(struct prefix_cache *pc, struct pc_req *q, bool preempted)
{
    uint32_t bs = pc->cfg.block_size;
    if (preempted) {
        uint32_t full = 0;
        for (int l = 0; l < PC_LANES; l++)
            full = q->n_cached[l] > full ? q->n_cached[l] : full;
        ensure_hashes(q, full, bs);
        q->converted = true;
    }
    /* kv_cache_coordinator.py pop_blocks_for_free: all groups' blocks,
     * freed in reverse so that tail blocks are evicted first. */
    int64_t run = 0; /* private blocks freed in a row go back as one run */
    for (int l = PC_LANES - 1; l >= 0; l--) {
        uint32_t w = pc->cfg.weight[l];
        for (uint32_t i = q->n_blk[l]; i-- > 0;) {
            int32_t id = q->blk[l][i];
            if (id == -2 && !(preempted && i < q->n_cached[l])) {
                pc->n_private_held -= w;
                run += w;
                continue;
            }
            if (id == -1)
                continue;
            append_plain(pc, run);
            run = 0;
            if (id >= 0) {
                node_unref(pc, id);
            } else {
                /* a preempted request's full private block: vLLM hashed
                 * it, and its owner may hit it when it resumes */
                pc->n_private_held -= w;
                int32_t nid = node_struct(pc);
                pc->nodes[nid] = (struct node){ .key = lane_key(q->hash[i], l), .phys = w,
                                                .prev = -1, .next = -1, .hnext = -1, .ref = 1,
                                                .step = pc->step, .lane = (uint8_t)l };
                table_insert(pc, nid);
                node_unref(pc, nid);
            }
        }
        q->n_blk[l] = 0;
        q->n_cached[l] = 0;
    }
    append_plain(pc, run);
    q->state_prev = -1;
    q->state_allocated = false;
}

int64_t pc_align_split(const struct prefix_cache *pc, int64_t num_computed, int64_t n_new,
                       int64_t num_prompt, int64_t num_tokens)
{
    if (!pc->cfg.weight[PC_STATE])
        return n_new;
    int64_t bs = pc->cfg.block_size;
    /* Scheduler._mamba_block_aligned_split: in prefill (also a resumed
     * request's replay), chunks end on block multiples, and one ends at the
     * prompt's last block boundary, so its state is cached there. */
    int64_t lim = num_prompt > num_tokens - 1 ? num_prompt : num_tokens - 1;
    if (num_computed >= lim)
        return n_new;
    int64_t last = num_tokens - num_tokens % bs;
    if (pc->cfg.drop_last_block)
        last = last - bs > 0 ? last - bs : 0;
    int64_t after = num_computed + n_new;
    if (after < last)
        n_new = n_new / bs * bs;
    else if (num_computed < last && last < after)
        n_new = last - num_computed;
    return n_new;
}

/* ---------------------------------------------------------------- queries */

int64_t pc_n_free(const struct prefix_cache *pc)
{
    return pc->n_virgin + pc->n_loose + pc->q_weight;
}

int64_t pc_n_cached(const struct prefix_cache *pc)
{
    return pc->n_hashed;
}

void pc_check(const struct prefix_cache *pc)
{
    int64_t held = pc->n_private_held, queued = 0, hashed = 0;
    for (size_t i = 0; i < pc->n_nodes; i++) {
        const struct node *n = &pc->nodes[i];
        if (n->ref < 0)
            continue;
        if (n->queued) {
            CS_ASSERT(n->ref == 0);
            queued += n->phys;
        } else {
            CS_ASSERT(n->ref > 0 && !n->plain);
            held += n->phys;
        }
        if (n->key) {
            hashed++;
            int32_t id = pc->bucket[(uint32_t)n->key & (pc->n_bucket - 1)];
            while (id >= 0 && (size_t)id != i)
                id = pc->nodes[id].hnext;
            CS_ASSERT(id >= 0); /* in its bucket's chain */
        }
    }
    CS_ASSERT(queued == pc->q_weight);
    CS_ASSERT(hashed == pc->n_hashed);
    CS_ASSERT(held + pc_n_free(pc) == pc->cfg.n_blocks);
}
