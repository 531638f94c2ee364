#include "client/deploy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/xalloc.h"

/* vLLM's own defaults for `vllm serve` on GB10 (the OpenAI server; vLLM
 * 0.26, the arena's). Every command and every scenario starts here. */
static const struct deploy_args vllm_defaults = {
    .model = "gemma-4-26b-a4b-it", /* capsim's choice: vLLM has no default model */
    /* vllm/config/cache.py CacheConfig.cache_dtype = "auto": the model's dtype */
    .kv_cache_dtype = "auto",
    /* vllm/config/cache.py CacheConfig.gpu_memory_utilization (0.92 from v0.27.1) */
    .gpu_memory_utilization = 0.9,
    /* vllm/engine/arg_utils.py get_batch_defaults(): OPENAI_API_SERVER
     * 2048 tokens / 256 sequences outside its ">= 70 GiB, not A100" class;
     * GB10's boot logs without the flag show 2048 (../shared/arena/README.md) */
    .max_num_batched_tokens = 2048,
    .max_num_seqs = 256,
    /* max_model_len 0: vllm/config/model.py derives it from config.json */
    /* vllm/config/scheduler.py: async scheduling on by default since v0.14 */
    .async_scheduling = 1,
    /* vllm/config/cache.py enable_prefix_caching: on in the v1 engine */
    .enable_prefix_caching = 1,
    .profile_name = "gb10",
};

void deploy_args_init(struct deploy_args *a)
{
    *a = vllm_defaults;
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

static const char *spec_method_label(enum spec_method m)
{
    return m == SPEC_MTP ? "mtp" : m == SPEC_DFLASH ? "dflash" : "unpriced";
}

static void settings_fill(struct deploy *d, const struct deploy_args *a, double gpu_util)
{
    struct deploy_settings *s = &d->settings;
    /* a Hugging Face id or a config.json path as given, so the printed
     * flags load the same model; a catalog name in full */
    snprintf(s->model, sizeof s->model, "%s",
             a->model && strchr(a->model, '/') ? a->model : model_name(d->model));
    snprintf(s->precision, sizeof s->precision, "%s", dtype_traits(d->precision)->name);
    snprintf(s->kv_cache_dtype, sizeof s->kv_cache_dtype, "%s", kv_dtype_name(d->kv));
    s->gpu_memory_utilization = gpu_util;
    s->max_model_len = d->cfg.max_model_len;
    s->max_num_batched_tokens = d->cfg.max_num_batched_tokens;
    s->max_num_seqs = d->cfg.max_num_seqs;
    s->async_scheduling = d->cfg.async_scheduling;
    s->enable_prefix_caching = d->cfg.enable_prefix_caching;
    s->language_model_only = a->language_model_only;
    s->num_speculative_tokens = a->num_speculative_tokens;
    s->spec_acceptance = a->spec_mean_accepted;
    snprintf(s->spec_method, sizeof s->spec_method, "%s",
             a->num_speculative_tokens ? spec_method_label(a->spec_method) : "");
    snprintf(s->linear_backend, sizeof s->linear_backend, "%s",
             a->linear_backend ? a->linear_backend : "");
    snprintf(s->moe_backend, sizeof s->moe_backend, "%s", a->moe_backend ? a->moe_backend : "");
    snprintf(s->hardware, sizeof s->hardware, "%s", d->profile.name);
}

void deploy_settings_format(const struct deploy_settings *s, char *buf, size_t n)
{
    int k = snprintf(buf, n,
                     "--model %s --precision %s --kv-cache-dtype %s --gpu-memory-utilization %g "
                     "--max-model-len %u --max-num-batched-tokens %u --max-num-seqs %u %s %s",
                     s->model, s->precision, s->kv_cache_dtype, s->gpu_memory_utilization,
                     s->max_model_len, s->max_num_batched_tokens, s->max_num_seqs,
                     s->async_scheduling ? "--async-scheduling" : "--no-async-scheduling",
                     s->enable_prefix_caching ? "--enable-prefix-caching"
                                              : "--no-enable-prefix-caching");
#define MORE(...)                                                                          \
    do {                                                                                   \
        if (k >= 0 && (size_t)k < n)                                                       \
            k += snprintf(buf + k, n - (size_t)k, __VA_ARGS__);                            \
    } while (0)
    if (s->num_speculative_tokens)
        MORE(" --speculative-config '{\"method\": \"%s\", \"num_speculative_tokens\": %u}' "
             "--spec-acceptance %g",
             s->spec_method, s->num_speculative_tokens, s->spec_acceptance);
    if (s->language_model_only)
        MORE(" --language-model-only");
    if (s->linear_backend[0])
        MORE(" --linear-backend %s", s->linear_backend);
    if (s->moe_backend[0])
        MORE(" --moe-backend %s", s->moe_backend);
    MORE(" --hardware %s", s->hardware);
#undef MORE
}

cJSON *deploy_settings_json(const struct deploy_settings *s)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    bool ok = cJSON_AddStringToObject(o, "model", s->model) &&
              cJSON_AddStringToObject(o, "precision", s->precision) &&
              cJSON_AddStringToObject(o, "kv_cache_dtype", s->kv_cache_dtype) &&
              json_add_number(o, "gpu_memory_utilization", s->gpu_memory_utilization) &&
              json_add_int(o, "max_model_len", s->max_model_len) &&
              json_add_int(o, "max_num_batched_tokens", s->max_num_batched_tokens) &&
              json_add_int(o, "max_num_seqs", s->max_num_seqs) &&
              cJSON_AddBoolToObject(o, "async_scheduling", s->async_scheduling) &&
              cJSON_AddBoolToObject(o, "enable_prefix_caching", s->enable_prefix_caching) &&
              cJSON_AddBoolToObject(o, "language_model_only", s->language_model_only);
    if (ok && s->num_speculative_tokens) {
        cJSON *spec = cJSON_AddObjectToObject(o, "speculative_config");
        ok = spec && cJSON_AddStringToObject(spec, "method", s->spec_method) &&
             json_add_int(spec, "num_speculative_tokens", s->num_speculative_tokens) &&
             json_add_number(o, "spec_acceptance", s->spec_acceptance);
    }
    if (ok && s->linear_backend[0])
        ok = cJSON_AddStringToObject(o, "linear_backend", s->linear_backend) != NULL;
    if (ok && s->moe_backend[0])
        ok = cJSON_AddStringToObject(o, "moe_backend", s->moe_backend) != NULL;
    if (ok)
        ok = cJSON_AddStringToObject(o, "hardware", s->hardware) != NULL;
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
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
        rc = model_load(a->model ? a->model : vllm_defaults.model, &d->model, err);
    if (rc)
        goto fail;
    if (a->profile)
        d->profile = *a->profile;
    else if (a->profile_file)
        rc = profile_load_file(a->profile_file, &d->profile, err);
    else
        rc = profile_load_builtin(a->profile_name ? a->profile_name : vllm_defaults.profile_name,
                                  &d->profile, err);
    if (rc)
        goto fail;
    d->precision = model_default_precision(d->model);
    if (a->precision && (rc = dtype_parse(a->precision, &d->precision, err)))
        goto fail;
    d->kv = KV_DTYPE_AUTO;
    if (a->kv_cache_dtype && (rc = kv_dtype_parse(a->kv_cache_dtype, &d->kv, err)))
        goto fail;
    /* zero: the default (calibration passes an arena run's "not given") */
    struct memory_args ma = {
        .weights = d->precision,
        .kv = d->kv,
        .gpu_memory_utilization = a->gpu_memory_utilization > 0
                                      ? a->gpu_memory_utilization
                                      : vllm_defaults.gpu_memory_utilization,
        .max_model_len = a->max_model_len,
        .max_num_batched_tokens = a->max_num_batched_tokens ? a->max_num_batched_tokens
                                                            : vllm_defaults.max_num_batched_tokens,
        .max_num_seqs = a->max_num_seqs ? a->max_num_seqs : vllm_defaults.max_num_seqs,
        .num_speculative_tokens = a->num_speculative_tokens,
        .spec_method = a->spec_method,
        .language_model_only = a->language_model_only,
        .mamba_cache_fp32 = a->mamba_cache_fp32,
    };
    struct kernel_backends kb = { .fp8_marlin = a->force_fp8_marlin, .sm120_fp4_kernels = a->sm120_fp4_kernels };
    for (size_t i = 0; i < a->n_env; i++)
        if ((rc = kpath_apply_env(a->env[i], "--env", &kb, err)))
            goto fail;
    if ((rc = kernel_backend_parse(a->linear_backend, "--linear-backend", &kb.linear, err)) ||
        (rc = kernel_backend_parse(a->moe_backend, "--moe-backend", &kb.moe, err)) ||
        (rc = memory_account(d->model, &ma, &d->profile, &d->mem, err)) ||
        (rc = model_work_init(d->model, d->precision, &kb, d->kv, &d->work, err)) ||
        (rc = model_kernel_paths(d->model, d->precision, &kb, &d->paths, err)))
        goto fail;
    d->kb = kb;
    model_work_add_drafter(d->model, d->precision, d->kv, a->spec_method, a->num_speculative_tokens,
                           &d->work);
    if (a->spec_parallel_drafting)
        model_work_parallel_drafting(&d->work);
    bool async = a->async_scheduling < 0 ? vllm_defaults.async_scheduling != 0
                                         : a->async_scheduling != 0;
    d->cost = cost_new(&d->work, &d->profile, async);
    d->cfg = (struct sim_config){
        .max_num_batched_tokens = ma.max_num_batched_tokens,
        .max_num_seqs = ma.max_num_seqs,
        .max_model_len = d->mem.max_model_len,
        .async_scheduling = async,
        .enable_prefix_caching = a->enable_prefix_caching != 0,
        /* vLLM's SpeculativeConfig.use_eagle(): EAGLE and MTP drafters */
        .prefix_cache_drop_last = a->num_speculative_tokens > 0 && a->spec_method == SPEC_MTP,
        .num_speculative_tokens = a->num_speculative_tokens,
        .spec_mean_accepted = a->spec_mean_accepted,
        .kv = d->mem.layout,
        .work = &d->work,
        .cost = d->cost,
    };
    settings_fill(d, a, ma.gpu_memory_utilization);
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
