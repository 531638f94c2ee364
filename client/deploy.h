/*
 * deploy.h - a vLLM server configuration turned into a ready engine: the
 * model (catalog name, Hugging Face id or config.json), its precision, the
 * hardware profile, vLLM's memory accounting and the cost model, as one
 * struct sim_config the engine takes.
 *
 * Ownership: deploy_new() returns a deploy you free with deploy_free();
 * d->cfg points into it (work, cost) and is valid until then.
 */
#ifndef CAPSIM_CLIENT_DEPLOY_H
#define CAPSIM_CLIENT_DEPLOY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/memory.h"
#include "model/model.h"
#include "profile/profile.h"
#include "sim/sim.h"

/* The server, flag by flag as `vllm serve` takes it. deploy_args_init()
 * fills in vLLM's own defaults on GB10 (the table in deploy.c is their one
 * home); a scenario's server section goes over them, the command line's
 * flags over that. A zero number or NULL string still means the default. */
struct deploy_args {
    const char *model;              /* capsim's default model, gemma-4-26b-a4b-it */
    const char *model_json;         /* a config.json's text (model names it), or NULL:
                                     * the field set's built-in models */
    const char *precision;          /* NULL: the checkpoint's own */
    const char *kv_cache_dtype;     /* "auto" */
    double gpu_memory_utilization;  /* 0.9 */
    uint32_t max_model_len;         /* 0: the model's maximum */
    uint32_t max_num_batched_tokens;/* 2048 */
    uint32_t max_num_seqs;          /* 256 */
    int async_scheduling;           /* 1: on; 0 off; -1 vLLM's default (on) */
    int enable_prefix_caching;      /* 1: on; 0 off; -1 vLLM's default (on in v1) */
    const char *prefix_caching_hash_algo; /* NULL: sha256, vLLM's default; no effect on timing */
    uint32_t num_speculative_tokens;
    double spec_mean_accepted;      /* accepted draft tokens per step, mean */
    enum spec_method spec_method;   /* the drafter (default SPEC_MTP: the model's MTP block) */
    bool spec_parallel_drafting;    /* speculative_config's parallel_drafting */
    bool language_model_only;
    bool mamba_cache_fp32;
    const char *linear_backend;     /* vLLM --linear-backend; NULL: its GB10 default */
    const char *moe_backend;        /* vLLM --moe-backend */
    bool force_fp8_marlin;          /* VLLM_TEST_FORCE_FP8_MARLIN=1 */
    bool sm120_fp4_kernels;         /* the vLLM build has its SM120 NVFP4 kernels (official images do not) */
    const char *const *env;         /* vLLM's environment, NAME=VALUE each (kpath_apply_env) */
    size_t n_env;
    const char *profile_name;       /* "gb10" if neither name nor file */
    const char *profile_file;
    const struct profile *profile;  /* overrides both (calibration) */
};

/* What a deploy runs with, every default resolved: what every command
 * prints (text: as `vllm serve` flags; JSON: the scenario's "server" keys). */
struct deploy_settings {
    char model[128];
    char precision[16];
    char kv_cache_dtype[16];
    double gpu_memory_utilization;
    uint32_t max_model_len, max_num_batched_tokens, max_num_seqs;
    bool async_scheduling, enable_prefix_caching, language_model_only;
    char spec_method[16];           /* "" when num_speculative_tokens is 0 */
    uint32_t num_speculative_tokens;
    double spec_acceptance;
    char linear_backend[32], moe_backend[32]; /* "" = vLLM's choice */
    char hardware[32];
};

struct deploy {
    struct model *model;
    struct deploy_settings settings;
    struct profile profile;
    enum dtype precision;
    enum kv_dtype kv;
    struct kernel_backends kb;      /* the flags as parsed */
    struct model_paths paths;       /* the kernels they choose (model_kernel_paths) */
    struct model_work work;
    struct memory_report mem;
    struct cost_model *cost;
    struct sim_config cfg;
};

/* Fill a with vLLM's defaults on GB10. */
void deploy_args_init(struct deploy_args *a);
int deploy_new(const struct deploy_args *a, struct deploy **out, struct cs_err *err);
void deploy_free(struct deploy *d);

/* "--model M --precision P --kv-cache-dtype K ... --hardware H": the
 * settings as flags any command takes, so a line can be copied. */
void deploy_settings_format(const struct deploy_settings *s, char *buf, size_t n);
/* The settings as a JSON object keyed as a scenario's "server" section;
 * you own it (cJSON_Delete, or add it to a tree). NULL if out of memory. */
struct cJSON *deploy_settings_json(const struct deploy_settings *s);

#endif /* CAPSIM_CLIENT_DEPLOY_H */
