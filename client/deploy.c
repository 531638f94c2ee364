#include "client/deploy.h"

#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

void deploy_args_init(struct deploy_args *a)
{
    memset(a, 0, sizeof *a);
    a->async_scheduling = -1;
    a->enable_prefix_caching = -1;
}

/* vLLM's --prefix-caching-hash-algo choices (vllm/config/cache.py
 * PrefixCachingHashAlgo). The hash only names blocks; capsim's own 64-bit
 * chain stands for any of them. */
static int check_hash_algo(const char *algo, struct cs_err *err)
{
    static const char *const ok[] = { "sha256", "sha256_cbor", "xxhash", "xxhash_cbor" };
    if (!algo)
        return CS_OK;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(algo, ok[i]) == 0)
            return CS_OK;
    return cs_err_set(err, CS_EUSAGE, "--prefix-caching-hash-algo: must be sha256, sha256_cbor, "
                      "xxhash or xxhash_cbor (got '%s')", algo);
}

int deploy_new(const struct deploy_args *a, struct deploy **out, struct cs_err *err)
{
    int rc = check_hash_algo(a->prefix_caching_hash_algo, err);
    if (rc)
        return rc;
    struct deploy *d = xcalloc(1, sizeof *d);
    if (a->model_json)
        rc = model_parse(a->model ? a->model : "config.json", a->model_json, &d->model, err);
    else
        rc = model_load(a->model ? a->model : "gemma-4-26b-a4b-it", &d->model, err);
    if (rc)
        goto fail;
    if (a->profile)
        d->profile = *a->profile;
    else if (a->profile_file)
        rc = profile_load_file(a->profile_file, &d->profile, err);
    else
        rc = profile_load_builtin(a->profile_name ? a->profile_name : "gb10", &d->profile, err);
    if (rc)
        goto fail;
    d->precision = model_default_precision(d->model);
    if (a->precision && (rc = dtype_parse(a->precision, &d->precision, err)))
        goto fail;
    d->kv = KV_DTYPE_AUTO;
    if (a->kv_cache_dtype && (rc = kv_dtype_parse(a->kv_cache_dtype, &d->kv, err)))
        goto fail;
    struct memory_args ma = {
        .weights = d->precision,
        .kv = d->kv,
        .gpu_memory_utilization = a->gpu_memory_utilization > 0 ? a->gpu_memory_utilization : 0.9,
        .max_model_len = a->max_model_len,
        .max_num_batched_tokens = a->max_num_batched_tokens ? a->max_num_batched_tokens : 2048,
        .max_num_seqs = a->max_num_seqs ? a->max_num_seqs : 256,
        .num_speculative_tokens = a->num_speculative_tokens,
        .spec_method = a->spec_method,
        .language_model_only = a->language_model_only,
        .mamba_cache_fp32 = a->mamba_cache_fp32,
    };
    struct kernel_backends kb = { .fp8_marlin = a->force_fp8_marlin };
    if ((rc = kernel_backend_parse(a->linear_backend, "--linear-backend", &kb.linear, err)) ||
        (rc = kernel_backend_parse(a->moe_backend, "--moe-backend", &kb.moe, err)) ||
        (rc = memory_account(d->model, &ma, &d->profile, &d->mem, err)) ||
        (rc = model_work_init(d->model, d->precision, &kb, d->kv, &d->work, err)))
        goto fail;
    model_work_add_drafter(d->model, d->precision, d->kv, a->spec_method, a->num_speculative_tokens,
                           &d->work);
    bool async = a->async_scheduling < 0 ? true : a->async_scheduling != 0;
    d->cost = cost_new(&d->work, &d->profile, async);
    d->cfg = (struct sim_config){
        .max_num_batched_tokens = ma.max_num_batched_tokens,
        .max_num_seqs = ma.max_num_seqs,
        .max_model_len = d->mem.max_model_len,
        .async_scheduling = async,
        .enable_prefix_caching = a->enable_prefix_caching != 0,
        .num_speculative_tokens = a->num_speculative_tokens,
        .spec_mean_accepted = a->spec_mean_accepted,
        .kv = d->mem.layout,
        .work = &d->work,
        .cost = d->cost,
    };
    *out = d;
    return CS_OK;
fail:
    deploy_free(d);
    return rc;
}

void deploy_free(struct deploy *d)
{
    if (!d)
        return;
    model_free(d->model);
    cost_free(d->cost);
    free(d);
}
