/*
 * server_opts.h - the flags that describe the simulated server, named as
 * `vllm serve` names them, shared by every command that runs the engine.
 * SERVER_OPTS(f) expands to option-table rows bound to a struct
 * server_flags; every command that builds a server has them. The defaults
 * in brackets are vLLM's (their one home is client/deploy.c); a scenario's
 * server section goes over them, and these flags over the scenario.
 */
#ifndef CAPSIM_CLI_SERVER_OPTS_H
#define CAPSIM_CLI_SERVER_OPTS_H

#include "cli/opts.h"
#include "client/deploy.h"

struct server_flags {
    const char *model, *precision, *kv_cache_dtype, *hardware, *profile;
    const char *linear_backend, *moe_backend, *speculative_config, *prefix_caching_hash_algo;
    double gpu_memory_utilization, spec_acceptance;
    int64_t max_model_len, max_num_batched_tokens, max_num_seqs, num_speculative_tokens;
    bool async_on, async_off, language_model_only, prefix_caching_on, prefix_caching_off;
    bool sm120_fp4_kernels;
    struct opt_strings env;
};

/* Every number not given: -1 for the two that 0 sets (no speculative
 * decoding; nothing accepted), 0 for the rest (their bounds exclude 0). */
#define SERVER_FLAGS_INIT { .num_speculative_tokens = -1, .spec_acceptance = -1 }

#define SERVER_OPTS(f)                                                                          \
    { "model", OPT_STRING, &(f).model, 0, 0,                                                    \
      "catalog name, Hugging Face id or config.json [gemma-4-26b-a4b-it]", false },             \
    { "precision", OPT_STRING, &(f).precision, 0, 0,                                            \
      "bf16|fp8|nvfp4|mxfp4 [the checkpoint's own]", false },                                   \
    { "kv-cache-dtype", OPT_STRING, &(f).kv_cache_dtype, 0, 0, "auto|fp8 [auto]", false },      \
    { "gpu-memory-utilization", OPT_DOUBLE, &(f).gpu_memory_utilization, 0.01, 1.0,             \
      "fraction of memory for vLLM [0.9]", false },                                             \
    { "max-model-len", OPT_INT, &(f).max_model_len, 1, 1e9, "[the model's maximum]", false },   \
    { "max-num-batched-tokens", OPT_INT, &(f).max_num_batched_tokens, 1, 1e7,                   \
      "token budget per step [2048, vLLM's effective default on GB10]", false },                \
    { "max-num-seqs", OPT_INT, &(f).max_num_seqs, 1, 1e6, "running requests at most [256]", false }, \
    { "async-scheduling", OPT_FLAG, &(f).async_on, 0, 0, "overlap CPU scheduling [on]", false }, \
    { "no-async-scheduling", OPT_FLAG, &(f).async_off, 0, 0, "schedule synchronously", false }, \
    { "enable-prefix-caching", OPT_FLAG, &(f).prefix_caching_on, 0, 0,                         \
      "automatic prefix caching [on, as vLLM v1]", false },                                     \
    { "no-enable-prefix-caching", OPT_FLAG, &(f).prefix_caching_off, 0, 0,                      \
      "switch prefix caching off (as every arena run)", false },                                \
    { "prefix-caching-hash-algo", OPT_STRING, &(f).prefix_caching_hash_algo, 0, 0,              \
      "sha256|sha256_cbor|xxhash|xxhash_cbor [sha256]; accepted, no effect on timing", false }, \
    { "speculative-config", OPT_STRING, &(f).speculative_config, 0, 0,                          \
      "JSON as vLLM: {\"method\": \"mtp|dflash|...\", \"num_speculative_tokens\": k}", false }, \
    { "num-speculative-tokens", OPT_INT, &(f).num_speculative_tokens, 0, 64,                    \
      "draft tokens per step (the model's MTP block unless --speculative-config) [0]", false }, \
    { "spec-acceptance", OPT_DOUBLE, &(f).spec_acceptance, 0, 64,                               \
      "mean accepted draft tokens per step [0]", false },                                       \
    { "language-model-only", OPT_FLAG, &(f).language_model_only, 0, 0,                          \
      "do not load vision/audio encoders", false },                                             \
    { "env", OPT_STRINGS, &(f).env, 0, 0,                                                        \
      "NAME=VALUE of vllm serve's environment (VLLM_TEST_FORCE_FP8_MARLIN=1), repeatable", false }, \
    { "sm120-fp4-kernels", OPT_FLAG, &(f).sm120_fp4_kernels, 0, 0,                               \
      "the vLLM build has its SM120 NVFP4 kernels (official images do not)", false },             \
    { "linear-backend", OPT_STRING, &(f).linear_backend, 0, 0,                                  \
      "quantized linears: marlin|cutlass|triton|flashinfer_cutlass [auto: vLLM's choice]", false }, \
    { "moe-backend", OPT_STRING, &(f).moe_backend, 0, 0,                                        \
      "quantized experts: marlin|triton|flashinfer_cutlass|... [auto, as for linears]", false }, \
    { "hardware", OPT_STRING, &(f).hardware, 0, 0, "built-in hardware profile [gb10]", false }, \
    { "profile", OPT_STRING, &(f).profile, 0, 0, "hardware profile file", false }

/* vLLM's defaults with the flags over them; a malformed
 * --speculative-config is a usage error. The arguments borrow the flags'
 * strings. */
int server_flags_deploy(const struct server_flags *f, struct deploy_args *a, struct cs_err *err);
/* The flags given over a (a scenario's server, say); the rest of a stays. */
int server_flags_apply(const struct server_flags *f, struct deploy_args *a, struct cs_err *err);

/* The settings line every text output prints under its header:
 * "server: --model M --precision P ..." */
void server_print_settings(FILE *f, const struct deploy_settings *s);

#endif /* CAPSIM_CLI_SERVER_OPTS_H */
