/*
 * test_hf_configs.c - real Hugging Face config.json files of families
 * outside the catalog (tests/fixtures/hf/<name>/, each with a SOURCE file
 * naming where the copy came from and the published parameter count).
 * Each loads as a file and as a model directory, and capsim's parameter
 * count (the weights `capsim memory` reports at BF16) lands within 2% of
 * the published one. The layer facts below come from each family's HF
 * transformers modeling file, named in model/derive.c.
 */
#include "cs_test.h"

#include "model/model.h"
#include "model/model_impl.h"

#define HF "tests/fixtures/hf/"

struct hf_case {
    const char *dir;
    double published;        /* parameters, from SOURCE */
    double rounding;         /* half the last published digit (1.3B: 0.05e9) */
    enum dtype precision;    /* the checkpoint's, from its quantization_config */
    uint32_t moe_layers, kv_full, kv_swa;
};

static const struct hf_case cases[] = {
    { "llama-3.1-8b", 8.03e9, 0.005e9, DTYPE_BF16, 0, 32, 0 },
    { "mixtral-8x7b", 46.7e9, 0.05e9, DTYPE_BF16, 32, 32, 0 },   /* sliding_window null */
    { "qwen2.5-7b-instruct", 7.61e9, 0.005e9, DTYPE_BF16, 0, 28, 0 }, /* use_sliding_window false */
    { "qwen3-8b", 8.2e9, 0.05e9, DTYPE_BF16, 0, 36, 0 },
    { "qwen3-30b-a3b", 30.5e9, 0.05e9, DTYPE_BF16, 48, 48, 0 },
    { "gemma-2-9b-it", 9241705984.0, 0.5, DTYPE_BF16, 0, 21, 21 }, /* alternating, tied */
    { "phi-4", 14.7e9, 0.05e9, DTYPE_BF16, 0, 0, 40 },          /* sliding_window 16384 everywhere */
    { "deepseek-v2-lite", 15.7e9, 0.05e9, DTYPE_BF16, 26, 27, 0 }, /* MLA, layer 0 dense */
    { "gpt-oss-120b", 116.83e9, 0.005e9, DTYPE_MXFP4, 36, 18, 18 },
    { "granite-3.1-1b-a400m-instruct", 1.3e9, 0.05e9, DTYPE_BF16, 24, 24, 0 },
};

static struct model *load(const char *name)
{
    struct model *m = NULL;
    struct cs_err err = { 0 };
    if (model_load(name, &m, &err))
        fail_msg("%s", err.msg);
    return m;
}

static void check(const struct hf_case *c, const struct model *m)
{
    double got = model_params_total(m);
    /* within 2%, or within the published figure's own rounding */
    double tol = fmax(0.02 * c->published, c->rounding);
    if (fabs(got - c->published) > tol)
        fail_msg("%s: %.4g parameters, published %.4g (%+.2f%%)", c->dir, got, c->published,
                 100.0 * (got - c->published) / c->published);
    /* `capsim memory` at BF16: two bytes per parameter, text model only */
    assert_close(model_weight_bytes(m, DTYPE_BF16, true), 2.0 * got, 1e-12, 0);
    assert_int_equal(model_default_precision(m), c->precision);
    if (m->moe_layers != c->moe_layers || m->kv_full_layers != c->kv_full ||
        m->kv_swa_layers != c->kv_swa)
        fail_msg("%s: %u MoE / %u full / %u sliding layers, want %u / %u / %u", c->dir, m->moe_layers,
                 m->kv_full_layers, m->kv_swa_layers, c->moe_layers, c->kv_full, c->kv_swa);
}

static void test_published_parameter_counts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, HF "%s/config.json", cases[i].dir);
        struct model *file = load(path);
        check(&cases[i], file);
        /* the directory and its name, with or without a trailing slash */
        snprintf(path, sizeof path, HF "%s%s", cases[i].dir, i % 2 ? "/" : "");
        struct model *dir = load(path);
        check(&cases[i], dir);
        assert_string_equal(model_name(file), cases[i].dir);
        assert_string_equal(model_name(dir), cases[i].dir);
        model_free(file);
        model_free(dir);
    }
}

static void test_directory_without_config_is_an_error(void **state)
{
    (void)state;
    struct model *m = NULL;
    struct cs_err err = { 0 };
    assert_int_equal(model_load("tests/fixtures", &m, &err), CS_EINPUT);
    assert_string_equal(err.msg, "tests/fixtures: a model directory must hold a config.json (none found)");
    assert_null(m);
    /* a missing file that looks like a path is named, not looked up */
    assert_int_equal(model_load("no-such-dir/config.json", &m, &err), CS_EIO);
    assert_string_equal(err.msg, "cannot open 'no-such-dir/config.json': No such file or directory");
}

/* DeepSeek-V2-Lite has no query LoRA (q_lora_rank null): q_proj maps
 * 2048 -> 16 x 192 directly (transformers modeling_deepseek_v2.py). Summed
 * by hand from the module shapes, norms left out:
 *   attention 27 x (2048x3072 + 2048x576 + 512x4096 + 2048x2048) =    371,589,120
 *   layer 0 dense MLP 3 x 2048 x 10944                            =     67,239,936
 *   26 MoE layers x (2048x64 + 64x3x2048x1408 + 3x2048x2816)       = 14,848,098,304
 *   embedding and untied LM head 2 x 102400 x 2048                  =    419,430,400 */
static void test_deepseek_v2_lite_by_hand(void **state)
{
    (void)state;
    struct model *m = load(HF "deepseek-v2-lite");
    assert_close(model_params_total(m), 15706357760.0, 1e-12, 0);
    assert_int_equal(m->kv_el_full, 512 + 64); /* one latent and one rope key per token */
    model_free(m);
}

/* Qwen-MoE's dense layers: mlp_only_layers, and decoder_sparse_step
 * (MoE where (i + 1) % step == 0), modeling_qwen3_moe.py. */
static void test_qwen_moe_dense_layers(void **state)
{
    (void)state;
    static const struct { const char *keys; uint32_t moe; } want[] = {
        { "", 4 },
        { ", \"mlp_only_layers\": [0]", 3 },
        { ", \"decoder_sparse_step\": 2", 2 },                       /* layers 1, 3 */
        { ", \"decoder_sparse_step\": 2, \"mlp_only_layers\": [3]", 1 }, /* layer 1 */
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "{\"hidden_size\": 64, \"num_hidden_layers\": 4, "
                 "\"num_attention_heads\": 4, \"vocab_size\": 100, \"intermediate_size\": 128, "
                 "\"num_experts\": 8, \"num_experts_per_tok\": 2, \"moe_intermediate_size\": 32%s}",
                 want[i].keys);
        struct model *m = NULL;
        struct cs_err err = { 0 };
        if (model_parse("moe.json", text, &m, &err))
            fail_msg("%s", err.msg);
        if (m->moe_layers != want[i].moe)
            fail_msg("'%s': %u MoE layers, want %u", want[i].keys, m->moe_layers, want[i].moe);
        model_free(m);
    }
    struct model *m = NULL;
    struct cs_err err = { 0 };
    assert_int_equal(model_parse("moe.json", "{\"hidden_size\": 64, \"num_hidden_layers\": 4, "
                                 "\"num_attention_heads\": 4, \"vocab_size\": 100, \"intermediate_size\": 128, "
                                 "\"mlp_only_layers\": [4]}", &m, &err), CS_EINPUT);
    assert_string_equal(err.msg, "moe.json: .mlp_only_layers: indices must be below num_hidden_layers 4");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_parameter_counts),
        cmocka_unit_test(test_directory_without_config_is_an_error),
        cmocka_unit_test(test_deepseek_v2_lite_by_hand),
        cmocka_unit_test(test_qwen_moe_dense_layers),
    };
    return cmocka_run_group_tests_name("hf_configs", tests, NULL, NULL);
}
