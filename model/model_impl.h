/*
 * model_impl.h - the facts a model is reduced to, shared by the model module and
 * tests. Every field is an architecture fact; derived sizes (bytes, FLOPs)
 * are computed from them in model.c and memory.c.
 */
#ifndef CAPSIM_MODEL_MODEL_IMPL_H
#define CAPSIM_MODEL_MODEL_IMPL_H

#include <cJSON.h>

#include "model/model.h"

#define MODEL_MAX_CKPT 8
#define MODEL_MAX_IDS 8

struct model_checkpoint {
    char precision[16];          /* the checkpoint's name: bf16, fp8, nvfp4, mxfp4 */
    enum dtype experts;          /* routed experts stored as */
    enum dtype other;            /* every other linear layer */
    enum dtype mlp;              /* dense (non-expert) MLPs; = other unless the checkpoint says */
    bool fp8_block;              /* FP8 with 128x128 block scales (Qwen's FP8 repos) */
    char note[200];              /* what the catalog knows of it ("" for a user's file) */
};

/* Matrix widths the kernel paths care about (Marlin's column tiles, MLA's
 * head dims), from the config keys. */
struct model_shapes {
    uint32_t ffn_width;          /* dense MLP intermediate_size (0: none) */
    bool ffn_gated;              /* gate and up projections (SiLU/GELU-and-mul), not relu2 */
    uint32_t expert_width;       /* routed expert intermediate width */
    uint32_t expert_hidden;      /* width experts read and write (hidden, or a latent) */
    uint32_t mla_kv_lora, mla_qk_nope, mla_qk_rope, mla_v;  /* 0: not MLA */
};

struct model {
    char name[96];
    char hf_id[128];
    char type[32];
    char hf_ids[MODEL_MAX_IDS][128];
    char hf_id_precision[MODEL_MAX_IDS][16];
    size_t n_hf_ids;
    uint32_t hidden, layers, vocab, q_heads, max_pos;
    uint32_t residual_blocks;    /* a token mixer or an FFN each */
    bool tied;
    /* parameters */
    double p_total, p_active, p_embedding, p_lm_head, p_lm_head_untied, p_ple, p_mtp;
    double p_vision, p_audio;
    double p_dense_mlp;          /* dense FFN params (not experts, not shared experts), from the keys */
    /* MoE */
    uint32_t moe_layers, experts, top_k;
    double expert_params;
    /* attention */
    uint32_t head_dim_full, head_dim_swa;
    uint32_t kv_full_layers, kv_swa_layers, swa_window;  /* layers that store K/V */
    uint32_t attn_full_layers, attn_swa_layers;          /* layers that compute attention (incl. KV-shared) */
    uint32_t kv_el_full, kv_el_swa;        /* K+V elements per token per layer */
    /* recurrent */
    uint32_t rec_layers;
    double rec_conv_bytes, rec_ssm_bytes;  /* per layer per sequence */
    struct model_shapes shape;
    struct model_checkpoint ck[MODEL_MAX_CKPT];
    size_t n_ck;
    enum dtype default_precision;
};

/* Fill facts from raw config.json keys (no "_capsim"): parameter formulas of
 * shared/models/param_check.md. Used for user files and to cross-check the
 * catalog in tests. */
int model_derive(const char *file, const cJSON *cfg, struct model *m, struct cs_err *err);

#endif /* CAPSIM_MODEL_MODEL_IMPL_H */
