/*
 * test_model_work.c - the per-step work constants (model/work.h) of
 * catalog models whose architecture exercises one feature each, with the
 * values worked by hand from the config keys in the comments:
 * KV-shared layers (Gemma-4 E2B), K=V global layers (Gemma-4 31B), MLA
 * (Mistral-Small-4), Gated DeltaNet state (Qwen3.6-35B-A3B), and the
 * per-part kernel paths of mixed checkpoints (Nemotron-Nano NVFP4,
 * gpt-oss MXFP4) and as vLLM's backend flags choose them.
 */
#include "cs_test.h"

#include "model/model.h"

static struct model_work work(const char *name, enum dtype d, enum kv_dtype kv)
{
    struct model *m = NULL;
    struct cs_err err = { 0 };
    if (model_load(name, &m, &err))
        fail_msg("%s", err.msg);
    struct model_work w;
    if (model_work_init(m, d, NULL, kv, &w, &err))
        fail_msg("%s", err.msg);
    model_free(m);
    return w;
}

static void test_kv_shared_layers_store_nothing_but_attend(void **state)
{
    (void)state;
    /* Gemma-4 E2B: 35 layers, 4 sliding : 1 full, the last 20 share KV.
     * Storing: 15 layers = 3 full + 12 sliding. Full: 1 KV head x 512 x
     * (K,V) = 1024 el; sliding 1 x 256 x 2 = 512 el. fp8 KV = 1 B. */
    struct model_work w = work("gemma-4-e2b-it", DTYPE_BF16, KV_DTYPE_FP8);
    assert_close(w.kv_bytes_per_token_full, 3 * 1024, 0, 0);
    assert_close(w.kv_bytes_per_token_swa, 12 * 512, 0, 0);
    assert_int_equal(w.swa_window, 512);
    /* Attending: all 35 = 7 full + 28 sliding, 8 query heads. */
    assert_close(w.attn_flops_per_pair_full, 4.0 * 8 * 512 * 7, 0, 0);
    assert_close(w.attn_flops_per_pair_swa, 4.0 * 8 * 256 * 28, 0, 0);
    assert_int_equal(w.n_residual_blocks, 70);
}

static void test_k_eq_v_global_layers_store_one_tensor(void **state)
{
    (void)state;
    /* Gemma-4 31B: 10 global layers, 4 KV heads x 512, K=V -> 2048 el;
     * 50 sliding layers, 16 KV heads x 256 x 2 = 8192 el; bf16 KV 2 B. */
    struct model_work w = work("gemma-4-31b-it", DTYPE_BF16, KV_DTYPE_AUTO);
    assert_close(w.kv_bytes_per_token_full, 10 * 2048 * 2, 0, 0);
    assert_close(w.kv_bytes_per_token_swa, 50 * 8192 * 2, 0, 0);
    assert_int_equal(w.swa_window, 1024);
}

/* MLA by hand (Mistral-Small-4: 36 MLA layers, 32 heads, qk_nope 64,
 * qk_rope 64, v_head_dim 128, kv_lora_rank 256, fp8 KV):
 *   cache: 256 + 64 = 320 el per token per layer;
 *   prefill pair (MHA form): 2*32*(64+64) + 2*32*128 = 16,384 per layer,
 *     head dim 128 (no wide-head penalty);
 *   decode pair (absorbed MQA): 2*32*(256+64) + 2*32*256 = 36,864;
 *   context re-decompression per cached token and step: kv_b_proj
 *     2*256*32*(64+128) = 3,145,728 FLOPs; bytes (256+64)*(1+2) gather
 *     + 2*(32*192 + 32*64 + 32*128 + 32*128 + 32*128) = 41,920. */
static void test_mla_caches_the_latent(void **state)
{
    (void)state;
    struct model_work w = work("mistral-small-4-119b", DTYPE_NVFP4, KV_DTYPE_FP8);
    assert_close(w.kv_bytes_per_token_full, 36 * 320, 0, 0);
    assert_close(w.attn_flops_per_pair_full, 36.0 * 16384, 0, 0);
    assert_int_equal(w.head_dim_full, 128);
    assert_close(w.attn_flops_per_pair_full_decode, 36.0 * 36864, 0, 0);
    assert_int_equal(w.head_dim_full_decode, 320);
    assert_close(w.mla_ctx_flops_per_token, 36.0 * 3145728, 0, 0);
    assert_close(w.mla_ctx_bytes_per_token, 36.0 * 41920, 0, 0);
    assert_int_equal(w.expert.path, KPATH_FP4_MARLIN);
    assert_int_equal(w.dense.path, KPATH_BF16);
}

static void test_gated_deltanet_state(void **state)
{
    (void)state;
    /* Qwen3.6-35B-A3B: 30 GDN layers; conv (2*16*128 + 32*128) x 3 x 2 B =
     * 49,152 B; state 32 x 128 x 128 x 4 B = 2,097,152 B. 10 full layers
     * of 2 KV heads x 256 x 2 = 1024 el. */
    struct model_work w = work("qwen-3.6-35b-a3b", DTYPE_BF16, KV_DTYPE_AUTO);
    assert_close(w.state_bytes_per_seq, 30.0 * (49152 + 2097152), 0, 0);
    assert_close(w.kv_bytes_per_token_full, 10 * 1024 * 2, 0, 0);
    assert_int_equal(w.n_moe_layers, 40);
    assert_int_equal(w.n_experts, 256);
    assert_int_equal(w.n_experts_active, 8);
    /* one expert: 3 x 2048 x 512 params, bf16 */
    assert_close(w.expert.bytes, 3.0 * 2048 * 512 * 2, 0, 0);
    assert_close(w.expert.flops_per_token, 2.0 * 3 * 2048 * 512, 0, 0);
    assert_int_equal(w.swa_window, 0);
}

static void test_mixed_checkpoints_take_one_path_per_part(void **state)
{
    (void)state;
    /* Nemotron-Nano-30B NVFP4: experts NVFP4 (relu^2: 2 x 2688 x 1856
     * params at 4.5 bit), other linears FP8, lm_head BF16. */
    struct model_work w = work("nemotron-3-nano-30b-a3b", DTYPE_NVFP4, KV_DTYPE_FP8);
    assert_int_equal(w.expert.path, KPATH_FP4_MARLIN);
    assert_int_equal(w.dense.path, KPATH_FP8_CUTLASS);
    assert_int_equal(w.lm_head.path, KPATH_BF16);
    /* Each of NemotronH's 52 layers is one block (a Mamba mixer, an
     * attention mixer or an MoE), where a transformer layer is two. */
    assert_int_equal(w.n_residual_blocks, 52);
    assert_close(w.expert.bytes, 2.0 * 2688 * 1856 * 4.5 / 8, 0, 1e-6);
    w = work("gpt-oss-20b", DTYPE_MXFP4, KV_DTYPE_AUTO);
    assert_int_equal(w.expert.path, KPATH_MXFP4_MARLIN);
    assert_int_equal(w.dense.path, KPATH_BF16);
    assert_int_equal(w.n_experts, 32);
    assert_int_equal(w.n_experts_active, 4);
    /* Gemma-4-31B NVFP4: MLPs NVFP4, attention BF16; the dense part runs
     * the path of its larger share by bytes: 60 x 3 x 5376 x 21504 MLP
     * params at 4.5 bit (11.7 GB) < ~8.5 B attention params in BF16. */
    w = work("gemma-4-31b-it", DTYPE_NVFP4, KV_DTYPE_AUTO);
    assert_int_equal(w.dense.path, KPATH_BF16);
    w = work("granite-4.1-8b", DTYPE_FP8, KV_DTYPE_AUTO);
    assert_int_equal(w.dense.path, KPATH_FP8_CUTLASS);
    assert_int_equal(w.n_moe_layers, 0);
}

static struct model_work work_backends(const char *name, enum dtype d, const char *linear,
                                       const char *moe, bool fp8_marlin)
{
    struct model *m = NULL;
    struct cs_err err = { 0 };
    struct kernel_backends kb = { .fp8_marlin = fp8_marlin };
    if (model_load(name, &m, &err) ||
        kernel_backend_parse(linear, "--linear-backend", &kb.linear, &err) ||
        kernel_backend_parse(moe, "--moe-backend", &kb.moe, &err))
        fail_msg("%s", err.msg);
    struct model_work w;
    if (model_work_init(m, d, &kb, KV_DTYPE_FP8, &w, &err))
        fail_msg("%s", err.msg);
    model_free(m);
    return w;
}

/* vLLM's --linear-backend / --moe-backend pick the kernels per part as
 * model/kernel_path.c's table says: FP8 linears on CUTLASS and FP8
 * experts on Triton unless Marlin is asked for (flag or
 * VLLM_TEST_FORCE_FP8_MARLIN); NVFP4 through Marlin unless the build has
 * the SM120 kernels or a CUTLASS backend is named; BF16 parts ignore
 * the flags. */
static void test_backend_flags_choose_the_kernel_path(void **state)
{
    (void)state;
    /* Per-tensor FP8 (Nemotron-Nano). */
    struct model_work w = work_backends("nemotron-3-nano-30b-a3b", DTYPE_FP8, NULL, NULL, false);
    assert_int_equal(w.dense.path, KPATH_FP8_CUTLASS);
    assert_int_equal(w.expert.path, KPATH_FP8_TRITON);
    w = work_backends("nemotron-3-nano-30b-a3b", DTYPE_FP8, "marlin", "marlin", false);
    assert_int_equal(w.dense.path, KPATH_FP8_MARLIN);
    assert_int_equal(w.expert.path, KPATH_FP8_MARLIN);
    w = work_backends("nemotron-3-nano-30b-a3b", DTYPE_FP8, NULL, "auto", true);
    assert_int_equal(w.dense.path, KPATH_FP8_MARLIN);
    assert_int_equal(w.expert.path, KPATH_FP8_MARLIN);
    w = work_backends("nemotron-3-nano-30b-a3b", DTYPE_FP8, "marlin", "triton", false);
    assert_int_equal(w.dense.path, KPATH_FP8_MARLIN);
    assert_int_equal(w.expert.path, KPATH_FP8_TRITON);
    /* Block-scaled FP8 (Qwen3.6): CUTLASS's blockwise kernel for linears,
     * Triton's fused_moe for experts; Triton linears when named. */
    w = work_backends("qwen-3.6-35b-a3b", DTYPE_FP8, NULL, NULL, false);
    assert_int_equal(w.dense.path, KPATH_FP8_CUTLASS);
    assert_int_equal(w.expert.path, KPATH_FP8_TRITON);
    w = work_backends("qwen-3.6-35b-a3b", DTYPE_FP8, "triton", "cutlass", false);
    assert_int_equal(w.dense.path, KPATH_FP8_TRITON);
    assert_int_equal(w.expert.path, KPATH_FP8_CUTLASS);
    w = work_backends("nemotron-3-nano-30b-a3b", DTYPE_NVFP4, "auto", "flashinfer_cutlass", false);
    assert_int_equal(w.expert.path, KPATH_FP4_CUTLASS);
    assert_int_equal(w.dense.path, KPATH_FP8_CUTLASS);
    w = work_backends("qwen-3.6-35b-a3b", DTYPE_BF16, "marlin", "marlin", true);
    assert_int_equal(w.dense.path, KPATH_BF16);
    assert_int_equal(w.expert.path, KPATH_BF16);

    enum kernel_backend b;
    struct cs_err err = { 0 };
    assert_int_equal(kernel_backend_parse("cublas", "--linear-backend", &b, &err), CS_EUSAGE);
    assert_non_null(strstr(err.msg, "--linear-backend: unknown backend 'cublas'"));
    /* FlashInfer's TRT-LLM kernels need SM100: vLLM cannot run them on GB10. */
    assert_int_equal(kernel_backend_parse("flashinfer_trtllm", "--moe-backend", &b, &err), CS_EUSAGE);
    assert_non_null(strstr(err.msg, "does not run on GB10"));
    assert_int_equal(kernel_backend_parse("deep_gemm", "--moe-backend", &b, &err), CS_OK);
    assert_int_equal(b, KBACKEND_CUTLASS);
}

static void test_mxfp4_needs_experts(void **state)
{
    (void)state;
    struct model *m = NULL;
    struct cs_err err = { 0 };
    assert_int_equal(model_load("granite-4.1-8b", &m, &err), CS_OK);
    struct model_work w;
    assert_int_equal(model_work_init(m, DTYPE_MXFP4, NULL, KV_DTYPE_AUTO, &w, &err), CS_EINPUT);
    assert_string_equal(err.msg, "granite-4.1-8b: mxfp4 checkpoints quantize MoE experts; this model has none");
    model_free(m);
}

/* Nemotron-3-Super's MTP block holds one MoE layer: its routed experts
 * are priced through the expert term, the rest (attention, shared expert,
 * fusion) as the drafter part, at NVFP4 like the trunk. A model without
 * MTP layers gets no drafter. */
static void test_mtp_drafter_work(void **state)
{
    (void)state;
    struct model *m = NULL;
    struct cs_err err = { 0 };
    assert_int_equal(model_load("nemotron-3-super-120b-a12b", &m, &err), CS_OK);
    struct model_work w;
    assert_int_equal(model_work_init(m, DTYPE_NVFP4, NULL, KV_DTYPE_FP8, &w, &err), CS_OK);
    assert_int_equal(w.drafter_passes, 0);
    model_work_add_mtp_drafter(m, DTYPE_NVFP4, 3, &w);
    assert_int_equal(w.drafter_passes, 3);
    assert_true(w.drafter_moe);
    double experts = (double)w.n_experts * w.expert.bytes;
    assert_close(w.drafter.bytes + experts, model_mtp_weight_bytes(m, DTYPE_NVFP4), 1e-9, 0);
    model_free(m);
    assert_int_equal(model_load("gemma-4-e2b-it", &m, &err), CS_OK);
    assert_int_equal(model_work_init(m, DTYPE_BF16, NULL, KV_DTYPE_FP8, &w, &err), CS_OK);
    model_work_add_mtp_drafter(m, DTYPE_BF16, 3, &w);
    assert_int_equal(w.drafter_passes, 0);
    model_free(m);
}

/* A DFlash drafter for Muse-Glimmer (dense, 52 layers of 6656): five
 * decoder layers of the target's size and a 5 x hidden^2 fusion
 * projection, in BF16, one pass over the k + 1 block positions and the LM
 * head over k; its five attention layers read K/V like a full layer of
 * the target. Other methods add nothing, nor does k = 0. */
static void test_dflash_drafter_work(void **state)
{
    (void)state;
    struct model *m = NULL;
    struct cs_err err = { 0 };
    assert_int_equal(model_load("muse-glimmer-30b", &m, &err), CS_OK);
    struct model_work w;
    assert_int_equal(model_work_init(m, DTYPE_BF16, NULL, KV_DTYPE_AUTO, &w, &err), CS_OK);
    double layer = (w.dense.bytes / 2.0) / 52.0; /* dense: every decoder layer alike */
    model_work_add_drafter(m, DTYPE_BF16, KV_DTYPE_AUTO, SPEC_DFLASH, 15, &w);
    assert_int_equal(w.drafter_passes, 1);
    assert_int_equal(w.drafter_tokens, 16);
    assert_int_equal(w.drafter_logits, 15);
    assert_false(w.drafter_moe);
    assert_close(w.drafter.bytes, 2.0 * (5 * layer + 5.0 * 6656 * 6656), 1e-9, 0);
    assert_close(w.drafter.bytes, model_dflash_weight_bytes(m), 1e-12, 0);
    /* 2 KV heads x 128, K and V, BF16, five layers */
    assert_close(w.drafter_kv_bytes_per_token, 5 * 2 * 2 * 128 * 2.0, 1e-12, 0);
    assert_int_equal(model_work_init(m, DTYPE_BF16, NULL, KV_DTYPE_AUTO, &w, &err), CS_OK);
    model_work_add_drafter(m, DTYPE_BF16, KV_DTYPE_AUTO, SPEC_OTHER, 15, &w);
    assert_int_equal(w.drafter_passes, 0);
    model_work_add_drafter(m, DTYPE_BF16, KV_DTYPE_AUTO, SPEC_DFLASH, 0, &w);
    assert_int_equal(w.drafter_passes, 0);
    model_free(m);
}

/* vLLM's method names: "mtp" and the per-family "*_mtp" aliases are the
 * model's MTP block (as is no method at all), "dflash" its own, other
 * known methods run unpriced, and a typo is a usage error naming it. */
static void test_spec_method_names(void **state)
{
    (void)state;
    struct cs_err err = { 0 };
    enum spec_method s = SPEC_OTHER;
    assert_int_equal(spec_method_parse(NULL, "x", &s, &err), CS_OK);
    assert_int_equal(s, SPEC_MTP);
    assert_int_equal(spec_method_parse("qwen3_next_mtp", "x", &s, &err), CS_OK);
    assert_int_equal(s, SPEC_MTP);
    assert_int_equal(spec_method_parse("dflash", "x", &s, &err), CS_OK);
    assert_int_equal(s, SPEC_DFLASH);
    assert_int_equal(spec_method_parse("eagle3", "x", &s, &err), CS_OK);
    assert_int_equal(s, SPEC_OTHER);
    assert_int_equal(spec_method_parse("dflsh", "--speculative-config: .method", &s, &err), CS_EUSAGE);
    assert_non_null(strstr(err.msg, "'dflsh'"));
}

/* Skewed routing: skew 0 is the uniform formula, every skew keeps one
 * token at exactly top-k experts, a batch touches fewer experts the more
 * skewed the routing, and all of them once the batch is large. */
static void test_skewed_routing_touches_fewer_experts(void **state)
{
    (void)state;
    enum { E = 128, K = 8 };
    double lm[E];
    /* uniform: E (1 - (1 - k/E)^T) */
    work_routing_init(E, K, 0.0, lm);
    for (int t = 0; t <= 64; t += 8)
        assert_close(work_experts_touched_skewed(lm, E, t), E * (1 - pow(1 - (double)K / E, t)),
                     1e-12, 1e-12);
    double prev = E * (1 - pow(1 - (double)K / E, 50));
    for (double skew = 0.25; skew <= 2.0; skew += 0.25) {
        work_routing_init(E, K, skew, lm);
        assert_close(work_experts_touched_skewed(lm, E, 1), K, 1e-12, 0);
        double t50 = work_experts_touched_skewed(lm, E, 50);
        assert_true(t50 < prev);
        prev = t50;
        assert_true(work_experts_touched_skewed(lm, E, 1e6) > E - 0.5);
    }
    /* So skewed that the top experts are always chosen: water filling caps
     * them at probability 1 and spreads the rest. */
    work_routing_init(E, K, 8.0, lm);
    assert_true(isinf(lm[0]) && lm[0] < 0);
    assert_close(work_experts_touched_skewed(lm, E, 1), K, 1e-9, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kv_shared_layers_store_nothing_but_attend),
        cmocka_unit_test(test_k_eq_v_global_layers_store_one_tensor),
        cmocka_unit_test(test_mla_caches_the_latent),
        cmocka_unit_test(test_gated_deltanet_state),
        cmocka_unit_test(test_mixed_checkpoints_take_one_path_per_part),
        cmocka_unit_test(test_backend_flags_choose_the_kernel_path),
        cmocka_unit_test(test_mxfp4_needs_experts),
        cmocka_unit_test(test_skewed_routing_touches_fewer_experts),
        cmocka_unit_test(test_mtp_drafter_work),
        cmocka_unit_test(test_dflash_drafter_work),
        cmocka_unit_test(test_spec_method_names),
    };
    return cmocka_run_group_tests_name("model_work", tests, NULL, NULL);
}
