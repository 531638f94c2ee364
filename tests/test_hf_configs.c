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
    enum dtype precision;    /* the checkpoint's, from its quantization_config */
    uint32_t moe_layers, kv_full, kv_swa;
};

static const struct hf_case cases[] = {
    { "llama-3.1-8b", 8.03e9, DTYPE_BF16, 0, 32, 0 },
    { "qwen3-8b", 8.2e9, DTYPE_BF16, 0, 36, 0 },            /* sliding_window null */
    { "qwen3-30b-a3b", 30.5e9, DTYPE_BF16, 48, 48, 0 },
    { "gemma-2-9b-it", 9241705984.0, DTYPE_BF16, 0, 21, 21 }, /* alternating, tied */
    { "phi-4", 14.7e9, DTYPE_BF16, 0, 0, 40 },              /* sliding_window 16384 everywhere */
    { "gpt-oss-120b", 116.83e9, DTYPE_MXFP4, 36, 18, 18 },
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
    if (fabs(got - c->published) > 0.02 * c->published)
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_parameter_counts),
        cmocka_unit_test(test_directory_without_config_is_an_error),
    };
    return cmocka_run_group_tests_name("hf_configs", tests, NULL, NULL);
}
