#include "sim/kv_cache.h"

#include <stdlib.h>

#include "common/err.h"
#include "common/xalloc.h"

struct kv_cache {
    struct kv_layout layout;
    int64_t n_free;
};

struct kv_cache *kv_cache_new(const struct kv_layout *layout)
{
    CS_ASSERT(layout->block_size > 0 && layout->n_blocks >= 0);
    struct kv_cache *kv = xmalloc(sizeof *kv);
    kv->layout = *layout;
    kv->n_free = layout->n_blocks;
    return kv;
}

void kv_cache_free(struct kv_cache *kv)
{
    free(kv);
}

int64_t kv_cache_n_blocks(const struct kv_cache *kv)
{
    return kv->layout.n_blocks;
}

int64_t kv_cache_n_free(const struct kv_cache *kv)
{
    return kv->n_free;
}

int64_t kv_cache_blocks_for(const struct kv_cache *kv, int64_t tokens, int64_t new_tokens)
{
    return kv_layout_blocks_for(&kv->layout, tokens, new_tokens);
}

bool kv_cache_alloc_blocks(struct kv_cache *kv, int64_t *held, int64_t tokens,
                           int64_t new_tokens)
{
    int64_t need = kv_layout_blocks_for(&kv->layout, tokens, new_tokens) - *held;
    if (need > kv->n_free)
        return false;
    kv->n_free -= need;
    *held += need;
    return true;
}

void kv_cache_release(struct kv_cache *kv, int64_t *held)
{
    kv->n_free += *held;
    *held = 0;
    CS_ASSERT(kv->n_free <= kv->layout.n_blocks);
}
