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
    struct spec_options opt;
    rc = spec_config_parse(root, what, "", &a->spec_method, &a->num_speculative_tokens, &opt, err);
    if (!rc) {
        a->spec_parallel_drafting = opt.parallel_drafting;
        if (opt.accepted >= 0) /* --spec-acceptance, applied after, still wins */
            a->spec_mean_accepted = opt.accepted;
    }
    cJSON_Delete(root);
    return rc;
}

int server_flags_apply(const struct server_flags *f, struct deploy_args *a, struct cs_err *err)
{
    /* a flag not given (NULL, 0) leaves what a holds */
    if (f->model)
        a->model = f->model;
    if (f->precision)
        a->precision = f->precision;
    if (f->kv_cache_dtype)
        a->kv_cache_dtype = f->kv_cache_dtype;
    if (f->gpu_memory_utilization > 0)
        a->gpu_memory_utilization = f->gpu_memory_utilization;
    if (f->max_model_len > 0)
        a->max_model_len = (uint32_t)f->max_model_len;
    if (f->max_num_batched_tokens > 0)
        a->max_num_batched_tokens = (uint32_t)f->max_num_batched_tokens;
    if (f->max_num_seqs > 0)
        a->max_num_seqs = (uint32_t)f->max_num_seqs;
    if (f->async_on && f->async_off)
        return cs_err_set(err, CS_EUSAGE, "--async-scheduling and --no-async-scheduling: "
                          "give one of them");
    if (f->async_on || f->async_off)
        a->async_scheduling = f->async_on;
    if (f->prefix_caching_on && f->prefix_caching_off)
        return cs_err_set(err, CS_EUSAGE, "--enable-prefix-caching and --no-enable-prefix-caching: "
                          "give one of them");
    if (f->prefix_caching_on || f->prefix_caching_off)
        a->enable_prefix_caching = f->prefix_caching_on;
    if (f->prefix_caching_hash_algo)
        a->prefix_caching_hash_algo = f->prefix_caching_hash_algo;
    if (f->language_model_only)
        a->language_model_only = true;
    if (f->linear_backend)
        a->linear_backend = f->linear_backend;
    if (f->moe_backend)
        a->moe_backend = f->moe_backend;
    if (f->sm120_fp4_kernels)
        a->sm120_fp4_kernels = true;
    if (f->env.n) {
        a->env = f->env.v;
        a->n_env = f->env.n;
    }
    if (f->hardware)
        a->profile_name = f->hardware;
    if (f->profile)
        a->profile_file = f->profile;
    if (f->speculative_config) {
        int rc = parse_speculative_config(f->speculative_config, a, err);
        if (rc)
            return rc;
    }
    if (f->num_speculative_tokens >= 0) {
        a->num_speculative_tokens = (uint32_t)f->num_speculative_tokens;
        if (f->num_speculative_tokens == 0) /* off: a scenario's acceptance goes with it */
            a->spec_mean_accepted = 0;
    }
    if (f->spec_acceptance >= 0)
        a->spec_mean_accepted = f->spec_acceptance;
    return CS_OK;
}

int server_flags_deploy(const struct server_flags *f, struct deploy_args *a, struct cs_err *err)
{
    deploy_args_init(a);
    return server_flags_apply(f, a, err);
}

void server_print_settings(FILE *f, const struct deploy_settings *s)
{
    char line[1024];
    deploy_settings_format(s, line, sizeof line);
    fprintf(f, "server: %s\n", line);
}

