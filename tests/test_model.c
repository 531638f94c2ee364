/*
 * test_model.c - models from config.json: parameter counts against
 * shared/models/param_check.md (values copied there from its table),
 * weight bytes against the loaded GiB vLLM logged, the boot-log KV sizes
 * (block size, tokens) of the three arena boot logs, a Llama-3.1-8B-shaped
 * user config worked by hand, and one bad config per error class.
 * Boot-log figures: Django de Vreng, DGX Spark benchmark runs, CC-BY-4.0.
 */
#include "cs_test.h"

#include <cJSON.h>

#include "common/embedded.h"
#include "common/strutil.h"
#include "model/memory.h"
#include "model/model.h"
#include "model/model_impl.h"

static struct model *load(const char *name)
{
    struct model *m = NULL;
    struct cs_err err = { 0 };
    if (model_load(name, &m, &err))
        fail_msg("%s", err.msg);
    return m;
}

static void test_parameter_counts_match_param_check(void **state)
{
    (void)state;
    /* name, text total, active (billions), from param_check.md section 1 */
    static const struct { const char *name; double total, active; } want[] = {
        { "gemma-4-26b-a4b-it", 25.233, 3.822 }, { "gemma-4-31b-it", 30.697, 30.697 },
        { "gemma-4-e2b-it", 4.629, 4.629 }, { "gemma-4-e4b-it", 7.463, 7.463 },
        { "gpt-oss-20b", 20.915, 4.187 }, { "granite-4.1-8b", 8.792, 8.792 },
        { "kat-coder-v2.5", 34.661, 3.455 }, { "lfm2.5-2.6b", 2.569, 2.569 },
        { "ministral-3-3b-instruct", 3.429, 3.429 }, { "ministral-3-8b-instruct", 8.490, 8.490 },
        { "mistral-small-4-119b", 118.973, 6.633 }, { "muse-glimmer-30b", 26.437, 26.437 },
        { "nemotron-3-nano-30b-a3b", 31.578, 3.580 }, { "nemotron-3-nano-4b", 3.974, 3.974 },
        { "nemotron-3-nano-omni-30b-a3b-reasoning", 31.578, 3.580 },
        { "nemotron-3-super-120b-a12b", 120.669, 12.770 },
        { "nemotron-cascade-2-30b-a3b", 31.578, 3.580 }, { "qwen-3.5-0.8b", 0.752, 0.752 },
        { "qwen-3.5-2b", 1.882, 1.882 }, { "qwen-3.5-9b", 8.954, 8.954 },
        { "qwen-3.5-4b", 4.206, 4.206 }, { "qwen-3.6-27b", 26.896, 26.896 },
        { "qwen-3.8-27b", 26.896, 26.896 }, { "qwen-3.6-35b-a3b", 34.661, 3.455 },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct model *m = load(want[i].name);
        assert_close(model_params_total(m) / 1e9, want[i].total, 0.01, 0);
        assert_close(model_params_active(m) / 1e9, want[i].active, 0.01, 0);
        model_free(m);
    }
}

/* The formula path (model_derive, used for user config.json files) from
 * the raw keys of each catalog entry agrees with the catalog's facts. */
static void test_formulas_reproduce_catalog(void **state)
{
    (void)state;
    size_t n = 0;
    for (size_t i = 0; i < embedded_files_count; i++) {
        const struct embedded_file *f = &embedded_files[i];
        if (!str_starts_with(f->path, "model/catalog/"))
            continue;
        n++;
        struct model *cat = NULL;
        struct cs_err err = { 0 };
        assert_int_equal(model_parse(f->path, f->text, &cat, &err), CS_OK);
        cJSON *root = cJSON_Parse(f->text);
        assert_non_null(root);
        struct model d;
        memset(&d, 0, sizeof d);
        if (model_derive(f->path, root, &d, &err))
            fail_msg("%s", err.msg);
        cJSON_Delete(root);
        assert_close(d.p_total, model_params_total(cat), 0.01, 0);
        assert_close(d.p_active, model_params_active(cat), 0.01, 0);
        assert_int_equal(d.kv_full_layers, cat->kv_full_layers);
        assert_int_equal(d.kv_swa_layers, cat->kv_swa_layers);
        assert_int_equal(d.rec_layers, cat->rec_layers);
        model_free(cat);
    }
    assert_int_equal(n, 24);
}

static void test_hf_ids_select_checkpoint_precision(void **state)
{
    (void)state;
    struct model *m = load("nvidia/gemma-4-26b-a4b-nvfp4"); /* case-insensitive */
    assert_string_equal(model_name(m), "gemma-4-26b-a4b-it");
    assert_int_equal(model_default_precision(m), DTYPE_NVFP4);
    model_free(m);
    /* The plain-named Ministral-3 Instruct repos ship FP8 weights. */
    m = load("mistralai/Ministral-3-8B-Instruct-2512");
    assert_int_equal(model_default_precision(m), DTYPE_FP8);
    model_free(m);
}

static void test_weights_match_vllm_loaded_gib(void **state)
{
    (void)state;
    /* "Model loading took X GiB" (param_check.md section 2), within 3% */
    static const struct { const char *name; enum dtype d; bool lm_only; double gib; } want[] = {
        { "qwen-3.6-35b-a3b", DTYPE_BF16, true, 64.69 },
        { "qwen-3.6-35b-a3b", DTYPE_FP8, true, 33.85 },
        { "qwen-3.6-27b", DTYPE_FP8, true, 27.64 },
        { "nemotron-3-nano-4b", DTYPE_BF16, false, 7.43 },
        { "nemotron-3-nano-30b-a3b", DTYPE_NVFP4, false, 18.21 },
        { "kat-coder-v2.5", DTYPE_BF16, true, 64.56 }, /* checkpoint size, text only */
        /* param_check.md's predicted (not observed) figure for the NVFP4
         * export that quantizes only the MLPs: catches a dropped "mlp" split */
        { "gemma-4-31b-it", DTYPE_NVFP4, false, 30.34 },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct model *m = load(want[i].name);
        assert_close(model_weight_bytes(m, want[i].d, want[i].lm_only) / 1073741824.0,
                     want[i].gib, 0.03, 0);
        model_free(m);
    }
}

/* Memory accounting given the KV bytes the boot log reports available. */
static struct memory_report boot(const char *name, enum dtype d, enum kv_dtype kv,
                                 double kv_gib, uint32_t spec, bool fp32_state)
{
    struct model *m = load(name);
    struct memory_args a = { .weights = d, .kv = kv, .gpu_memory_utilization = 0.95,
                             .max_model_len = 131072, .max_num_batched_tokens = 2048,
                             .max_num_seqs = 256, .num_speculative_tokens = spec,
                             .language_model_only = true, .mamba_cache_fp32 = fp32_state };
    struct profile p;
    memset(&p, 0, sizeof p);
    struct memory_report r;
    struct cs_err err = { 0 };
    /* total such that requested - weights = the logged KV bytes */
    p.v[PROF_MEM_TOTAL_BYTES] = 1e15;
    assert_int_equal(memory_account(m, &a, &p, &r, &err), CS_OK);
    p.v[PROF_MEM_TOTAL_BYTES] = (kv_gib * 1073741824.0 + r.weights_bytes) / 0.95;
    assert_int_equal(memory_account(m, &a, &p, &r, &err), CS_OK);
    model_free(m);
    return r;
}

static void test_boot_logs_are_reproduced(void **state)
{
    (void)state;
    /* serving-semantics.md 1.4/1.7, param_check.md section 3 */
    struct memory_report r = boot("qwen-3.6-35b-a3b", DTYPE_BF16, KV_DTYPE_AUTO, 47.55, 0, false);
    assert_int_equal(r.layout.block_size, 1056);
    assert_int_equal(r.layout.n_blocks, 2360);
    assert_int_equal(r.kv_cache_tokens, 623040);
    assert_close(r.max_concurrency, 18.44, 0, 0.005);
    r = boot("nemotron-3-nano-4b", DTYPE_BF16, KV_DTYPE_FP8, 103.39, 0, false);
    assert_int_equal(r.layout.block_size, 1952);
    assert_close((double)r.kv_cache_tokens, 1934432, 0.01, 0);
    r = boot("nemotron-3-super-120b-a12b", DTYPE_NVFP4, KV_DTYPE_FP8, 36.25, 3, true);
    assert_int_equal(r.layout.block_size, 8432);
    assert_close((double)r.kv_cache_tokens, 1399712, 0.01, 0);
}

static void test_llama_shaped_config_worked_by_hand(void **state)
{
    (void)state;
    struct model *m = load("tests/fixtures/good/config_llama_8b.json");
    /* 32 x (4096*4096*2 + 2*4096*1024 + 3*4096*14336) + 2*128256*4096
     * = 32 x 218,103,808 + 1,050,673,152 = 8,029,995,008 (norms not counted) */
    assert_close(model_params_total(m), 8029995008.0, 1e-9, 0);
    struct model_work w;
    struct cs_err err = { 0 };
    assert_int_equal(model_work_init(m, DTYPE_BF16, NULL, KV_DTYPE_AUTO, &w, &err), CS_OK);
    /* 2 x 8 KV heads x 128 x 2 bytes x 32 layers = 131,072 bytes per token */
    assert_close(w.kv_bytes_per_token_full, 131072, 0, 0);
    assert_close(w.lm_head.bytes, 2.0 * 128256 * 4096, 0, 0);
    assert_int_equal(w.n_moe_layers, 0);
    model_free(m);
}

/* A user's FP8 config.json ships FP8: block scales go to CUTLASS's
 * blockwise kernel by default, as vLLM's priority list does on GB10, and
 * through Marlin when VLLM_TEST_FORCE_FP8_MARLIN is set. */
static void test_user_fp8_block_config_takes_cutlass_unless_forced(void **state)
{
    (void)state;
    struct model *m = load("tests/fixtures/good/config_llama_8b_fp8_block.json");
    assert_int_equal(model_default_precision(m), DTYPE_FP8);
    struct model_work w;
    struct cs_err err = { 0 };
    assert_int_equal(model_work_init(m, DTYPE_FP8, NULL, KV_DTYPE_AUTO, &w, &err), CS_OK);
    assert_int_equal(w.dense.path, KPATH_FP8_CUTLASS);
    /* 32 x 218,103,808 linear weights at one byte each */
    assert_close(w.dense.bytes, 32.0 * 218103808, 1e-9, 0);
    struct kernel_backends forced = { .fp8_marlin = true };
    assert_int_equal(model_work_init(m, DTYPE_FP8, &forced, KV_DTYPE_AUTO, &w, &err), CS_OK);
    assert_int_equal(w.dense.path, KPATH_FP8_MARLIN);
    model_free(m);
    m = load("tests/fixtures/good/config_llama_8b.json");
    assert_int_equal(model_default_precision(m), DTYPE_BF16);
    assert_int_equal(model_work_init(m, DTYPE_FP8, NULL, KV_DTYPE_AUTO, &w, &err), CS_OK);
    assert_int_equal(w.dense.path, KPATH_FP8_CUTLASS); /* per-tensor FP8 what-if */
    model_free(m);
}

static void expect_bad(const char *file, const char *msg)
{
    struct model *m = NULL;
    struct cs_err err = { 0 };
    assert_int_equal(model_load(file, &m, &err), CS_EINPUT);
    assert_string_equal(err.msg, msg);
    assert_null(m);
}

#define BAD "tests/fixtures/bad/"
static void test_bad_configs_name_file_and_key(void **state)
{
    (void)state;
    expect_bad(BAD "config_kv_heads_not_divisor.json", BAD "config_kv_heads_not_divisor.json: "
               ".num_key_value_heads: must divide num_attention_heads 8 (got 3)");
    expect_bad(BAD "config_layer_types_count.json", BAD "config_layer_types_count.json: "
               ".layer_types: has 2 entries, num_hidden_layers is 4");
    expect_bad(BAD "config_missing_hidden_size.json", BAD "config_missing_hidden_size.json: "
               ".hidden_size: missing (an integer is required)");
    /* the "_capsim" block is capsim's own format: a typo there is an error */
    expect_bad(BAD "config_capsim_unknown_key.json", BAD "config_capsim_unknown_key.json: "
               "._capsim.params.totl: unknown key (did you mean 'total'?)");
    expect_bad(BAD "config_wrong_type.json", BAD "config_wrong_type.json: "
               ".hidden_size: must be an integer");
    expect_bad(BAD "config_negative.json", BAD "config_negative.json: "
               ".hidden_size: must be between 0 and 100000000 (got -1024)");
    expect_bad(BAD "config_unknown_layer_type.json", BAD "config_unknown_layer_type.json: "
               ".layer_types[1]: unknown layer type 'mystery' (full_attention, sliding_attention, "
               "linear_attention, conv)");
    expect_bad(BAD "config_topk_above_experts.json", BAD "config_topk_above_experts.json: "
               ".num_experts_per_tok: must be between 1 and num_experts 8 (got 9)");
    expect_bad(BAD "config_no_ffn_width.json", BAD "config_no_ffn_width.json: "
               ".intermediate_size: missing (an integer is required)");
    expect_bad(BAD "config_bad_pattern.json", BAD "config_bad_pattern.json: "
               ".hybrid_override_pattern[2]: unknown layer 'X' (M, *, E, -)");
    expect_bad(BAD "config_malformed.json", BAD "config_malformed.json:3:2: malformed JSON");
    expect_bad(BAD "config_not_object.json", BAD "config_not_object.json: .: a config.json must be an object");
    expect_bad("no-such-model", "unknown model 'no-such-model' (see 'capsim list models', or give a config.json or model directory)");
    expect_bad("qwen-3.5-9", "unknown model 'qwen-3.5-9' (did you mean 'qwen-3.5-9b'?)");
    /* a unique prefix wins over a closer edit distance ('qwen-3.6-27b') */
    expect_bad("qwen-3.6-35b", "unknown model 'qwen-3.6-35b' (did you mean 'qwen-3.6-35b-a3b'?)");
}

/* A real config.json carries keys capsim does not read (pretraining_tp,
 * rope_scaling, bos_token_id, ...): they are ignored, while a key capsim
 * reads keeps its type check. */
static void test_unread_keys_are_ignored_read_keys_checked(void **state)
{
    (void)state;
    static const char ok[] = "{\"hidden_size\": 1024, \"num_hidden_layers\": 4, \"num_attention_heads\": 8,"
                             " \"vocab_size\": 1000, \"intermediate_size\": 4096, \"pretraining_tp\": 1,"
                             " \"rope_scaling\": {\"rope_type\": \"llama3\"}, \"num_key_value_head\": 2}";
    struct model *m = NULL;
    struct cs_err err = { 0 };
    assert_int_equal(model_parse("ok.json", ok, &m, &err), CS_OK);
    /* the misspelt num_key_value_head is not read: 8 KV heads, as absent */
    assert_int_equal(m->kv_el_full, 2 * 8 * 128);
    model_free(m);
    /* null is how transformers writes an unset key: absent, not a type error */
    static const char nulls[] = "{\"hidden_size\": 1024, \"num_hidden_layers\": 4, \"num_attention_heads\": 8,"
                                " \"vocab_size\": 1000, \"intermediate_size\": 4096, \"head_dim\": null,"
                                " \"sliding_window\": null, \"layer_types\": null, \"quantization_config\": null}";
    assert_int_equal(model_parse("nulls.json", nulls, &m, &err), CS_OK);
    assert_int_equal(m->kv_full_layers, 4);
    model_free(m);
    static const char bad[] = "{\"hidden_size\": 1024, \"num_hidden_layers\": 4, \"num_attention_heads\": 8,"
                              " \"vocab_size\": 1000, \"intermediate_size\": 4096, \"use_sliding_window\": \"no\"}";
    assert_int_equal(model_parse("bad.json", bad, &m, &err), CS_EINPUT);
    assert_string_equal(err.msg, "bad.json: .use_sliding_window: must be true or false");
}

/* A quantization_config sets the precision the checkpoint ships in;
 * AWQ/GPTQ 4-bit is INT4 (W4A16 through Marlin), 8-bit FP8. */
static void test_quantization_config_sets_default_precision(void **state)
{
    (void)state;
    struct model *m = load("tests/fixtures/good/config_quant_awq.json");
    assert_int_equal(model_default_precision(m), DTYPE_INT4); /* W4A16, Marlin */
    model_free(m);
    static const char *const q[][2] = {
        { "{\"quant_method\": \"gptq\", \"bits\": 8}", "fp8" },
        { "{\"quant_method\": \"fp8\", \"weight_block_size\": [128, 128]}", "fp8" },
        { "{\"quant_method\": \"modelopt\", \"quant_algo\": \"NVFP4\"}", "nvfp4" },
        { "{\"quant_method\": \"compressed-tensors\", \"config_groups\": {\"group_0\": "
          "{\"weights\": {\"num_bits\": 4, \"type\": \"float\"}}}}", "nvfp4" },
        { "{\"quant_method\": \"compressed-tensors\", \"config_groups\": {\"group_0\": "
          "{\"weights\": {\"num_bits\": 8, \"type\": \"float\", \"strategy\": \"channel\"}}}}", "fp8" },
        { "{\"quant_method\": \"bitsandbytes\", \"load_in_4bit\": true}", "bf16" },
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "{\"hidden_size\": 1024, \"num_hidden_layers\": 4, "
                 "\"num_attention_heads\": 8, \"vocab_size\": 1000, \"intermediate_size\": 4096, "
                 "\"quantization_config\": %s}", q[i][0]);
        struct cs_err err = { 0 };
        if (model_parse("q.json", text, &m, &err))
            fail_msg("%s: %s", q[i][0], err.msg);
        enum dtype want;
        dtype_parse(q[i][1], &want, NULL);
        if (model_default_precision(m) != want)
            fail_msg("%s: default precision %d, want %s", q[i][0], model_default_precision(m), q[i][1]);
        model_free(m);
    }
}

static void test_memory_rejects_context_beyond_the_model(void **state)
{
    (void)state;
    struct model *m = load("qwen-3.5-9b");
    struct memory_args a = { .weights = DTYPE_BF16, .kv = KV_DTYPE_FP8, .gpu_memory_utilization = 0.9,
                             .max_model_len = 300000, .max_num_batched_tokens = 2048,
                             .max_num_seqs = 256, .language_model_only = true };
    struct profile p;
    memset(&p, 0, sizeof p);
    p.v[PROF_MEM_TOTAL_BYTES] = 130e9;
    struct memory_report r;
    struct cs_err err = { 0 };
    assert_int_equal(memory_account(m, &a, &p, &r, &err), CS_EUSAGE);
    assert_string_equal(err.msg, "--max-model-len: 300000 exceeds the model's max_position_embeddings 262144");
    model_free(m);
}

static void test_precision_table_arithmetic(void **state)
{
    (void)state;
    assert_close(dtype_traits(DTYPE_NVFP4)->bytes_per_param * 8, 4.5, 0, 1e-12);
    assert_close(dtype_traits(DTYPE_MXFP4)->bytes_per_param * 8, 4.25, 0, 1e-12);
    const struct dtype_traits *t = dtype_traits(DTYPE_NVFP4);
    assert_close(t->bits / 8.0 + (double)t->scale_bytes / t->block, t->bytes_per_param, 0, 1e-12);
    enum dtype d;
    struct cs_err err = { 0 };
    assert_int_equal(dtype_parse("int3", &d, &err), CS_EUSAGE);
    assert_string_equal(err.msg, "--precision: unknown precision 'int3' (bf16, fp16, fp8, nvfp4, mxfp4, int4)");
    /* GPTQ/AWQ INT4, group 128: 4 bits + a 16-bit scale per 128 = 4.125 bit */
    assert_int_equal(dtype_parse("awq", &d, &err), CS_OK);
    assert_int_equal(d, DTYPE_INT4);
    assert_close(dtype_traits(DTYPE_INT4)->bytes_per_param * 8, 4.125, 0, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parameter_counts_match_param_check),
        cmocka_unit_test(test_formulas_reproduce_catalog),
        cmocka_unit_test(test_hf_ids_select_checkpoint_precision),
        cmocka_unit_test(test_weights_match_vllm_loaded_gib),
        cmocka_unit_test(test_boot_logs_are_reproduced),
        cmocka_unit_test(test_llama_shaped_config_worked_by_hand),
        cmocka_unit_test(test_user_fp8_block_config_takes_cutlass_unless_forced),
        cmocka_unit_test(test_bad_configs_name_file_and_key),
        cmocka_unit_test(test_unread_keys_are_ignored_read_keys_checked),
        cmocka_unit_test(test_quantization_config_sets_default_precision),
        cmocka_unit_test(test_memory_rejects_context_beyond_the_model),
        cmocka_unit_test(test_precision_table_arithmetic),
    };
    return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
