/*
 * cmd_memory.c - capsim memory: what vLLM would log at start-up for this
 * model, precision and server config: weights, KV cache size, maximum
 * concurrency.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/server_opts.h"
#include "report/basis.h"
#include "common/json.h"

int cmd_memory(int argc, char **argv)
{
    struct server_flags sf = SERVER_FLAGS_INIT;
    bool json = false;
    const char *mamba_dtype = NULL;
    struct opt table[] = {
        SERVER_OPTS(sf),
        { "mamba-ssm-cache-dtype", OPT_STRING, &mamba_dtype, 0, 0,
          "auto|float32: float32 also keeps the conv state in fp32 [auto]", false },
        { "json", OPT_FLAG, &json, 0, 0, "print JSON", false },
    };
    const char *pos[1];
    size_t n_pos;
    struct cs_err err = { 0 };
    int status;
    if (cli_parse("memory", "--model M [--precision P] [vllm serve flags] [--json]", table, CS_ARRAY_LEN(table), argc, argv, pos, 0, &n_pos,
                  &status))
        return status;
    struct deploy_args da;
    if (server_flags_deploy(&sf, &da, &err))
        return cli_fail("memory", &err);
    if (mamba_dtype) {
        /* vLLM --mamba-ssm-cache-dtype; the Super boot log's state page only
         * fits with the conv state fp32 too (param_check.md section 3) */
        if (strcmp(mamba_dtype, "float32") == 0 || strcmp(mamba_dtype, "fp32") == 0) {
            da.mamba_cache_fp32 = true;
        } else if (strcmp(mamba_dtype, "auto") != 0) {
            cs_err_set(&err, CS_EUSAGE, "--mamba-ssm-cache-dtype: must be auto or float32 (got '%s')",
                       mamba_dtype);
            return cli_fail("memory", &err);
        }
    }
    struct deploy *d;
    if (deploy_new(&da, &d, &err))
        return cli_fail("memory", &err);
    const struct memory_report *r = &d->mem;
    const double gib = 1073741824.0;
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "model", model_name(d->model));
        cJSON_AddStringToObject(o, "precision", dtype_traits(d->precision)->name);
        cJSON_AddStringToObject(o, "kv_cache_dtype", kv_dtype_name(d->kv));
        cJSON_AddItemToObject(o, "server", deploy_settings_json(&d->settings));
        json_add_fixed(o, "weights_gib", r->weights_bytes / gib, 4);
        json_add_fixed(o, "kv_cache_gib", r->kv_cache_bytes / gib, 4);
        json_add_int(o, "kv_cache_tokens", r->kv_cache_tokens);
        json_add_int(o, "block_size", r->layout.block_size);
        json_add_int(o, "num_gpu_blocks", r->layout.n_blocks);
        json_add_int(o, "max_model_len", r->max_model_len);
        cJSON_AddBoolToObject(o, "max_model_len_assumed", r->max_model_len_assumed);
        json_add_fixed(o, "max_concurrency", r->max_concurrency, 4);
        json_add_fixed(o, "activation_gib", r->activation_bytes / gib, 4);
        json_add_fixed(o, "requested_gib", r->requested_bytes / gib, 4);
        cJSON_AddStringToObject(o, "linear_kernel", kpath_name(d->work.dense.path));
        if (d->work.n_experts)
            cJSON_AddStringToObject(o, "moe_kernel", kpath_name(d->work.expert.path));
        else
            cJSON_AddNullToObject(o, "moe_kernel");
        struct basis b;
        basis_of(d, &b);
        if (basis_add_json(o, &b, &err) || json_write(stdout, o, &err)) {
            deploy_free(d);
            return cli_fail("memory", &err);
        }
    } else {
        printf("simulated vLLM start-up: %s (%s weights, %s KV cache) on %s\n", model_name(d->model),
               dtype_traits(d->precision)->name, kv_dtype_name(d->kv), d->profile.name);
        server_print_settings(stdout, &d->settings);
        printf("Model loading took %.2f GiB memory\n", r->weights_bytes / gib);
        /* Which checkpoint and GEMM kernels (vLLM logs its choice at
         * start-up; --linear-backend, --moe-backend and --env change it). */
        struct basis b;
        basis_of(d, &b);
        basis_print(stdout, &b);
        printf("Available KV cache memory: %.2f GiB\n", r->kv_cache_bytes / gib);
        printf("GPU KV cache size: %lld tokens\n", (long long)r->kv_cache_tokens);
        printf("Maximum concurrency for %u tokens per request: %.2fx\n", r->max_model_len,
               r->max_concurrency);
        printf("(block size %u tokens, %lld blocks; %.2f GiB requested of %.2f GiB)\n",
               r->layout.block_size, (long long)r->layout.n_blocks, r->requested_bytes / gib,
               r->total_bytes / gib);
        if (r->max_model_len_assumed)
            printf("(config.json gives no max_position_embeddings: vLLM assumes %u; set "
                   "--max-model-len)\n", r->max_model_len);
    }
    deploy_free(d);
    return 0;
}
