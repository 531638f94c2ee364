#include "cli/server_opts.h"

#include <string.h>

#include "common/json.h"

/* vLLM's --speculative-config, the keys capsim reads: the method decides
 * the drafter's cost, "model" names its checkpoint (capsim sizes a drafter
 * from the method and the target, so the name is accepted and unused). */
static int parse_speculative_config(const char *text, struct deploy_args *a, struct cs_err *err)
{
    static const char *const keys[] = { "method", "num_speculative_tokens", "model" };
    const char *what = "--speculative-config";
    cJSON *root;
    int rc = json_parse_text(what, text, strlen(text), &root, err);
    if (rc)
        return rc;
    const char *method = NULL;
    int64_t k = a->num_speculative_tokens;
    const char *model = NULL;
    if (!cJSON_IsObject(root))
        rc = cs_err_set(err, CS_EUSAGE, "%s: must be a JSON object", what);
    else if (!(rc = json_check_keys(root, keys, sizeof keys / sizeof *keys, what, "", err)) &&
             !(rc = json_get_string(root, "method", false, &method, what, "", err)) &&
             !(rc = json_get_string(root, "model", false, &model, what, "", err)) &&
             !(rc = json_get_int(root, "num_speculative_tokens", k == 0, 1, 64, &k, what, "", err)) &&
             !(rc = spec_method_parse(method, "--speculative-config: .method", &a->spec_method, err)))
        a->num_speculative_tokens = (uint32_t)k;
    (void)model;
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
    a->num_speculative_tokens = (uint32_t)f->num_speculative_tokens;
    a->spec_mean_accepted = f->spec_acceptance;
    a->language_model_only = f->language_model_only;
    a->linear_backend = f->linear_backend;
    a->moe_backend = f->moe_backend;
    a->profile_name = f->hardware;
    a->profile_file = f->profile;
    return f->speculative_config ? parse_speculative_config(f->speculative_config, a, err) : CS_OK;
}
