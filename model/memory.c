/*
 * memory.c - vLLM's KV-cache sizing on one device
 * (gpu_worker.determine_available_memory, kv_cache_utils, the hybrid
 * allocator; shared/research/serving-semantics.md 1.4-1.7 and
 * shared/models/param_check.md 3).
 *
 * Layers are grouped by kind into groups of equal size g sharing one block
 * pool. A block is one page in every layer of a group, so its bytes are
 * block_size x bytes-per-token-per-layer x g. Hybrid models force the
 * attention block size up until one attention page holds a recurrent
 * layer's state; recurrent layers are padded up to a multiple of g.
 */
#include "model/memory.h"

#include <math.h>
#include <string.h>

#include "model/model_impl.h"

static uint32_t ceil_div(uint32_t a, uint32_t b)
{
    return (a + b - 1) / b;
}

int memory_account(const struct model *m, const struct memory_args *a,
                   const struct profile *p, struct memory_report *r, struct cs_err *err)
{
    memset(r, 0, sizeof *r);
    if (!(a->gpu_memory_utilization > 0 && a->gpu_memory_utilization <= 1))
        return cs_err_set(err, CS_EUSAGE, "--gpu-memory-utilization: must be in (0, 1] (got %g)",
                          a->gpu_memory_utilization);
    uint32_t max_len = a->max_model_len ? a->max_model_len : m->max_pos;
    if (max_len == 0) {
        /* no maximum in config.json: vLLM takes any --max-model-len, else 2048 */
        max_len = MEMORY_DEFAULT_MAX_MODEL_LEN;
        r->max_model_len_assumed = true;
    }
    if (m->max_pos && max_len > m->max_pos)
        return cs_err_set(err, CS_EUSAGE,
                          "--max-model-len: %u exceeds the model's max_position_embeddings %u",
                          max_len, m->max_pos);
    r->max_model_len = max_len;
    r->total_bytes = p->v[PROF_MEM_TOTAL_BYTES];
    r->requested_bytes = a->gpu_memory_utilization * r->total_bytes;
    r->weights_bytes = model_weight_bytes(m, a->weights, a->language_model_only);
    /* The drafter loads beside the model (an MTP block quantized like the
     * trunk, a DFlash drafter in BF16) and caches K/V in its own layers. */
    bool spec = a->num_speculative_tokens > 0;
    if (spec)
        r->weights_bytes += model_drafter_weight_bytes(m, a->weights, a->spec_method);
    r->activation_bytes = p->v[PROF_ACTIVATION_BYTES_PER_TOKEN] * a->max_num_batched_tokens;
    r->non_torch_bytes = p->v[PROF_NON_TORCH_BYTES];
    r->cudagraph_bytes = p->v[PROF_CUDAGRAPH_BYTES];
    r->kv_cache_bytes = r->requested_bytes - r->weights_bytes - r->activation_bytes -
                        r->non_torch_bytes - r->cudagraph_bytes;
    if (r->kv_cache_bytes <= 0)
        return cs_err_set(err, CS_EINPUT,
                          "%s in %s does not fit: weights %.2f GiB + activations %.2f GiB leave no KV "
                          "cache under --gpu-memory-utilization %g",
                          m->name, dtype_traits(a->weights)->name, r->weights_bytes / 1073741824.0,
                          r->activation_bytes / 1073741824.0, a->gpu_memory_utilization);

    double kvb = kv_dtype_bytes(a->kv);
    uint32_t n_full = m->kv_full_layers + (spec ? model_drafter_kv_layers(m, a->spec_method) : 0);
    uint32_t n_swa = m->kv_swa_layers;
    uint32_t n_rec = m->rec_layers;
    double el = m->kv_el_full > m->kv_el_swa ? m->kv_el_full : m->kv_el_swa;
    double page_1tok = el * kvb; /* one attention layer, one token */
    struct kv_layout *l = &r->layout;
    uint32_t bs = a->block_size ? a->block_size : 16; /* CUDA default block size */
    uint32_t g, groups;
    if (n_rec) {
        double state = m->rec_conv_bytes * (a->mamba_cache_fp32 ? 2.0 : 1.0) + m->rec_ssm_bytes;
        uint32_t forced = 16 * (uint32_t)ceil(state / (16.0 * page_1tok));
        if (bs < forced)
            bs = forced;
        g = n_full + n_swa;
        l->n_full_groups = 1;
        l->n_state_groups = ceil_div(n_rec, g);
        groups = 1 + l->n_state_groups;
    } else if (n_swa && n_full) {
        g = n_full < n_swa ? n_full : n_swa;
        l->n_full_groups = ceil_div(n_full, g);
        l->n_swa_groups = ceil_div(n_swa, g);
        l->swa_window = m->swa_window;
        groups = l->n_full_groups + l->n_swa_groups;
    } else {
        g = n_full + n_swa;
        if (n_swa) {
            l->n_swa_groups = 1;
            l->swa_window = m->swa_window;
        } else {
            l->n_full_groups = 1;
        }
        groups = 1;
    }
    l->block_size = bs;
    double block_bytes = (double)bs * page_1tok * g;
    l->n_blocks = (int64_t)floor(r->kv_cache_bytes / block_bytes);
    if (a->num_gpu_blocks_override > 0)
        l->n_blocks = a->num_gpu_blocks_override;
    /* The log line of vLLM 0.19 (and the arena boot logs). */
    r->kv_cache_tokens = (l->n_blocks / groups) * (int64_t)bs;
    r->max_concurrency = memory_max_concurrency(r, max_len);
    return CS_OK;
}

double memory_max_concurrency(const struct memory_report *r, int64_t tokens)
{
    int64_t need = kv_layout_blocks_for(&r->layout, tokens, 1);
    return need > 0 ? (double)r->layout.n_blocks / (double)need : 0.0;
}
