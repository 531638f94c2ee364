/*
 * model.h - a model's architecture, read from a Hugging Face config.json
 * (text_config nesting included) or from the built-in catalog
 * (model/catalog/<name>.json, built from ../shared/models facts), and what
 * follows from it for one precision: parameter counts, weight bytes per
 * part and kernel path, KV bytes per token, recurrent state, and the
 * per-step work constants the cost model needs (model/work.h).
 *
 * Ownership: model_load() gives you a model to release with model_free().
 * Strings returned by accessors borrow from the model.
 */
#ifndef CAPSIM_MODEL_MODEL_H
#define CAPSIM_MODEL_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "model/kernel_path.h"
#include "model/precision.h"
#include "model/work.h"

struct model;
struct cJSON;

/* Life cycle */
/* `name` is, in this order:
 *   1. an existing path: a file is read as a config.json (any name, with
 *      or without a directory part); a directory must hold a config.json
 *      (the Hugging Face download layout);
 *   2. a catalog short name ("gemma-4-26b-a4b-it") or a Hugging Face id
 *      of a catalog model ("google/gemma-4-26B-A4B-it", case-insensitive);
 *   3. otherwise, a name starting with '.' or '/' or ending in ".json" is
 *      a missing file (the error names it); any other name is unknown, and
 *      the error says which catalog names are close.
 * So a local copy wins over the catalog entry of the same spelling. In a
 * Hugging Face config.json the keys capsim reads are type- and range-
 * checked and every other key is ignored; only the catalog's "_capsim"
 * block, capsim's own format, rejects unknown keys. */
int model_load(const char *name, struct model **out, struct cs_err *err);
/* Parse config.json text; `file` names it in messages. */
int model_parse(const char *file, const char *text, struct model **out, struct cs_err *err);
void model_free(struct model *m);

/* Queries */
const char *model_name(const struct model *m);       /* short name */
const char *model_hf_id(const struct model *m);      /* "" if unknown */
const char *model_type_label(const struct model *m); /* "dense", "moe", "hybrid-gdn+moe", ... */
uint32_t model_max_position(const struct model *m);  /* max_position_embeddings (0 if unknown) */
double model_params_total(const struct model *m);    /* text model, incl. embeddings */
double model_params_active(const struct model *m);   /* per token, incl. embeddings/lm_head */

/* The precision a checkpoint name implies when the user gives none
 * (e.g. the "bf16" Ministral-3 runs load FP8 weights). */
enum dtype model_default_precision(const struct model *m);

/* Fill the per-step work constants for weights in `weights` running
 * through the kernels `kb` chooses (NULL: vLLM 0.26's defaults on GB10),
 * with the KV cache in `kv`. Errors if the model cannot be served in that
 * precision. */
int model_work_init(const struct model *m, enum dtype weights, const struct kernel_backends *kb,
                    enum kv_dtype kv, struct model_work *out, struct cs_err *err);

/* The kernels vLLM runs this model's weights through in `weights` under
 * `kb` (NULL: its defaults): dense linears, and routed experts when the
 * model has them. An impossible backend request is a usage error. */
struct model_paths {
    enum weight_format linear_format, expert_format;
    struct kpath_choice linear, experts;
    bool has_experts;
};
int model_kernel_paths(const struct model *m, enum dtype weights, const struct kernel_backends *kb,
                       struct model_paths *out, struct cs_err *err);

/* Where the checkpoint priced for `weights` comes from: published (its
 * Hugging Face id, "" for a user's own config.json) or hypothetical, in
 * which case capsim stores every linear but the LM head and embeddings
 * in `weights`. `note` says what the catalog knows of a published one
 * (which tensors stay in higher precision). Strings borrow from m. */
struct model_provenance {
    bool published;
    const char *hf_id;
    const char *note;
};
void model_checkpoint_provenance(const struct model *m, enum dtype weights, struct model_provenance *out);

/* Bytes of weights vLLM loads for this precision (language model only
 * when language_model_only, else with vision/audio encoders). */
double model_weight_bytes(const struct model *m, enum dtype weights, bool language_model_only);

/* Bytes of the MTP drafter's weights (0 if the model has no MTP layers),
 * loaded on top of model_weight_bytes() when speculative decoding uses it. */
double model_mtp_weight_bytes(const struct model *m, enum dtype weights);

/* Add the MTP drafter's per-step work for `passes` draft tokens to w
 * (after model_work_init with the same weights). No-op for a model
 * without MTP layers. */
void model_work_add_mtp_drafter(const struct model *m, enum dtype weights, uint32_t passes,
                                struct model_work *w);

/* How speculative decoding drafts: the "method" of vLLM's
 * --speculative-config. */
enum spec_method {
    SPEC_MTP,    /* the model's own MTP block ("mtp", "deepseek_mtp", ...; the default) */
    SPEC_DFLASH, /* a DFlash block-diffusion drafter: the whole block in one pass */
    SPEC_OTHER,  /* a drafter capsim does not size (ngram, eagle, draft_model, ...): unpriced */
};

/* "mtp", any "*_mtp", "dflash", or another method vLLM knows; NULL or ""
 * is SPEC_MTP. An unknown name is a usage error naming `what`. */
int spec_method_parse(const char *s, const char *what, enum spec_method *out, struct cs_err *err);

/* What else a --speculative-config says that changes cost:
 * parallel_drafting (the drafter runs all k positions in one pass), and
 * the mean accepted draft tokens a synthetic rejection sampler forces
 * (synthetic_acceptance_length - 1; -1: not set). */
struct spec_options {
    bool parallel_drafting;
    double accepted;
};

/* vLLM's --speculative-config object: every key vLLM's SpeculativeConfig
 * takes is accepted; "method" (default mtp), "num_speculative_tokens"
 * (1-64; required unless *k is already set), "parallel_drafting",
 * "rejection_sample_method" with "synthetic_acceptance_length", and
 * "moe_backend" (validated) are read. Unknown keys, a method vLLM does not
 * know and out-of-range values are errors naming `file` and `path`. `opt`
 * may be NULL. */
int spec_config_parse(const struct cJSON *o, const char *file, const char *path,
                      enum spec_method *method, uint32_t *k, struct spec_options *opt,
                      struct cs_err *err);

/* Layers of a DFlash drafter. Its checkpoint names them, but capsim sees
 * only the method: z-lab's DFlash drafters and those trained with
 * SpecForge's DFlash recipe have 5 decoder layers of the target's width,
 * reading the hidden states of 5 target layers. */
#define MODEL_DFLASH_LAYERS 5u

/* Bytes of a DFlash drafter's weights for this model (BF16, as published):
 * MODEL_DFLASH_LAYERS decoder layers the size of the target's average
 * active layer, and the projection of the target's hidden states. It
 * shares the target's embedding and LM head. */
double model_dflash_weight_bytes(const struct model *m);

/* Weights and full-attention KV layers a drafter adds to the server's
 * memory when speculative decoding is on (0 for SPEC_OTHER, and for MTP
 * on a model without MTP layers). */
double model_drafter_weight_bytes(const struct model *m, enum dtype weights, enum spec_method method);
uint32_t model_drafter_kv_layers(const struct model *m, enum spec_method method);

/* Add the drafter's per-step work for k draft tokens to w (after
 * model_work_init with the same weights and KV dtype): an MTP drafter
 * runs k passes of one token per request, a DFlash drafter one pass over
 * the request's k + 1 block positions. No-op for k = 0 or SPEC_OTHER. */
void model_work_add_drafter(const struct model *m, enum dtype weights, enum kv_dtype kv,
                            enum spec_method method, uint32_t k, struct model_work *w);

/* parallel_drafting: the drafter's k sequential passes of one position
 * become one pass over all k positions (after model_work_add_drafter). */
void model_work_parallel_drafting(struct model_work *w);

#endif /* CAPSIM_MODEL_MODEL_H */
