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
#include "model/precision.h"
#include "model/work.h"

struct model;

/* Life cycle */
/* `name` is a catalog short name ("gemma-4-26b-a4b-it"), a Hugging Face id
 * ("google/gemma-4-26B-A4B-it", case-insensitive), or a path to a
 * config.json. Unknown names say which names are close. */
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

#endif /* CAPSIM_MODEL_MODEL_H */
