/*
 * model.c - load a model (catalog entry, Hugging Face id or config.json
 * path) and turn its facts into weight bytes and per-step work for one
 * precision. Catalog entries carry normalised facts in "_capsim" (built by
 * scripts/build_catalog.py from shared/models); a user's config.json (a
 * file, or a model directory holding one) is reduced to the same facts by
 * model_derive().
 */
#include "model/kernel_path.h"
#include "model/model_impl.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/embedded.h"
#include "common/json.h"
#include "common/strutil.h"
#include "common/xalloc.h"

/* The "_capsim" block of a catalog entry is capsim's own file format, so
 * an unknown key there is an error (a typo would silently drop a fact).
 * The Hugging Face keys around it are not: model_derive() reads the keys
 * capsim needs and ignores the rest, as transformers and vLLM do. */
static const char *const capsim_keys[] = { "name", "hf_ids", "default_precision_by_hf_id", "type",
                                           "confidence", "source", "params", "moe", "attention",
                                           "kv", "checkpoints" };
static const char *const capsim_params_keys[] = { "total", "active", "embedding", "lm_head",
                                                  "lm_head_untied", "per_layer_embedding", "mtp",
                                                  "vision", "audio" };
static const char *const capsim_moe_keys[] = { "layers", "experts", "top_k", "expert_params" };
static const char *const capsim_attention_keys[] = { "q_heads", "head_dim_full", "head_dim_sliding" };
static const char *const capsim_kv_keys[] = {
    "full_layers", "sliding_layers", "sliding_window", "elements_per_token_full_layer",
    "elements_per_token_sliding_layer", "recurrent_layers", "recurrent_conv_bytes_per_layer",
    "recurrent_ssm_bytes_per_layer",
};
static const char *const capsim_checkpoint_keys[] = { "experts", "other", "mlp", "fp8_block", "note" };

/* ---------------------------------------------------------------- catalog facts */

static int num(const cJSON *o, const char *key, double *out, const char *file, const char *path,
               struct cs_err *err)
{
    *out = 0;
    return json_get_number(o, key, false, 0, 1e15, out, file, path, err);
}

static int u32(const cJSON *o, const char *key, uint32_t *out, const char *file,
               const char *path, struct cs_err *err)
{
    double d = 0;
    int rc = num(o, key, &d, file, path, err);
    *out = (uint32_t)d;
    return rc;
}

static int parse_capsim(const char *file, const cJSON *cs, struct model *m, struct cs_err *err)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(cs, "params");
    const cJSON *moe = cJSON_GetObjectItemCaseSensitive(cs, "moe");
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(cs, "attention");
    const cJSON *kv = cJSON_GetObjectItemCaseSensitive(cs, "kv");
    if (!cJSON_IsObject(p) || !cJSON_IsObject(moe) || !cJSON_IsObject(at) || !cJSON_IsObject(kv))
        return cs_err_set(err, CS_EINPUT, "%s: ._capsim: needs params, moe, attention and kv objects",
                          file);
    int rc;
    if ((rc = json_check_keys(cs, capsim_keys, CS_ARRAY_LEN(capsim_keys), file, "._capsim", err)) ||
        (rc = json_check_keys(p, capsim_params_keys, CS_ARRAY_LEN(capsim_params_keys), file,
                              "._capsim.params", err)) ||
        (rc = json_check_keys(moe, capsim_moe_keys, CS_ARRAY_LEN(capsim_moe_keys), file,
                              "._capsim.moe", err)) ||
        (rc = json_check_keys(at, capsim_attention_keys, CS_ARRAY_LEN(capsim_attention_keys), file,
                              "._capsim.attention", err)) ||
        (rc = json_check_keys(kv, capsim_kv_keys, CS_ARRAY_LEN(capsim_kv_keys), file, "._capsim.kv", err)))
        return rc;
    if ((rc = num(p, "total", &m->p_total, file, "._capsim.params", err)) ||
        (rc = num(p, "active", &m->p_active, file, "._capsim.params", err)) ||
        (rc = num(p, "embedding", &m->p_embedding, file, "._capsim.params", err)) ||
        (rc = num(p, "lm_head", &m->p_lm_head, file, "._capsim.params", err)) ||
        (rc = num(p, "lm_head_untied", &m->p_lm_head_untied, file, "._capsim.params", err)) ||
        (rc = num(p, "per_layer_embedding", &m->p_ple, file, "._capsim.params", err)) ||
        (rc = num(p, "mtp", &m->p_mtp, file, "._capsim.params", err)) ||
        (rc = num(p, "vision", &m->p_vision, file, "._capsim.params", err)) ||
        (rc = num(p, "audio", &m->p_audio, file, "._capsim.params", err)) ||
        (rc = u32(moe, "layers", &m->moe_layers, file, "._capsim.moe", err)) ||
        (rc = u32(moe, "experts", &m->experts, file, "._capsim.moe", err)) ||
        (rc = u32(moe, "top_k", &m->top_k, file, "._capsim.moe", err)) ||
        (rc = num(moe, "expert_params", &m->expert_params, file, "._capsim.moe", err)) ||
        (rc = u32(at, "q_heads", &m->q_heads, file, "._capsim.attention", err)) ||
        (rc = u32(at, "head_dim_full", &m->head_dim_full, file, "._capsim.attention", err)) ||
        (rc = u32(at, "head_dim_sliding", &m->head_dim_swa, file, "._capsim.attention", err)) ||
        (rc = u32(kv, "full_layers", &m->kv_full_layers, file, "._capsim.kv", err)) ||
        (rc = u32(kv, "sliding_layers", &m->kv_swa_layers, file, "._capsim.kv", err)) ||
        (rc = u32(kv, "sliding_window", &m->swa_window, file, "._capsim.kv", err)) ||
        (rc = u32(kv, "elements_per_token_full_layer", &m->kv_el_full, file, "._capsim.kv", err)) ||
        (rc = u32(kv, "elements_per_token_sliding_layer", &m->kv_el_swa, file, "._capsim.kv", err)) ||
        (rc = u32(kv, "recurrent_layers", &m->rec_layers, file, "._capsim.kv", err)) ||
        (rc = num(kv, "recurrent_conv_bytes_per_layer", &m->rec_conv_bytes, file, "._capsim.kv", err)) ||
        (rc = num(kv, "recurrent_ssm_bytes_per_layer", &m->rec_ssm_bytes, file, "._capsim.kv", err)))
        return rc;
    const char *s = NULL;
    if ((rc = json_get_string(cs, "type", false, &s, file, "._capsim", err)))
        return rc;
    snprintf(m->type, sizeof m->type, "%s", s ? s : "dense");
    s = NULL;
    if ((rc = json_get_string(cs, "name", true, &s, file, "._capsim", err)))
        return rc;
    snprintf(m->name, sizeof m->name, "%s", s);
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(cs, "hf_ids");
    const cJSON *defs = cJSON_GetObjectItemCaseSensitive(cs, "default_precision_by_hf_id");
    const cJSON *it;
    cJSON_ArrayForEach(it, ids)
    {
        if (!cJSON_IsString(it) || m->n_hf_ids >= MODEL_MAX_IDS)
            continue;
        snprintf(m->hf_ids[m->n_hf_ids], sizeof m->hf_ids[0], "%s", it->valuestring);
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(defs, it->valuestring);
        snprintf(m->hf_id_precision[m->n_hf_ids], sizeof m->hf_id_precision[0], "%s",
                 cJSON_IsString(d) ? d->valuestring : "bf16");
        m->n_hf_ids++;
    }
    if (m->n_hf_ids)
        snprintf(m->hf_id, sizeof m->hf_id, "%s", m->hf_ids[0]);
    const cJSON *ck = cJSON_GetObjectItemCaseSensitive(cs, "checkpoints");
    cJSON_ArrayForEach(it, ck)
    {
        if (m->n_ck >= MODEL_MAX_CKPT)
            break;
        struct model_checkpoint *c = &m->ck[m->n_ck];
        char where[64];
        snprintf(where, sizeof where, "._capsim.checkpoints.%.32s", it->string);
        if ((rc = json_check_keys(it, capsim_checkpoint_keys, CS_ARRAY_LEN(capsim_checkpoint_keys), file,
                                  where, err)))
            return rc;
        snprintf(c->precision, sizeof c->precision, "%s", it->string);
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(it, "experts");
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(it, "other");
        const cJSON *mlp = cJSON_GetObjectItemCaseSensitive(it, "mlp");
        if (!cJSON_IsString(e) || !cJSON_IsString(o) ||
            dtype_parse(e->valuestring, &c->experts, NULL) ||
            dtype_parse(o->valuestring, &c->other, NULL))
            return cs_err_set(err, CS_EINPUT, "%s: ._capsim.checkpoints.%s: experts and other must be precisions",
                              file, it->string);
        c->mlp = c->other;
        if (mlp && (!cJSON_IsString(mlp) || dtype_parse(mlp->valuestring, &c->mlp, NULL)))
            return cs_err_set(err, CS_EINPUT, "%s: ._capsim.checkpoints.%s.mlp: must be a precision",
                              file, it->string);
        const cJSON *blk = cJSON_GetObjectItemCaseSensitive(it, "fp8_block");
        if (blk && !cJSON_IsBool(blk))
            return cs_err_set(err, CS_EINPUT, "%s: ._capsim.checkpoints.%s.fp8_block: must be true or false",
                              file, it->string);
        c->fp8_block = cJSON_IsTrue(blk);
        const cJSON *note = cJSON_GetObjectItemCaseSensitive(it, "note");
        snprintf(c->note, sizeof c->note, "%s", cJSON_IsString(note) ? note->valuestring : "");
        m->n_ck++;
    }
    return CS_OK;
}

/* ---------------------------------------------------------------- loading */

/* The weight width of a compressed-tensors checkpoint: its first config
 * group's weights.num_bits (0 if it names none). */
static int compressed_tensors_bits(const char *file, const char *path, const cJSON *q, int64_t *bits,
                                   bool *block, struct cs_err *err)
{
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(q, "config_groups");
    const cJSON *g = cJSON_IsObject(groups) ? groups->child : NULL;
    const cJSON *w = g ? cJSON_GetObjectItemCaseSensitive(g, "weights") : NULL;
    *bits = 0;
    *block = false;
    if (!cJSON_IsObject(w))
        return CS_OK;
    char where[160];
    snprintf(where, sizeof where, "%s.config_groups.%.32s.weights", path, g->string);
    const char *strategy = NULL;
    int rc;
    if ((rc = json_get_int(w, "num_bits", false, 1, 64, bits, file, where, err)) ||
        (rc = json_get_string(w, "strategy", false, &strategy, file, where, err)))
        return rc;
    *block = strategy && strcmp(strategy, "block") == 0;
    return CS_OK;
}

/* A user's config.json describes the checkpoint it ships with: BF16 unless
 * its quantization_config names a format. Block-scaled FP8
 * (weight_block_size) matters: vLLM runs it through Marlin on GB10 (see
 * part_path()). capsim has no integer precisions: a 4-bit AWQ, GPTQ or
 * compressed-tensors checkpoint is priced as NVFP4 (4-bit weights with
 * group scales, 4.25 against 4.5 bits, through the same Marlin W4A16
 * kernels vLLM picks on GB10) and an 8-bit one as FP8 (the same bytes).
 * A method capsim does not know leaves BF16; --precision overrides. */
static int user_checkpoint(const char *file, const cJSON *root, struct model *m, struct cs_err *err)
{
    struct model_checkpoint *c = &m->ck[0];
    *c = (struct model_checkpoint){ "bf16", DTYPE_BF16, DTYPE_BF16, DTYPE_BF16, false, "" };
    m->n_ck = 1;
    const char *path = ".quantization_config";
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(root, "quantization_config");
    if (!q) {
        q = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "text_config"),
                                             "quantization_config");
        path = ".text_config.quantization_config";
    }
    if (!q || cJSON_IsNull(q))
        return CS_OK;
    if (!cJSON_IsObject(q))
        return cs_err_set(err, CS_EINPUT, "%s: %s: must be an object", file, path);
    const char *method = NULL, *algo = NULL;
    int64_t bits = 4;
    bool block = cJSON_GetObjectItemCaseSensitive(q, "weight_block_size") != NULL;
    int rc;
    if ((rc = json_get_string(q, "quant_method", true, &method, file, path, err)) ||
        (rc = json_get_string(q, "quant_algo", false, &algo, file, path, err)))
        return rc;
    bool awq_gptq = strncmp(method, "awq", 3) == 0 || strncmp(method, "gptq", 4) == 0;
    if (awq_gptq && (rc = json_get_int(q, "bits", false, 1, 64, &bits, file, path, err)))
        return rc;
    if (strcmp(method, "compressed-tensors") == 0 &&
        (rc = compressed_tensors_bits(file, path, q, &bits, &block, err)))
        return rc;
    bool ct = strcmp(method, "compressed-tensors") == 0;
    if (strcmp(method, "fp8") == 0 || (strcmp(method, "modelopt") == 0 && algo && strcmp(algo, "FP8") == 0) ||
        ((awq_gptq || ct) && bits == 8)) {
        *c = (struct model_checkpoint){ "fp8", DTYPE_FP8, DTYPE_FP8, DTYPE_FP8, block, "" };
    } else if (awq_gptq && bits == 4) {
        /* GPTQ/AWQ INT4, group-quantized: vLLM runs it W4A16 through Marlin */
        *c = (struct model_checkpoint){ "int4", DTYPE_INT4, DTYPE_INT4, DTYPE_INT4, false, "" };
    } else if ((strcmp(method, "modelopt") == 0 && algo && strcmp(algo, "NVFP4") == 0) || (ct && bits == 4)) {
        *c = (struct model_checkpoint){ "nvfp4", DTYPE_NVFP4, DTYPE_NVFP4, DTYPE_NVFP4, false, "" };
    } else if (strcmp(method, "mxfp4") == 0) {
        if (m->experts == 0)
            return cs_err_set(err, CS_EINPUT, "%s: %s.quant_method: mxfp4 quantizes MoE experts; this model has none",
                              file, path);
        *c = (struct model_checkpoint){ "mxfp4", DTYPE_MXFP4, DTYPE_BF16, DTYPE_BF16, false, "" };
    }
    return CS_OK;
}

/* A user's model is named after its file, or after the directory of a
 * config.json ("models/Llama-3.1-8B/config.json" is "Llama-3.1-8B"). */
static void user_model_name(const char *file, char *out, size_t n)
{
    const char *base = strrchr(file, '/');
    if (!base || strcmp(base + 1, "config.json") != 0 || base == file) {
        snprintf(out, n, "%s", base ? base + 1 : file);
        return;
    }
    const char *dir = base;
    while (dir > file && dir[-1] != '/')
        dir--;
    int len = (int)(base - dir);
    if (len == 0 || (len == 1 && dir[0] == '.') || (len == 2 && strncmp(dir, "..", 2) == 0))
        snprintf(out, n, "config.json");
    else
        snprintf(out, n, "%.*s", len, dir);
}

int model_parse(const char *file, const char *text, struct model **out, struct cs_err *err)
{
    cJSON *root;
    int rc = json_parse_text(file, text, strlen(text), &root, err);
    if (rc)
        return rc;
    struct model *m = xcalloc(1, sizeof *m);
    if (!cJSON_IsObject(root)) {
        rc = cs_err_set(err, CS_EINPUT, "%s: .: a config.json must be an object", file);
        goto out;
    }
    /* The architecture facts from the keys, always: they validate the file. */
    if ((rc = model_derive(file, root, m, err)))
        goto out;
    const cJSON *cs = cJSON_GetObjectItemCaseSensitive(root, "_capsim");
    if (cs) {
        /* A catalog entry: its checked facts replace the formula's. */
        uint32_t maxpos = m->max_pos, H = m->hidden, L = m->layers, V = m->vocab, B = m->residual_blocks;
        uint32_t attn_full = m->attn_full_layers, attn_swa = m->attn_swa_layers;
        double dense_mlp = m->p_dense_mlp;
        struct model_shapes shape = m->shape;
        bool tied = m->tied;
        memset(m, 0, sizeof *m);
        m->max_pos = maxpos, m->hidden = H, m->layers = L, m->vocab = V, m->tied = tied;
        m->residual_blocks = B;
        m->attn_full_layers = attn_full, m->attn_swa_layers = attn_swa;
        m->p_dense_mlp = dense_mlp;
        m->shape = shape;
        if ((rc = parse_capsim(file, cs, m, err)))
            goto out;
    } else {
        /* A user's file: named after its file or directory, priced as shipped. */
        user_model_name(file, m->name, sizeof m->name);
        snprintf(m->type, sizeof m->type, "%s%s%s", m->moe_layers ? "moe" : "dense",
                 m->rec_layers ? "+hybrid" : "", m->kv_swa_layers ? "+swa" : "");
        if ((rc = user_checkpoint(file, root, m, err)))
            goto out;
    }
    m->default_precision = DTYPE_BF16;
    if (m->n_ck)
        dtype_parse(m->ck[0].precision, &m->default_precision, NULL);
    for (size_t i = 0; i < m->n_ck; i++)
        if (strcmp(m->ck[i].precision, "bf16") == 0)
            m->default_precision = DTYPE_BF16;
out:
    cJSON_Delete(root);
    if (rc) {
        free(m);
        return rc;
    }
    *out = m;
    return CS_OK;
}

static bool is_catalog_file(const struct embedded_file *f)
{
    return str_starts_with(f->path, "model/catalog/");
}

static int load_file(const char *path, struct model **out, struct cs_err *err)
{
    char *text;
    int rc = json_read_file(path, &text, NULL, err);
    if (rc)
        return rc;
    rc = model_parse(path, text, out, err);
    free(text);
    return rc;
}

/* The usual download layout (huggingface-cli download, a vLLM model
 * directory): a folder holding config.json beside the weights. */
static int load_dir(const char *dir, struct model **out, struct cs_err *err)
{
    char path[4096];
    size_t n = strlen(dir);
    int len = snprintf(path, sizeof path, "%s%sconfig.json", dir, n && dir[n - 1] == '/' ? "" : "/");
    struct stat st;
    if (len < 0 || (size_t)len >= sizeof path || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return cs_err_set(err, CS_EINPUT, "%s: a model directory must hold a config.json (none found)", dir);
    return load_file(path, out, err);
}

int model_load(const char *name, struct model **out, struct cs_err *err)
{
    /* An existing path wins over a catalog name or Hugging Face id of the
     * same spelling: it is what the user has on disk. */
    struct stat st;
    if (stat(name, &st) == 0)
        return S_ISDIR(st.st_mode) ? load_dir(name, out, err) : load_file(name, out, err);
    size_t n = strlen(name);
    bool looks_like_path = name[0] == '.' || name[0] == '/' || (n > 5 && strcmp(name + n - 5, ".json") == 0);
    if (looks_like_path)
        return load_file(name, out, err); /* names the missing file */
    /* Short name, or a Hugging Face id of a catalog model. */
    const char *names[64];
    size_t n_names = 0;
    for (size_t i = 0; i < embedded_files_count; i++) {
        const struct embedded_file *f = &embedded_files[i];
        if (!is_catalog_file(f))
            continue;
        const char *stem = f->path + strlen("model/catalog/");
        size_t len = strlen(stem) - strlen(".json");
        if (n_names < 64)
            names[n_names++] = stem;
        bool hit = strlen(name) == len && strncmp(stem, name, len) == 0;
        if (!hit && strchr(name, '/')) {
            /* look for the id among the entry's hf_ids */
            char quoted[160];
            snprintf(quoted, sizeof quoted, "\"%s\"", name);
            for (const char *p = f->text; (p = strchr(p, '"')) != NULL; p++)
                if (strncasecmp(p, quoted, strlen(quoted)) == 0) {
                    hit = true;
                    break;
                }
        }
        if (!hit)
            continue;
        int rc = model_parse(f->path, f->text, out, err);
        if (rc)
            return rc;
        struct model *m = *out;
        for (size_t j = 0; j < m->n_hf_ids; j++)
            if (strcasecmp(m->hf_ids[j], name) == 0) {
                snprintf(m->hf_id, sizeof m->hf_id, "%s", m->hf_ids[j]);
                dtype_parse(m->hf_id_precision[j], &m->default_precision, NULL);
            }
        return CS_OK;
    }
    char stems[64][96];
    const char *cands[64];
    for (size_t i = 0; i < n_names; i++) {
        snprintf(stems[i], sizeof stems[i], "%.*s", (int)(strlen(names[i]) - 5), names[i]);
        cands[i] = stems[i];
    }
    /* A name that is the start of exactly one catalog name ("qwen-3.6-35b")
     * means that one; otherwise the nearest by edit distance. */
    const char *near = NULL;
    size_t n_prefix = 0;
    for (size_t i = 0; i < n_names; i++)
        if (strncasecmp(cands[i], name, strlen(name)) == 0) {
            near = cands[i];
            n_prefix++;
        }
    if (n_prefix != 1)
        near = str_nearest(name, cands, n_names);
    if (near)
        return cs_err_set(err, CS_EINPUT, "unknown model '%s' (did you mean '%s'?)", name, near);
    return cs_err_set(err, CS_EINPUT, "unknown model '%s' (see 'capsim list models', or give a config.json or model directory)",
                      name);
}

void model_free(struct model *m)
{
    free(m);
}

/* ---------------------------------------------------------------- queries */

const char *model_name(const struct model *m) { return m->name; }
const char *model_hf_id(const struct model *m) { return m->hf_id; }
const char *model_type_label(const struct model *m) { return m->type; }
uint32_t model_max_position(const struct model *m) { return m->max_pos; }
double model_params_total(const struct model *m) { return m->p_total; }
double model_params_active(const struct model *m) { return m->p_active; }
enum dtype model_default_precision(const struct model *m) { return m->default_precision; }

/* How the checkpoint of precision d stores experts and other linears. A
 * precision with no listed checkpoint quantizes every linear layer. */
static struct model_checkpoint checkpoint_for(const struct model *m, enum dtype d)
{
    const char *name = dtype_traits(d)->name;
    for (size_t i = 0; i < m->n_ck; i++)
        if (strcmp(m->ck[i].precision, name) == 0)
            return m->ck[i];
    return (struct model_checkpoint){ "", d, d, d, false, "" };
}

static double expert_params_all(const struct model *m)
{
    return (double)m->moe_layers * m->experts * m->expert_params;
}

/* Linear weights outside the routed experts, the input embedding and the
 * LM head: attention, recurrent projections, dense MLPs, shared experts. */
static double other_params(const struct model *m)
{
    return m->p_total - m->p_embedding - m->p_lm_head_untied - m->p_ple - expert_params_all(m);
}

/* Dense-part bytes: dense MLPs in the checkpoint's mlp format, the rest
 * of the non-expert linears in its "other" format (Gemma-4-31B NVFP4
 * quantizes only the MLPs, param_check.md section 2). */
static double dense_bytes(const struct model *m, const struct model_checkpoint *c, double *mlp_bytes)
{
    double mlp = c->mlp == c->other ? 0.0 : m->p_dense_mlp;
    *mlp_bytes = mlp * dtype_traits(c->mlp)->bytes_per_param;
    return (other_params(m) - mlp) * dtype_traits(c->other)->bytes_per_param + *mlp_bytes;
}

double model_weight_bytes(const struct model *m, enum dtype weights, bool language_model_only)
{
    struct model_checkpoint c = checkpoint_for(m, weights);
    double bf16 = 2.0, mlp_bytes;
    double bytes = (m->p_embedding + m->p_lm_head_untied + m->p_ple) * bf16;
    bytes += expert_params_all(m) * dtype_traits(c.experts)->bytes_per_param;
    bytes += dense_bytes(m, &c, &mlp_bytes);
    if (!language_model_only)
        bytes += (m->p_vision + m->p_audio) * bf16;
    return bytes;
}

/* The MTP drafter (one decoder block of the main type plus a fusion
 * projection, param_check.md "Formulas"): in an MoE model that block holds
 * one MoE layer whose routed experts are stored like the other experts
 * (param_check.md section 2, Super: "routed experts (incl. MTP) NVFP4");
 * the rest is stored like the other linears. */
static double mtp_expert_params(const struct model *m)
{
    double experts = (double)m->experts * m->expert_params;
    return experts <= m->p_mtp ? experts : 0.0;
}

double model_mtp_weight_bytes(const struct model *m, enum dtype weights)
{
    if (m->p_mtp <= 0)
        return 0;
    struct model_checkpoint c = checkpoint_for(m, weights);
    double experts = mtp_expert_params(m);
    return experts * dtype_traits(c.experts)->bytes_per_param +
           (m->p_mtp - experts) * dtype_traits(c.other)->bytes_per_param;
}

void model_work_add_mtp_drafter(const struct model *m, enum dtype weights, uint32_t passes,
                                struct model_work *w)
{
    if (m->p_mtp <= 0 || passes == 0)
        return;
    struct model_checkpoint c = checkpoint_for(m, weights);
    double experts = mtp_expert_params(m);
    w->drafter_moe = experts > 0;
    double dense = m->p_mtp - experts;
    w->drafter.bytes = dense * dtype_traits(c.other)->bytes_per_param;
    w->drafter.flops_per_token = 2.0 * dense;
    w->drafter.path = w->dense.path;
    w->drafter_passes = passes;
    w->drafter_tokens = 1;
    w->drafter_logits = 1;
}

int spec_method_parse(const char *s, const char *what, enum spec_method *out, struct cs_err *err)
{
    /* vLLM's SpeculativeConfig methods that bring their own draft weights
     * or none (ngram, suffix): capsim runs them with the given acceptance
     * and no drafter cost. */
    static const char *const unpriced[] = { "ngram", "suffix", "medusa", "mlp_speculator",
                                            "draft_model", "eagle", "eagle3" };
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || strcmp(s, "mtp") == 0 || (n > 4 && strcmp(s + n - 4, "_mtp") == 0)) {
        *out = SPEC_MTP;
        return CS_OK;
    }
    if (strcmp(s, "dflash") == 0) {
        *out = SPEC_DFLASH;
        return CS_OK;
    }
    for (size_t i = 0; i < sizeof unpriced / sizeof *unpriced; i++)
        if (strcmp(s, unpriced[i]) == 0) {
            *out = SPEC_OTHER;
            return CS_OK;
        }
    return cs_err_set(err, CS_EUSAGE,
                      "%s: unknown speculative method '%s' (mtp, dflash, eagle, eagle3, ngram, "
                      "draft_model, ...)",
                      what, s);
}

int spec_config_parse(const cJSON *o, const char *file, const char *path,
                      enum spec_method *method, uint32_t *k, struct spec_options *opt,
                      struct cs_err *err)
{
    /* Every key of vLLM's SpeculativeConfig (vllm/config/speculative.py).
     * Those that change a step's cost are read: method and
     * num_speculative_tokens; parallel_drafting (one drafter pass for all
     * k positions); rejection_sample_method "synthetic" with
     * synthetic_acceptance_length (the acceptance the engine forces).
     * The rest (the drafter's checkpoint, its kernels, TP, sampling
     * details) are accepted and do not change what capsim prices; a
     * drafter's moe_backend must still name a backend vLLM has. */
    static const char *const keys[] = {
        "method", "num_speculative_tokens", "model", "enforce_eager", "draft_tensor_parallel_size",
        "tensor_parallel_size", "quantization", "moe_backend", "attention_backend", "kv_cache_dtype",
        "max_model_len", "revision", "code_revision", "index_share_for_mtp_iteration",
        "disable_padded_drafter_batch", "disable_eagle_block_drop", "use_local_argmax_reduction",
        "use_heterogeneous_vocab", "prompt_lookup_max", "prompt_lookup_min", "parallel_drafting",
        "num_speculative_tokens_per_batch_size", "suffix_decoding_max_tree_depth",
        "suffix_decoding_max_cached_requests", "suffix_decoding_max_spec_factor",
        "suffix_decoding_min_token_prob", "draft_load_config", "rejection_sample_method",
        "synthetic_acceptance_rates", "synthetic_acceptance_length", "enable_adaptive_verification",
        "draft_sample_method", "dspark_draft_topk", "speculative_token_tree",
    };
    if (!cJSON_IsObject(o))
        return cs_err_set(err, CS_EINPUT, "%s: %s: must be a JSON object", file, *path ? path : ".");
    const char *name = NULL, *drafter = NULL, *moe = NULL, *reject = NULL;
    int64_t n = *k;
    bool parallel = false;
    double length = 0;
    char field[320];
    int rc;
    if ((rc = json_check_keys(o, keys, sizeof keys / sizeof *keys, file, path, err)) ||
        (rc = json_get_string(o, "method", false, &name, file, path, err)) ||
        (rc = json_get_string(o, "model", false, &drafter, file, path, err)) ||
        (rc = json_get_string(o, "moe_backend", false, &moe, file, path, err)) ||
        (rc = json_get_string(o, "rejection_sample_method", false, &reject, file, path, err)) ||
        (rc = json_get_bool(o, "parallel_drafting", false, &parallel, file, path, err)) ||
        (rc = json_get_number(o, "synthetic_acceptance_length", false, 1, 65, &length, file, path, err)) ||
        (rc = json_get_int(o, "num_speculative_tokens", n == 0, 1, 64, &n, file, path, err)))
        return rc;
    snprintf(field, sizeof field, "%s: %s.method", file, path);
    if ((rc = spec_method_parse(name, field, method, err)))
        return rc;
    enum kernel_backend kb;
    snprintf(field, sizeof field, "%s: %s.moe_backend", file, path);
    if (moe && (rc = kernel_backend_parse(moe, field, &kb, err)))
        return rc;
    if (length > 0 && (!reject || strcmp(reject, "synthetic") != 0))
        return cs_err_set(err, CS_EINPUT, "%s: %s.synthetic_acceptance_length: only with "
                          "\"rejection_sample_method\": \"synthetic\"", file, path);
    if (length > (double)n + 1)
        return cs_err_set(err, CS_EINPUT, "%s: %s.synthetic_acceptance_length: at most "
                          "num_speculative_tokens + 1 = %lld (got %g)", file, path, (long long)n + 1, length);
    *k = (uint32_t)n;
    if (opt)
        *opt = (struct spec_options){ parallel, length > 0 ? length - 1.0 : -1.0 };
    return CS_OK;
}

/* A DFlash drafter layer is a decoder layer of the target's width; for a
 * hybrid or MoE target the average active layer stands in for it (the
 * drafter's layers attend and run a dense MLP). */
static double dflash_params(const struct model *m)
{
    double body = m->p_active - m->p_embedding - m->p_lm_head_untied - m->p_ple;
    double layer = m->layers ? body / m->layers : 0.0;
    double fusion = (double)MODEL_DFLASH_LAYERS * m->hidden * m->hidden;
    return MODEL_DFLASH_LAYERS * layer + fusion;
}

double model_dflash_weight_bytes(const struct model *m)
{
    return dflash_params(m) * 2.0;
}

double model_drafter_weight_bytes(const struct model *m, enum dtype weights, enum spec_method method)
{
    switch (method) {
    case SPEC_MTP:
        return model_mtp_weight_bytes(m, weights);
    case SPEC_DFLASH:
        return model_dflash_weight_bytes(m);
    default:
        return 0.0;
    }
}

uint32_t model_drafter_kv_layers(const struct model *m, enum spec_method method)
{
    switch (method) {
    case SPEC_MTP:
        return m->p_mtp > 0 ? 1 : 0; /* the MTP block's attention layer */
    case SPEC_DFLASH:
        return MODEL_DFLASH_LAYERS;
    default:
        return 0;
    }
}

void model_work_add_drafter(const struct model *m, enum dtype weights, enum kv_dtype kv,
                            enum spec_method method, uint32_t k, struct model_work *w)
{
    if (k == 0)
        return;
    if (method == SPEC_MTP) {
        model_work_add_mtp_drafter(m, weights, k, w);
        return;
    }
    if (method != SPEC_DFLASH)
        return;
    w->drafter.bytes = model_dflash_weight_bytes(m);
    w->drafter.flops_per_token = 2.0 * dflash_params(m);
    w->drafter.path = KPATH_BF16;
    w->drafter_moe = false;
    w->drafter_passes = 1;
    w->drafter_tokens = k + 1;
    w->drafter_logits = k;
    double kvb = kv_dtype_bytes(kv);
    uint32_t el = m->kv_el_full ? m->kv_el_full : m->kv_el_swa; /* the target's head layout */
    w->drafter_kv_bytes_per_token = (double)MODEL_DFLASH_LAYERS * el * kvb;
}

/* Split a part's bytes into the matrix kinds Marlin's re-reads depend
 * on (sim/cost.c): `share` of the bytes in matrices `n` wide, over
 * `layers` copies. */
static void part_add_matrix(struct work_part *p, double n, double share, double layers)
{
    if (share <= 0 || layers <= 0 || p->n_matrices >= WORK_MAX_MATRICES)
        return;
    double bytes = p->bytes * share;
    p->m[p->n_matrices++] = (struct work_matrix){ n, bytes / layers, bytes };
}

/* Dense MLP layers: their parameters over one layer's. */
static double mlp_layers(const struct model *m)
{
    const struct model_shapes *sh = &m->shape;
    double per_layer = (sh->ffn_gated ? 3.0 : 2.0) * m->hidden * sh->ffn_width;
    return per_layer > 0 ? m->p_dense_mlp / per_layer : 0.0;
}

/* Matrix kinds of the dense part: the MLPs' up (gate and up fused) and
 * down projections, and the token mixers' projections, taken as 2H wide
 * (fused QKV or a recurrent in_proj beside an H-wide output projection).
 * And the activations each token feeds the part's GEMMs (sum of K). */
static void dense_matrices(const struct model *m, double mlp_param_share, struct work_part *p)
{
    const struct model_shapes *sh = &m->shape;
    double H = m->hidden, I = sh->ffn_width, L = mlp_layers(m);
    double up_n = sh->ffn_gated ? 2.0 * I : I;
    if (L > 0 && mlp_param_share > 0) {
        part_add_matrix(p, up_n, mlp_param_share * up_n / (up_n + H), L);
        part_add_matrix(p, H, mlp_param_share * H / (up_n + H), L);
    }
    part_add_matrix(p, 2.0 * H, 1.0 - mlp_param_share, m->layers);
    p->act_in_per_token = L * (H + I) + (double)m->layers * 2.0 * H;
}

/* One routed expert of one layer: its up and down projections, and the
 * activations one token routed to it feeds them. */
static void expert_matrices(const struct model *m, struct work_part *p)
{
    const struct model_shapes *sh = &m->shape;
    double I = sh->expert_width, Hx = sh->expert_hidden;
    double up_n = sh->ffn_gated ? 2.0 * I : I;
    if (I <= 0)
        return;
    part_add_matrix(p, up_n, up_n / (up_n + Hx), 1.0);
    part_add_matrix(p, Hx, Hx / (up_n + Hx), 1.0);
    p->act_in_per_token = Hx + I;
}

/* Bytes each token moves through the element-wise kernels of one step,
 * in BF16 activations: per residual block the fused residual-add and
 * RMSNorm (read x and the residual, write both: 4H elements); per
 * attention layer rotary and the KV-cache write (about 2H); per dense
 * MLP the activation-and-mul (read the up projection's 2I, write I; relu2
 * reads and writes I); per MoE layer the same per routed expert plus the
 * weighted sum of the k expert outputs (read kH, write H); per recurrent
 * layer its convolution, gate and norm (about 4H). */
static double elementwise_bytes(const struct model *m)
{
    const struct model_shapes *sh = &m->shape;
    double H = m->hidden, el = 0.0;
    el += (double)m->residual_blocks * 4.0 * H;
    el += (double)(m->attn_full_layers + m->attn_swa_layers) * 2.0 * H;
    el += mlp_layers(m) * (sh->ffn_gated ? 3.0 : 2.0) * sh->ffn_width;
    if (m->moe_layers && m->experts) {
        double per_expert = (sh->ffn_gated ? 3.0 : 2.0) * sh->expert_width;
        el += (double)m->moe_layers * (m->top_k * (per_expert + H) + H);
    }
    el += (double)m->rec_layers * 4.0 * H;
    return el * 2.0; /* BF16 */
}

/* MLA (DeepSeek-V2/V3 attention, vLLM's MLACommonImpl in
 * vllm/model_executor/layers/attention/mla_attention.py): a prompt's
 * tokens attend in MHA form after kv_b_proj decompresses K and V
 * (forward_mha: qk head dim nope + rope, v_head_dim); a decoding token
 * attends absorbed, as MQA over the kv_lora_rank + rope latent
 * (forward_mqa, TRITON_MLA on SM 12.x). With chunked prefill each step
 * re-gathers a prompt's cached latents and runs kv_b_proj over all of
 * them again (_compute_prefill_context). Per layer, N heads, P nope,
 * R rope, V value, C latent rank (../shared/research/kernel-paths-sm121.md
 * section 5.5):
 *   prefill pair: 2N(P+R) + 2NV      decode pair: 2N(C+R) + 2NC
 *   context token each step: 2CN(P+V) FLOPs; bytes: gather the latent
 *   (C+R, at the KV dtype, and a BF16 copy), write kv_b's output N(P+V),
 *   build K (read NP, write N(P+R)) and read K and V once, in BF16. */
static void mla_work(const struct model *m, double kv_bytes, uint32_t layers, struct model_work *w)
{
    const struct model_shapes *sh = &m->shape;
    double N = m->q_heads, P = sh->mla_qk_nope, R = sh->mla_qk_rope, V = sh->mla_v, C = sh->mla_kv_lora;
    w->attn_flops_per_pair_full = (2.0 * N * (P + R) + 2.0 * N * V) * layers;
    w->head_dim_full = (uint32_t)(P + R > V ? P + R : V);
    w->attn_flops_per_pair_full_decode = (2.0 * N * (C + R) + 2.0 * N * C) * layers;
    w->head_dim_full_decode = (uint32_t)(C + R);
    w->mla_ctx_flops_per_token = 2.0 * C * N * (P + V) * layers;
    w->mla_ctx_bytes_per_token = ((C + R) * (kv_bytes + 2.0) +
                                  2.0 * (N * (P + V) + N * P + N * (P + R) + N * (P + R) + N * V)) * layers;
}

int model_kernel_paths(const struct model *m, enum dtype weights, const struct kernel_backends *kb,
                       struct model_paths *out, struct cs_err *err)
{
    struct model_checkpoint c = checkpoint_for(m, weights);
    double mlp_bytes;
    double dense = dense_bytes(m, &c, &mlp_bytes);
    /* A dense part that mixes formats runs in the path of the larger share
     * of its bytes (Gemma-4-31B NVFP4: BF16 attention outweighs the NVFP4
     * MLPs, so BF16). */
    enum dtype d = mlp_bytes > dense - mlp_bytes ? c.mlp : c.other;
    memset(out, 0, sizeof *out);
    out->linear_format = kpath_weight_format(d, c.fp8_block);
    int rc = kpath_choose(out->linear_format, GEMM_LINEAR, kb, &out->linear, err);
    if (rc)
        return rc;
    out->has_experts = m->moe_layers && m->experts;
    if (out->has_experts) {
        out->expert_format = kpath_weight_format(c.experts, c.fp8_block);
        rc = kpath_choose(out->expert_format, GEMM_EXPERTS, kb, &out->experts, err);
    }
    return rc;
}

void model_checkpoint_provenance(const struct model *m, enum dtype weights, struct model_provenance *out)
{
    const char *name = dtype_traits(weights)->name;
    *out = (struct model_provenance){ false, "", "" };
    for (size_t i = 0; i < m->n_hf_ids; i++)
        if (strcmp(m->hf_id_precision[i], name) == 0) {
            out->published = true;
            out->hf_id = m->hf_ids[i];
            break;
        }
    for (size_t i = 0; i < m->n_ck; i++)
        if (strcmp(m->ck[i].precision, name) == 0) {
            out->note = m->ck[i].note;
            if (!m->n_hf_ids && !*out->note) /* a user's config.json: the checkpoint it describes */
                out->published = true;
            return;
        }
    out->published = false;
}

int model_work_init(const struct model *m, enum dtype weights, const struct kernel_backends *kb,
                    enum kv_dtype kv, struct model_work *w, struct cs_err *err)
{
    if (m->experts == 0 && weights == DTYPE_MXFP4)
        return cs_err_set(err, CS_EINPUT, "%s: mxfp4 checkpoints quantize MoE experts; this model has none",
                          m->name);
    struct model_paths paths;
    int rc = model_kernel_paths(m, weights, kb, &paths, err);
    if (rc)
        return rc;
    struct model_checkpoint c = checkpoint_for(m, weights);
    memset(w, 0, sizeof *w);
    double other = other_params(m);
    double mlp_bytes;
    w->dense.bytes = dense_bytes(m, &c, &mlp_bytes);
    w->dense.flops_per_token = 2.0 * other;
    w->dense.path = paths.linear.path;
    dense_matrices(m, other > 0 ? m->p_dense_mlp / other : 0.0, &w->dense);
    /* The LM head stays BF16 in every quantized checkpoint we know. */
    w->lm_head.bytes = m->p_lm_head * 2.0;
    w->lm_head.flops_per_token = 2.0 * m->p_lm_head;
    w->lm_head.path = KPATH_BF16;
    if (paths.has_experts) {
        w->expert.bytes = m->expert_params * dtype_traits(c.experts)->bytes_per_param;
        w->expert.flops_per_token = 2.0 * m->expert_params;
        w->expert.path = paths.experts.path;
        expert_matrices(m, &w->expert);
        w->n_moe_layers = m->moe_layers;
        w->n_experts = m->experts;
        w->n_experts_active = m->top_k;
    }
    w->elementwise_bytes_per_token = elementwise_bytes(m);
    double kvb = kv_dtype_bytes(kv);
    w->kv_bytes_per_token_full = (double)m->kv_full_layers * m->kv_el_full * kvb;
    w->kv_bytes_per_token_swa = (double)m->kv_swa_layers * m->kv_el_swa * kvb;
    w->swa_window = m->kv_swa_layers ? m->swa_window : 0;
    /* QK^T and PV: 2 FLOPs per multiply-add, 2 matmuls, per query head, in
     * every layer that attends (KV-shared layers attend to an earlier
     * layer's cache: they compute but store nothing). */
    uint32_t att_full = m->attn_full_layers > m->kv_full_layers ? m->attn_full_layers : m->kv_full_layers;
    uint32_t att_swa = m->attn_swa_layers > m->kv_swa_layers ? m->attn_swa_layers : m->kv_swa_layers;
    w->attn_flops_per_pair_full = 4.0 * m->q_heads * m->head_dim_full * att_full;
    w->attn_flops_per_pair_swa = 4.0 * m->q_heads * m->head_dim_swa * att_swa;
    w->head_dim_full = m->head_dim_full;
    w->head_dim_swa = m->head_dim_swa;
    w->attn_flops_per_pair_full_decode = w->attn_flops_per_pair_full;
    w->head_dim_full_decode = w->head_dim_full;
    if (m->shape.mla_kv_lora)
        mla_work(m, kvb, att_full, w);
    w->state_bytes_per_seq = m->rec_layers * (m->rec_conv_bytes + m->rec_ssm_bytes);
    /* A recurrent update touches each fp32 state element a few times per
     * token (decay, outer-product update, readout): ~4 FLOPs each. */
    w->state_flops_per_token = 4.0 * m->rec_layers * (m->rec_ssm_bytes / 4.0);
    w->n_residual_blocks = m->residual_blocks;
    return CS_OK;
}

void model_work_parallel_drafting(struct model_work *w)
{
    if (w->drafter_passes <= 1 || w->drafter_tokens != 1)
        return;
    w->drafter_tokens = w->drafter_passes;
    w->drafter_logits = w->drafter_passes;
    w->drafter_passes = 1;
}
