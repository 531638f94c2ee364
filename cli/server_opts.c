#include "cli/server_opts.h"

#include <string.h>

#include "common/json.h"

/* vLLM's --speculative-config, as JSON text. */
static int parse_speculative_config(const char *text, struct deploy_args *a, struct cs_err *err)
{
    const char *what = "--speculative-config";
    cJSON *root;
    int rc = json_parse_text(what, text, strlen(text), &root, err);
    if (rc)
        return rc;
    rc = spec_config_parse(root, what, "", &a->spec_method, &a->num_speculative_tokens, err);
    cJSON_Delete(root);
    return rc;
}

int server_flags_deploy(const struct server_flags *f, struct deploy_args *a, struct cs_err *err)
{
    deploy_args_init(a);
    a->model = f->model;
    a->precision = f->precision;
    a->kv_cache_dtype = f->kv_cache_dtype;
    a->gpu_memory_utilization = f->gpu_memory_utilization;
    a->max_model_len = (uint32_t)f->max_model_len;
    a->max_num_batched_tokens = (uint32_t)f->max_num_batched_tokens;
    a->max_num_seqs = (uint32_t)f->max_num_seqs;
    a->async_scheduling = f->async_off ? 0 : -1;
    a->enable_prefix_caching = f->prefix_caching_off ? 0 : -1;
    a->prefix_caching_hash_algo = f->prefix_caching_hash_algo;
    a->num_speculative_tokens = (uint32_t)f->num_speculative_tokens;
    a->spec_mean_accepted = f->spec_acceptance;
    a->language_model_only = f->language_model_only;
    a->linear_backend = f->linear_backend;
    a->moe_backend = f->moe_backend;
    a->profile_name = f->hardware;
    a->profile_file = f->profile;
    return f->speculative_config ? parse_speculative_config(f->speculative_config, a, err) : CS_OK;
}
