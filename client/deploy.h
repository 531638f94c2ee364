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
#include <stdint.h>

#include "model/memory.h"
#include "model/model.h"
#include "profile/profile.h"
#include "sim/sim.h"

struct deploy_args {
    const char *model;              /* default gemma-4-26b-a4b-it */
    const char *model_json;         /* a config.json's text (model names it), or NULL:
                                     * the field set's built-in models */
    const char *precision;          /* NULL: the checkpoint's own */
    const char *kv_cache_dtype;     /* NULL: "auto" as vLLM */
    double gpu_memory_utilization;  /* 0: vLLM's 0.9 */
    uint32_t max_model_len;         /* 0: the model's maximum */
    uint32_t max_num_batched_tokens;/* 0: 2048, the effective default on GB10 (arena README) */
    uint32_t max_num_seqs;          /* 0: 256, the paired default */
    int async_scheduling;           /* -1: vLLM's default (on since 0.14) */
    int enable_prefix_caching;      /* -1: vLLM's default (on in v1) */
    const char *prefix_caching_hash_algo; /* NULL: sha256, vLLM's default; no effect on timing */
    uint32_t num_speculative_tokens;
    double spec_mean_accepted;      /* accepted draft tokens per step, mean */
    enum spec_method spec_method;   /* the drafter (default SPEC_MTP: the model's MTP block) */
    bool language_model_only;
    bool mamba_cache_fp32;
    const char *linear_backend;     /* vLLM --linear-backend; NULL: its GB10 default */
    const char *moe_backend;        /* vLLM --moe-backend */
    bool force_fp8_marlin;          /* VLLM_TEST_FORCE_FP8_MARLIN=1 */
    const char *profile_name;       /* "gb10" if neither name nor file */
    const char *profile_file;
    const struct profile *profile;  /* overrides both (calibration) */
};

struct deploy {
    struct model *model;
    struct profile profile;
    enum dtype precision;
    enum kv_dtype kv;
    struct model_work work;
    struct memory_report mem;
    struct cost_model *cost;
    struct sim_config cfg;
};

/* Fill a with vLLM's defaults (all zero/NULL, async and prefix caching -1). */
void deploy_args_init(struct deploy_args *a);
int deploy_new(const struct deploy_args *a, struct deploy **out, struct cs_err *err);
void deploy_free(struct deploy *d);

#endif /* CAPSIM_CLIENT_DEPLOY_H */
