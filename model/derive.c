/*
 * derive.c - a model's facts from the keys of a Hugging Face config.json
 * (text_config nesting included), with the parameter formulas of
 * shared/models/param_check.md:
 *   attention   H*nq*hd (x2 with a gated output) + 2*H*nkv*hd + nq*hd*H
 *   gated FFN   3*H*I  (NemotronH relu^2 MLP and experts: 2*H*I)
 *   MoE layer   router H*E + E experts + shared expert
 *   GDN layer   H*(2*nk*dk + nv*dv) + H*nv*dv + 2*H*nv + conv_dim*k + nv*dv*H
 *   Mamba-2     H*(2*d_in + 2*g*n + h) + conv_dim*(k+1) + d_in*H
 * Every key read is type- and range-checked; inconsistent keys are named;
 * keys capsim does not read are ignored, as transformers and vLLM do.
 */
#include <math.h>
#include <string.h>

#include "common/json.h"
#include "model/model_impl.h"

enum layer_kind { LK_FULL, LK_SLIDING, LK_GDN, LK_MAMBA, LK_CONV, LK_FFN_ONLY, LK_MOE_ONLY };

struct cfg_ctx {
    const char *file;
    const cJSON *c;
    struct cs_err *err;
};

static int get_u32(struct cfg_ctx *x, const char *key, bool req, uint32_t *out)
{
    int64_t v = *out;
    int rc = json_get_int(x->c, key, req, 0, 100000000, &v, x->file, "", x->err);
    *out = (uint32_t)v;
    return rc;
}

static int get_bool(struct cfg_ctx *x, const char *key, bool *out)
{
    return json_get_bool(x->c, key, false, out, x->file, "", x->err);
}

static double attn_params(double H, double nq, double nkv, double hd, bool gated_q, bool k_eq_v)
{
    return H * nq * hd * (gated_q ? 2 : 1) + H * nkv * hd * (k_eq_v ? 1 : 2) + nq * hd * H;
}

int model_derive(const char *file, const cJSON *root, struct model *m, struct cs_err *err)
{
    m->attn_full_layers = m->attn_swa_layers = 0;
    m->p_dense_mlp = 0;
    const cJSON *tc = cJSON_GetObjectItemCaseSensitive(root, "text_config");
    struct cfg_ctx x = { file, cJSON_IsObject(tc) ? tc : root, err };
    int rc;
    uint32_t H = 0, L = 0, nq = 0, nkv = 0, hd = 0, V = 0, I = 0, maxpos = 0;
    if ((rc = get_u32(&x, "hidden_size", true, &H)) ||
        (rc = get_u32(&x, "num_hidden_layers", true, &L)) ||
        (rc = get_u32(&x, "num_attention_heads", true, &nq)) ||
        (rc = get_u32(&x, "vocab_size", true, &V)))
        return rc;
    if (H == 0 || L == 0 || nq == 0 || V == 0)
        return cs_err_set(err, CS_EINPUT, "%s: .%s: must be > 0", file,
                          H == 0 ? "hidden_size" : L == 0 ? "num_hidden_layers"
                          : nq == 0 ? "num_attention_heads" : "vocab_size");
    nkv = nq;
    if ((rc = get_u32(&x, "num_key_value_heads", false, &nkv)))
        return rc;
    if (nkv == 0 || nq % nkv != 0)
        return cs_err_set(err, CS_EINPUT,
                          "%s: .num_key_value_heads: must divide num_attention_heads %u (got %u)",
                          file, nq, nkv);
    hd = H / nq;
    if ((rc = get_u32(&x, "head_dim", false, &hd)) ||
        (rc = get_u32(&x, "intermediate_size", false, &I)) ||
        (rc = get_u32(&x, "max_position_embeddings", false, &maxpos)))
        return rc;
    /* An absent tie_word_embeddings takes the config class's default:
     * PretrainedConfig's true survives in Gemma's configs
     * (transformers configuration_gemma2.py, configuration_gemma3.py); Llama, Qwen,
     * Mistral, Phi-3 and the other families capsim knows set false. */
    const cJSON *mt = cJSON_GetObjectItemCaseSensitive(root, "model_type");
    const char *model_type = cJSON_IsString(mt) ? mt->valuestring : "";
    if (cJSON_IsObject(tc)) {
        mt = cJSON_GetObjectItemCaseSensitive(tc, "model_type");
        if (cJSON_IsString(mt))
            model_type = mt->valuestring;
    }
    bool gemma = strncmp(model_type, "gemma", 5) == 0;
    bool tied = gemma, gated_q = false, k_eq_v = false;
    if ((rc = get_bool(&x, "tie_word_embeddings", &tied)) ||
        (rc = get_bool(&x, "attn_output_gate", &gated_q)) ||
        (rc = get_bool(&x, "attention_k_eq_v", &k_eq_v)))
        return rc;
    uint32_t window = 0, ghd = hd, gkv = nkv;
    if ((rc = get_u32(&x, "sliding_window", false, &window)) ||
        (rc = get_u32(&x, "global_head_dim", false, &ghd)) ||
        (rc = get_u32(&x, "num_global_key_value_heads", false, &gkv)))
        return rc;
    /* Qwen2/Qwen3 configs carry a sliding_window they do not use:
     * use_sliding_window false turns it off (configuration_qwen2.py). */
    bool use_swa = true;
    if ((rc = get_bool(&x, "use_sliding_window", &use_swa)))
        return rc;
    if (!use_swa)
        window = 0;

    /* Layer kinds: layer_types, or NemotronH's hybrid_override_pattern. */
    enum layer_kind kinds[1024];
    if (L > 1024)
        return cs_err_set(err, CS_EINPUT, "%s: .num_hidden_layers: at most 1024 (got %u)", file, L);
    for (uint32_t i = 0; i < L; i++)
        kinds[i] = window ? LK_SLIDING : LK_FULL;
    if (window)
        for (uint32_t i = 0; i < L; i++)
            kinds[i] = LK_FULL; /* sliding only where layer_types says so */
    /* null, as transformers writes an unset key, is absent */
    const cJSON *lt = cJSON_GetObjectItemCaseSensitive(x.c, "layer_types");
    const cJSON *pat = cJSON_GetObjectItemCaseSensitive(x.c, "hybrid_override_pattern");
    if (cJSON_IsNull(lt))
        lt = NULL;
    if (cJSON_IsNull(pat))
        pat = NULL;
    bool nemotron_pattern = false;
    if (lt) {
        if (!cJSON_IsArray(lt))
            return cs_err_set(err, CS_EINPUT, "%s: .layer_types: must be an array", file);
        int n = cJSON_GetArraySize(lt);
        if ((uint32_t)n != L)
            return cs_err_set(err, CS_EINPUT, "%s: .layer_types: has %d entries, num_hidden_layers is %u",
                              file, n, L);
        int i = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, lt)
        {
            const char *s = cJSON_IsString(e) ? e->valuestring : "";
            if (strcmp(s, "full_attention") == 0 || strcmp(s, "attention") == 0)
                kinds[i] = LK_FULL;
            else if (strcmp(s, "sliding_attention") == 0)
                kinds[i] = LK_SLIDING;
            else if (strcmp(s, "linear_attention") == 0)
                kinds[i] = LK_GDN;
            else if (strcmp(s, "conv") == 0)
                kinds[i] = LK_CONV;
            else
                return cs_err_set(err, CS_EINPUT,
                                  "%s: .layer_types[%d]: unknown layer type '%s' (full_attention, "
                                  "sliding_attention, linear_attention, conv)", file, i, s);
            i++;
        }
    } else if (pat) {
        if (!cJSON_IsString(pat) || strlen(pat->valuestring) != L)
            return cs_err_set(err, CS_EINPUT,
                              "%s: .hybrid_override_pattern: must be a string of num_hidden_layers %u characters",
                              file, L);
        nemotron_pattern = true;
        for (uint32_t i = 0; i < L; i++) {
            switch (pat->valuestring[i]) {
            case 'M': kinds[i] = LK_MAMBA; break;
            case '*': kinds[i] = LK_FULL; break;
            case 'E': kinds[i] = LK_MOE_ONLY; break;
            case '-': kinds[i] = LK_FFN_ONLY; break;
            default:
                return cs_err_set(err, CS_EINPUT,
                                  "%s: .hybrid_override_pattern[%u]: unknown layer '%c' (M, *, E, -)",
                                  file, i, pat->valuestring[i]);
            }
        }
    } else if (window && strcmp(model_type, "gemma2") == 0) {
        /* Gemma 2 alternates, sliding first (configuration_gemma2.py:
         * sliding where (i + 1) % 2, full attention otherwise). */
        for (uint32_t i = 0; i < L; i++)
            kinds[i] = (i + 1) % 2 ? LK_SLIDING : LK_FULL;
    } else if (window && strncmp(model_type, "gemma3", 6) == 0) {
        /* Gemma 3: one full layer in sliding_window_pattern (default 6),
         * configuration_gemma3.py. */
        uint32_t every = 6;
        if ((rc = get_u32(&x, "sliding_window_pattern", false, &every)))
            return rc;
        for (uint32_t i = 0; i < L; i++)
            kinds[i] = every && (i + 1) % every ? LK_SLIDING : LK_FULL;
    } else if (window) {
        for (uint32_t i = 0; i < L; i++)
            kinds[i] = LK_SLIDING;
    }

    /* MoE */
    uint32_t E = 0, k = 0, Imoe = I, Ishared = 0, first_dense = 0;
    if ((rc = get_u32(&x, "num_experts", false, &E)) || (rc = get_u32(&x, "n_routed_experts", false, &E)) ||
        (rc = get_u32(&x, "num_local_experts", false, &E)) ||
        (rc = get_u32(&x, "num_experts_per_tok", false, &k)) ||
        (rc = get_u32(&x, "moe_intermediate_size", false, &Imoe)) ||
        (rc = get_u32(&x, "shared_expert_intermediate_size", false, &Ishared)) ||
        (rc = get_u32(&x, "moe_shared_expert_intermediate_size", false, &Ishared)) ||
        (rc = get_u32(&x, "first_k_dense_replace", false, &first_dense)))
        return rc;
    /* Qwen2/3-MoE: a layer is MoE unless listed in mlp_only_layers, and
     * only every decoder_sparse_step-th one (modeling_qwen3_moe.py,
     * Qwen3MoeDecoderLayer). */
    uint32_t sparse_step = 1;
    bool dense_layer[1024] = { false };
    const cJSON *mlp_only = cJSON_GetObjectItemCaseSensitive(x.c, "mlp_only_layers");
    if ((rc = get_u32(&x, "decoder_sparse_step", false, &sparse_step)))
        return rc;
    if (mlp_only && !cJSON_IsNull(mlp_only)) {
        const cJSON *e;
        if (!cJSON_IsArray(mlp_only))
            return cs_err_set(err, CS_EINPUT, "%s: .mlp_only_layers: must be an array of layer indices", file);
        cJSON_ArrayForEach(e, mlp_only)
        {
            if (!cJSON_IsNumber(e) || e->valuedouble < 0 || e->valuedouble >= L)
                return cs_err_set(err, CS_EINPUT, "%s: .mlp_only_layers: indices must be below "
                                  "num_hidden_layers %u", file, L);
            dense_layer[(uint32_t)e->valuedouble] = true;
        }
    }
    for (uint32_t i = 0; i < L; i++)
        if (sparse_step > 1 && (i + 1) % sparse_step != 0)
            dense_layer[i] = true;
    uint32_t n_shared = 0, latent = 0, kv_shared = 0, ple_dim = 0, ple_vocab = 0;
    uint32_t q_lora = 0, kv_lora = 0, rope_d = 0, nope_d = 0, v_d = 0;
    bool double_wide = false;
    if ((rc = get_u32(&x, "n_shared_experts", false, &n_shared)) ||
        (rc = get_u32(&x, "moe_latent_size", false, &latent)) ||
        (rc = get_u32(&x, "num_kv_shared_layers", false, &kv_shared)) ||
        (rc = get_u32(&x, "hidden_size_per_layer_input", false, &ple_dim)) ||
        (rc = get_u32(&x, "vocab_size_per_layer_input", false, &ple_vocab)) ||
        (rc = get_u32(&x, "q_lora_rank", false, &q_lora)) ||
        (rc = get_u32(&x, "kv_lora_rank", false, &kv_lora)) ||
        (rc = get_u32(&x, "qk_rope_head_dim", false, &rope_d)) ||
        (rc = get_u32(&x, "qk_nope_head_dim", false, &nope_d)) ||
        (rc = get_u32(&x, "v_head_dim", false, &v_d)) ||
        (rc = get_bool(&x, "use_double_wide_mlp", &double_wide)))
        return rc;
    if (kv_shared >= L)
        return cs_err_set(err, CS_EINPUT, "%s: .num_kv_shared_layers: must be below num_hidden_layers %u (got %u)",
                          file, L, kv_shared);
    if (n_shared && !Ishared)
        Ishared = n_shared * Imoe;
    bool moe_block = true;
    if ((rc = get_bool(&x, "enable_moe_block", &moe_block)))
        return rc;
    if (!moe_block)
        E = 0;
    if (E && (k == 0 || k > E))
        return cs_err_set(err, CS_EINPUT, "%s: .num_experts_per_tok: must be between 1 and num_experts %u (got %u)",
                          file, E, k);
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(x.c, "mlp_hidden_act");
    double ffn_mul = (cJSON_IsString(act) && strcmp(act->valuestring, "relu2") == 0) ? 2.0 : 3.0;
    if (!E && I == 0)
        return cs_err_set(err, CS_EINPUT, "%s: .intermediate_size: missing (an integer is required)", file);

    /* Recurrent layer shapes. */
    uint32_t lnk = 0, lnv = 0, ldk = 0, ldv = 0, lconv = 4;
    uint32_t mh = 0, mhd = 0, mds = 0, mg = 1, mconv = 4;
    if ((rc = get_u32(&x, "linear_num_key_heads", false, &lnk)) ||
        (rc = get_u32(&x, "linear_num_value_heads", false, &lnv)) ||
        (rc = get_u32(&x, "linear_key_head_dim", false, &ldk)) ||
        (rc = get_u32(&x, "linear_value_head_dim", false, &ldv)) ||
        (rc = get_u32(&x, "linear_conv_kernel_dim", false, &lconv)) ||
        (rc = get_u32(&x, "mamba_num_heads", false, &mh)) ||
        (rc = get_u32(&x, "mamba_head_dim", false, &mhd)) ||
        (rc = get_u32(&x, "ssm_state_size", false, &mds)) ||
        (rc = get_u32(&x, "n_groups", false, &mg)) ||
        (rc = get_u32(&x, "conv_kernel", false, &mconv)))
        return rc;

    double dH = H, total = 0, expert = ffn_mul * dH * Imoe;
    /* NemotronH LatentMoE: experts work in a latent width, with projections
     * into and out of it once per layer. */
    if (latent)
        expert = 2.0 * latent * Imoe;
    double latent_proj = latent ? 2.0 * dH * latent : 0.0;
    /* MLA (DeepSeek-style): low-rank queries and one cached latent per token. */
    double mla_attn = 0;
    if (kv_lora) {
        /* q_lora_rank null (DeepSeek-V2-Lite): q_proj maps the hidden
         * state straight to the heads (modeling_deepseek_v2.py). */
        double q = q_lora ? dH * q_lora + (double)q_lora * nq * (nope_d + rope_d)
                          : dH * nq * (nope_d + rope_d);
        mla_attn = q + dH * (kv_lora + rope_d) + (double)kv_lora * nq * (nope_d + v_d) +
                   (double)nq * v_d * dH;
        ghd = kv_lora + rope_d;
    }
    uint32_t n_full = 0, n_swa = 0, n_rec = 0, n_moe = 0;
    double conv_b = 0, ssm_b = 0;
    for (uint32_t i = 0; i < L; i++) {
        bool has_ffn = !nemotron_pattern;
        /* Gemma-4 KV sharing: the last layers reuse earlier K/V, store none. */
        bool shares_kv = kv_shared && i >= L - kv_shared;
        switch (kinds[i]) {
        case LK_FULL:
            m->attn_full_layers++;
            if (!shares_kv)
                n_full++;
            if (kv_lora)
                total += mla_attn;
            else if (shares_kv)
                total += 2.0 * dH * nq * ghd;
            else
                total += attn_params(dH, nq, k_eq_v ? gkv : nkv, ghd, gated_q, k_eq_v);
            break;
        case LK_SLIDING:
            m->attn_swa_layers++;
            if (!shares_kv)
                n_swa++;
            total += shares_kv ? 2.0 * dH * nq * hd : attn_params(dH, nq, nkv, hd, gated_q, false);
            break;
        case LK_GDN: {
            if (!lnk || !lnv || !ldk || !ldv)
                return cs_err_set(err, CS_EINPUT, "%s: .layer_types[%u]: linear_attention needs "
                                  "linear_num_key_heads, linear_num_value_heads, linear_key_head_dim "
                                  "and linear_value_head_dim", file, i);
            n_rec++;
            double conv_dim = 2.0 * lnk * ldk + (double)lnv * ldv;
            total += dH * (2.0 * lnk * ldk + (double)lnv * ldv) + dH * lnv * ldv + 2 * dH * lnv +
                     conv_dim * lconv + (double)lnv * ldv * dH;
            conv_b = conv_dim * (lconv - 1) * 2;
            ssm_b = (double)lnv * ldk * ldv * 4;
            break;
        }
        case LK_MAMBA: {
            if (!mh || !mhd || !mds)
                return cs_err_set(err, CS_EINPUT, "%s: .hybrid_override_pattern[%u]: a Mamba layer needs "
                                  "mamba_num_heads, mamba_head_dim and ssm_state_size", file, i);
            n_rec++;
            double din = (double)mh * mhd, conv_dim = din + 2.0 * mg * mds;
            total += dH * (2 * din + 2.0 * mg * mds + mh) + conv_dim * (mconv + 1) + din * dH;
            conv_b = conv_dim * (mconv - 1) * 2;
            ssm_b = (double)mh * mhd * mds * 4;
            break;
        }
        case LK_CONV:
            n_rec++;
            total += 4.0 * dH * dH + 3.0 * dH; /* LFM2 short conv: in (3H) and out projections, kernel 3 */
            conv_b = dH * 2 * 2;
            break;
        case LK_FFN_ONLY:
            total += ffn_mul * dH * I;
            m->p_dense_mlp += ffn_mul * dH * I;
            break;
        case LK_MOE_ONLY:
            has_ffn = false;
            n_moe++;
            total += dH * E + E * expert + ffn_mul * dH * Ishared + latent_proj;
            break;
        }
        if (has_ffn) {
            if (E && i >= first_dense && !dense_layer[i]) {
                n_moe++;
                total += dH * E + E * expert + (Ishared ? ffn_mul * dH * Ishared : 0);
                if (!moe_block || cJSON_GetObjectItemCaseSensitive(x.c, "enable_moe_block")) {
                    total += ffn_mul * dH * I; /* Gemma-4: dense MLP beside the experts */
                    m->p_dense_mlp += ffn_mul * dH * I;
                }
            } else {
                double mlp = ffn_mul * dH * I * (double_wide && shares_kv ? 2.0 : 1.0);
                total += mlp;
                m->p_dense_mlp += mlp;
            }
        }
        if (ple_dim) /* per-layer input gate and projection */
            total += 2.0 * dH * ple_dim;
    }
    double ple = (double)ple_vocab * L * ple_dim;
    total += ple;
    double emb = (double)V * H;
    m->hidden = H;
    m->layers = L;
    /* A layer is a token mixer and an FFN, two residual blocks; each of
     * NemotronH's layers is one of them (its pattern's M, *, E or -). */
    m->residual_blocks = nemotron_pattern ? L : 2 * L;
    m->vocab = V;
    m->q_heads = nq;
    m->max_pos = maxpos;
    m->tied = tied;
    m->p_embedding = emb;
    m->p_lm_head = emb;
    m->p_lm_head_untied = tied ? 0 : emb;
    m->p_total = total + emb + m->p_lm_head_untied;
    m->p_ple = ple;
    m->moe_layers = n_moe;
    m->experts = n_moe ? E : 0;
    m->top_k = n_moe ? k : 0;
    m->expert_params = n_moe ? expert : 0;
    double dense = m->p_total - emb - m->p_lm_head_untied - ple - (double)n_moe * E * expert;
    m->p_active = dense + (double)n_moe * k * expert + emb + m->p_lm_head_untied + ple;
    m->head_dim_full = ghd;
    m->head_dim_swa = hd;
    m->kv_full_layers = n_full;
    m->kv_swa_layers = n_swa;
    m->swa_window = n_swa ? window : 0;
    m->kv_el_full = kv_lora ? kv_lora + rope_d : (k_eq_v ? 1 : 2) * (k_eq_v ? gkv : nkv) * ghd;
    m->kv_el_swa = n_swa ? 2 * nkv * hd : 0;
    m->rec_layers = n_rec;
    m->rec_conv_bytes = conv_b;
    m->rec_ssm_bytes = ssm_b;
    m->shape = (struct model_shapes){
        .ffn_width = I, .ffn_gated = ffn_mul > 2.0,
        .expert_width = n_moe ? Imoe : 0, .expert_hidden = latent ? latent : H,
        .mla_kv_lora = kv_lora, .mla_qk_nope = nope_d, .mla_qk_rope = rope_d, .mla_v = v_d,
    };
    if (isnan(m->p_total))
        return cs_err_set(err, CS_EINPUT, "%s: parameter count is not a number", file);
    return CS_OK;
}
