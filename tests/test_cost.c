/*
 * test_cost.c - the step cost model's physics, on a hand-made work model
 * and the built-in GB10 profile: decode is memory-bound (one request and
 * eight cost nearly the same), prefill is compute-bound (cost grows with
 * tokens), a one-token step streams at its own GEMV efficiency, wide
 * attention heads run slower per FLOP by the profile's exponent, skewed
 * expert routing reads fewer experts, grouped expert GEMMs run at
 * moe_eff on every kernel path and stream at moe_bw_eff of their path's
 * bandwidth, an MTP drafter costs its passes, memory and compute of a
 * part combine as a norm of order overlap_exp, async scheduling
 * overlaps CPU with GPU, the fixed cost of a step grows with the model's
 * residual blocks, the memo of weight-part times changes no result,
 * Marlin re-reads its weights once per 64-row slice unless they sit in
 * L2 or share a wave, native paths pay an activation-quantization pass,
 * and MLA re-decompresses a chunked prompt's cached latents every step.
 */
#include "cs_test.h"

#include "sim/cost.h"

/* An 8B-like dense model in BF16: 16 GB of weights, 32 layers of full
 * attention with 32 query heads of 128. */
static struct model_work dense_model(void)
{
    struct model_work w;
    memset(&w, 0, sizeof w);
    w.dense = (struct work_part){ .bytes = 15e9, .flops_per_token = 2 * 7.5e9, .path = KPATH_BF16 };
    w.lm_head = (struct work_part){ .bytes = 1e9, .flops_per_token = 2 * 0.5e9, .path = KPATH_BF16 };
    w.kv_bytes_per_token_full = 32 * 2048 * 1.0;
    w.attn_flops_per_pair_full = w.attn_flops_per_pair_full_decode = 4.0 * 32 * 128 * 32;
    w.head_dim_full = w.head_dim_full_decode = 128;
    w.n_residual_blocks = 64;
    return w;
}

static struct profile gb10(void)
{
    struct profile p;
    struct cs_err err = { 0 };
    assert_int_equal(profile_load_builtin("gb10", &p, &err), CS_OK);
    return p;
}

static struct step_shape decode_batch(const struct model_work *w, int n, int64_t ctx)
{
    struct step_shape s = { 0 };
    for (int i = 0; i < n; i++)
        work_shape_add(&s, w, ctx, 1, true, 1);
    return s;
}

static void test_decode_is_memory_bound_prefill_compute_bound(void **state)
{
    (void)state;
    struct model_work w = dense_model();
    struct profile p = gb10();
    struct cost_model *c = cost_new(&w, &p, false);
    struct step_shape one = decode_batch(&w, 1, 100), eight = decode_batch(&w, 8, 100);
    double t1 = cost_step_seconds(c, &one, NULL), t8 = cost_step_seconds(c, &eight, NULL);
    /* Weights dominate: 16 GB at the effective bandwidth (a lone token's
     * GEMV at its own efficiency). */
    double weights = 16e9 / (p.v[PROF_MEM_BW_BYTES_PER_S] * p.v[PROF_BW_EFF_WEIGHTS]);
    assert_true(t1 > weights / p.v[PROF_GEMV_EFF] && t1 < 1.2 * weights / p.v[PROF_GEMV_EFF]);
    assert_true(t8 < 1.1 * weights);
    struct step_shape pf1 = { 0 }, pf2 = { 0 };
    work_shape_add(&pf1, &w, 0, 2048, false, 1);
    work_shape_add(&pf2, &w, 0, 4096, false, 1);
    double p1 = cost_step_seconds(c, &pf1, NULL), p2 = cost_step_seconds(c, &pf2, NULL);
    assert_true(p1 > 2 * weights);
    assert_true(p2 > 1.9 * p1); /* linear in tokens, plus attention's square */
    cost_free(c);
}

/* One token streams BF16 weights at gemv_eff of the batched rate; two
 * tokens already run the batched path. */
static void test_one_token_step_streams_at_gemv_eff(void **state)
{
    (void)state;
    struct model_work w = dense_model();
    struct profile p = gb10();
    p.v[PROF_GEMV_EFF] = 0.5;
    p.v[PROF_OVERLAP_EXP] = 1e3; /* max(): the few FLOPs of two tokens add nothing */
    struct cost_model *c = cost_new(&w, &p, false);
    struct step_shape one = decode_batch(&w, 1, 100), two = decode_batch(&w, 2, 100);
    struct cost_breakdown b1, b2;
    cost_step_seconds(c, &one, &b1);
    cost_step_seconds(c, &two, &b2);
    double batched = 16e9 / (p.v[PROF_MEM_BW_BYTES_PER_S] * p.v[PROF_BW_EFF_WEIGHTS]);
    assert_true(fabs(b2.weights_s / batched - 1) < 1e-9);
    assert_true(fabs(b1.weights_s / (2 * batched) - 1) < 1e-9);
    cost_free(c);
    /* Only cuBLAS's BF16 linears switch kernel at one row: Marlin linears
     * and grouped experts cost one token as they cost two, the BF16 LM
     * head still at gemv_eff. */
    struct model_work q = dense_model();
    q.dense.path = KPATH_FP4_MARLIN;
    q.expert = (struct work_part){ .bytes = 3 * 2816.0 * 704 * 2, .flops_per_token = 2 * 3 * 2816.0 * 704, .path = KPATH_BF16 };
    q.n_moe_layers = 30;
    q.n_experts = 128;
    q.n_experts_active = 8;
    struct cost_model *cq = cost_new(&q, &p, false);
    struct step_shape q1 = decode_batch(&q, 1, 100), q2 = decode_batch(&q, 2, 100);
    cost_step_seconds(cq, &q1, &b1);
    cost_step_seconds(cq, &q2, &b2);
    double head = 1e9 / (p.v[PROF_MEM_BW_BYTES_PER_S] * p.v[PROF_BW_EFF_WEIGHTS]);
    double experts_per_touch = q.n_moe_layers * q.expert.bytes /
                               (p.v[PROF_MEM_BW_BYTES_PER_S] * p.v[PROF_BW_EFF_WEIGHTS] * p.v[PROF_MOE_BW_EFF]);
    double dense = 15e9 / (p.v[PROF_MEM_BW_BYTES_PER_S] * p.v[PROF_MARLIN_BW_EFF]);
    assert_true(fabs(b1.weights_s / (dense + 2 * head + 8 * experts_per_touch) - 1) < 1e-9);
    cost_free(cq);
}

/* The same attention FLOPs cost (256/128)^exp times more with 256-wide heads. */
static void test_wide_heads_cost_more_per_flop(void **state)
{
    (void)state;
    struct model_work narrow = dense_model();
    narrow.dense = narrow.lm_head = (struct work_part){ .bytes = 0, .flops_per_token = 0, .path = KPATH_BF16 };
    narrow.kv_bytes_per_token_full = 0;
    struct model_work wide = narrow;
    wide.head_dim_full = 256;
    struct profile p = gb10();
    p.v[PROF_ATTN_HEAD_DIM_EXP] = 0.8;
    struct cost_model *cn = cost_new(&narrow, &p, false), *cw = cost_new(&wide, &p, false);
    struct step_shape s = { 0 };
    work_shape_add(&s, &narrow, 0, 16384, false, 1);
    struct cost_breakdown bn, bw;
    cost_step_seconds(cn, &s, &bn);
    cost_step_seconds(cw, &s, &bw);
    assert_true(bn.attention_s > 0);
    assert_close(bw.attention_s / bn.attention_s, pow(2.0, 0.8), 1e-9, 0);
    cost_free(cn);
    cost_free(cw);
}

/* A 128-expert MoE decoding 32 requests: skewed routing touches fewer
 * experts, so the step reads fewer bytes; one request reads top-k either way. */
static void test_skewed_routing_reads_fewer_expert_bytes(void **state)
{
    (void)state;
    struct model_work w = dense_model();
    w.dense.bytes = 1e9;
    w.expert = (struct work_part){ .bytes = 3 * 2816.0 * 704 * 2, .flops_per_token = 2 * 3 * 2816.0 * 704, .path = KPATH_BF16 };
    w.n_moe_layers = 30;
    w.n_experts = 128;
    w.n_experts_active = 8;
    struct profile uni = gb10(), skew = uni;
    uni.v[PROF_MOE_ROUTING_SKEW] = 0.0;
    skew.v[PROF_MOE_ROUTING_SKEW] = 1.0;
    struct cost_model *cu = cost_new(&w, &uni, false), *cs = cost_new(&w, &skew, false);
    struct step_shape one = decode_batch(&w, 1, 100), many = decode_batch(&w, 32, 100);
    struct cost_breakdown u1, s1, u32, s32;
    cost_step_seconds(cu, &one, &u1);
    cost_step_seconds(cs, &one, &s1);
    cost_step_seconds(cu, &many, &u32);
    cost_step_seconds(cs, &many, &s32);
    assert_close(s1.weights_s, u1.weights_s, 1e-9, 0);
    assert_true(s32.weights_s < 0.9 * u32.weights_s);
    /* Decode batches up to 256 come from a precomputed table, larger ones
     * from the direct sum: the two meet without a jump. */
    struct step_shape at = decode_batch(&w, 256, 10), past = decode_batch(&w, 257, 10);
    struct cost_breakdown ba, bp;
    cost_step_seconds(cs, &at, &ba);
    cost_step_seconds(cs, &past, &bp);
    assert_true(bp.weights_s >= ba.weights_s);
    assert_true(bp.weights_s < 1.01 * ba.weights_s);
    cost_free(cu);
    cost_free(cs);
}

/* Only routed experts, Gemma-4-26B-shaped, in Marlin NVFP4: 30 MoE
 * layers of 128 experts (3 x 2816 x 704), top-8. */
static struct model_work nvfp4_experts_only(void)
{
    struct model_work w;
    memset(&w, 0, sizeof w);
    w.expert = (struct work_part){ .bytes = 3 * 2816.0 * 704 * 0.5625, .flops_per_token = 2 * 3 * 2816.0 * 704, .path = KPATH_FP4_MARLIN };
    w.n_moe_layers = 30;
    w.n_experts = 128;
    w.n_experts_active = 8;
    w.head_dim_full = 128;
    w.n_residual_blocks = 60;
    return w;
}

/* Prefill of a MoE whose experts are Marlin NVFP4: the expert GEMM is
 * compute-bound and runs at moe_eff of Marlin's dense rate, as BF16
 * experts do of the BF16 rate; halving moe_eff doubles the expert part. */
static void test_grouped_experts_run_at_moe_eff_on_every_path(void **state)
{
    (void)state;
    struct model_work w = nvfp4_experts_only();
    struct profile full = gb10();
    full.v[PROF_OVERLAP_EXP] = 1e3; /* max(): the part is its compute time alone */
    struct profile half = full;
    half.v[PROF_MOE_EFF] = full.v[PROF_MOE_EFF] / 2;
    struct cost_model *cf = cost_new(&w, &full, false), *ch = cost_new(&w, &half, false);
    struct step_shape pf = { 0 };
    work_shape_add(&pf, &w, 0, 8192, false, 1);
    struct cost_breakdown bf, bh;
    cost_step_seconds(cf, &pf, &bf);
    cost_step_seconds(ch, &pf, &bh);
    double flops = 8192.0 * 8 * 30 * w.expert.flops_per_token;
    double rate = full.v[PROF_PEAK_FLOPS_BF16] * full.v[PROF_MARLIN_EFF] * full.v[PROF_MOE_EFF];
    assert_close(bf.weights_s, flops / rate, 0.01, 0);
    assert_close(bh.weights_s, 2 * bf.weights_s, 0.01, 0);
    cost_free(cf);
    cost_free(ch);
}

/* Decode of the same MoE: memory-bound, the step reads each touched
 * expert at moe_bw_eff of its path's streaming rate (Marlin's here), so
 * the expert part is bytes / (bw x marlin_bw_eff x moe_bw_eff). */
static void test_expert_reads_stream_at_moe_bw_eff(void **state)
{
    (void)state;
    struct model_work w = nvfp4_experts_only();
    struct profile p = gb10();
    p.v[PROF_MOE_BW_EFF] = 0.8;
    p.v[PROF_OVERLAP_EXP] = 1e3; /* max(): the part is its memory time alone */
    p.v[PROF_MOE_ROUTING_SKEW] = 0; /* uniform: 128 (1 - (1 - 8/128)^4) experts for 4 tokens */
    struct cost_model *c = cost_new(&w, &p, false);
    struct step_shape s = decode_batch(&w, 4, 100);
    struct cost_breakdown b;
    cost_step_seconds(c, &s, &b);
    double touched = 128 * (1 - pow(1 - 8.0 / 128, 4));
    double bw = p.v[PROF_MEM_BW_BYTES_PER_S] * p.v[PROF_MARLIN_BW_EFF] * 0.8;
    assert_close(b.weights_s, touched * 30 * w.expert.bytes / bw, 1e-9, 0);
    cost_free(c);
}

/* An MTP drafter with k passes adds k reads of its block and the LM head
 * to a decode step (memory-bound), and nothing to a pure prefill step. */
static void test_mtp_drafter_costs_k_passes(void **state)
{
    (void)state;
    struct model_work w = dense_model(), spec;
    spec = w;
    spec.drafter = (struct work_part){ .bytes = 0.5e9, .flops_per_token = 2 * 0.25e9, .path = KPATH_BF16 };
    spec.drafter_passes = 3;
    spec.drafter_tokens = spec.drafter_logits = 1;
    struct profile p = gb10();
    p.v[PROF_OVERLAP_EXP] = 1e3; /* max(): passes cost their memory time alone */
    struct cost_model *c0 = cost_new(&w, &p, false), *c3 = cost_new(&spec, &p, false);
    struct step_shape d = decode_batch(&w, 2, 100);
    struct cost_breakdown b0, b3;
    cost_step_seconds(c0, &d, &b0);
    cost_step_seconds(c3, &d, &b3);
    double bw = p.v[PROF_MEM_BW_BYTES_PER_S] * p.v[PROF_BW_EFF_WEIGHTS];
    assert_close(b3.weights_s - b0.weights_s, 3 * (0.5e9 + 1e9) / bw, 1e-9, 0);
    struct step_shape pf = { 0 };
    work_shape_add(&pf, &w, 0, 512, false, 1);
    assert_close(cost_step_seconds(c3, &pf, NULL), cost_step_seconds(c0, &pf, NULL), 1e-12, 0);
    cost_free(c0);
    cost_free(c3);
}

/* A DFlash drafter runs its whole block in one pass: one read of its
 * weights whatever k, the LM head over the k drafted positions (still one
 * read, memory-bound), and its own K/V for every context token. */
static void test_dflash_drafter_costs_one_pass(void **state)
{
    (void)state;
    struct model_work w = dense_model(), spec;
    spec = w;
    spec.drafter = (struct work_part){ .bytes = 0.5e9, .flops_per_token = 2 * 0.25e9, .path = KPATH_BF16 };
    spec.drafter_passes = 1;
    spec.drafter_tokens = 16;
    spec.drafter_logits = 15;
    spec.drafter_kv_bytes_per_token = 5 * 1024;
    struct profile p = gb10();
    p.v[PROF_OVERLAP_EXP] = 1e3; /* max(): the pass costs its memory time alone */
    struct cost_model *c0 = cost_new(&w, &p, false), *c1 = cost_new(&spec, &p, false);
    struct step_shape d = decode_batch(&w, 2, 100);
    struct cost_breakdown b0, b1;
    cost_step_seconds(c0, &d, &b0);
    cost_step_seconds(c1, &d, &b1);
    double bw = p.v[PROF_MEM_BW_BYTES_PER_S] * p.v[PROF_BW_EFF_WEIGHTS];
    double kv = d.kv_tokens_full * 5 * 1024 / (p.v[PROF_MEM_BW_BYTES_PER_S] * p.v[PROF_BW_EFF_KV]);
    assert_close(b1.weights_s - b0.weights_s, (0.5e9 + 1e9) / bw + kv, 1e-9, 0);
    cost_free(c0);
    cost_free(c1);
}

/* A 512-token prefill of the dense model's weights alone: the part costs
 * (mem^n + comp^n)^(1/n), the sum of both at n = 1, their larger one as
 * n grows, never less than the larger one. */
static void test_memory_and_compute_combine_as_a_norm(void **state)
{
    (void)state;
    struct model_work w = dense_model();
    w.lm_head = (struct work_part){ .bytes = 0, .flops_per_token = 0, .path = KPATH_BF16 };
    w.kv_bytes_per_token_full = w.attn_flops_per_pair_full = 0;
    struct profile p = gb10();
    double mem = w.dense.bytes / (p.v[PROF_MEM_BW_BYTES_PER_S] * p.v[PROF_BW_EFF_WEIGHTS]);
    double comp = w.dense.flops_per_token * 512 / (p.v[PROF_PEAK_FLOPS_BF16] * p.v[PROF_GEMM_EFF_BF16]);
    struct step_shape s = { 0 };
    work_shape_add(&s, &w, 0, 512, false, 0);
    const double ns[] = { 1, 2, 5, 200 };
    for (size_t i = 0; i < CS_ARRAY_LEN(ns); i++) {
        p.v[PROF_OVERLAP_EXP] = ns[i];
        struct cost_model *c = cost_new(&w, &p, false);
        struct cost_breakdown b;
        cost_step_seconds(c, &s, &b);
        assert_close(b.weights_s, pow(pow(mem, ns[i]) + pow(comp, ns[i]), 1 / ns[i]), 1e-9, 0);
        assert_true(b.weights_s >= fmax(mem, comp));
        cost_free(c);
    }
    assert_true(comp > 0.2 * mem && comp < 5 * mem); /* near the ridge, where n matters */
}

static void test_async_overlaps_cpu_with_gpu(void **state)
{
    (void)state;
    struct model_work w = dense_model();
    struct profile p = gb10();
    p.v[PROF_CPU_STEP_S] = 0.010;
    struct cost_model *sync = cost_new(&w, &p, false), *async = cost_new(&w, &p, true);
    struct step_shape s = decode_batch(&w, 4, 500);
    struct cost_breakdown b;
    double ts = cost_step_seconds(sync, &s, &b);
    double ta = cost_step_seconds(async, &s, NULL);
    assert_close(ts, b.gpu_s + 0.010, 1e-12, 0);
    assert_close(ta, b.gpu_s > 0.010 ? b.gpu_s : 0.010, 1e-12, 0);
    cost_free(sync);
    cost_free(async);
}

/* The fixed cost of a step is per residual block: half the blocks, half
 * the overhead. */
static void test_overhead_scales_with_blocks(void **state)
{
    (void)state;
    struct model_work w = dense_model(), half = dense_model();
    half.n_residual_blocks = w.n_residual_blocks / 2;
    struct profile p = gb10();
    struct cost_model *full_c = cost_new(&w, &p, true), *half_c = cost_new(&half, &p, true);
    struct step_shape s = decode_batch(&w, 1, 100);
    struct cost_breakdown bf, bh;
    cost_step_seconds(full_c, &s, &bf);
    cost_step_seconds(half_c, &s, &bh);
    double fixed = p.v[PROF_SEQ_OVERHEAD_S] + p.v[PROF_TOKEN_OVERHEAD_S];
    assert_close(bf.overhead_s - fixed, p.v[PROF_BLOCK_OVERHEAD_S] * 64, 1e-15, 0);
    assert_close(bh.overhead_s - fixed, (bf.overhead_s - fixed) / 2, 1e-15, 0);
    assert_close(bh.weights_s, bf.weights_s, 0, 0);
    cost_free(full_c);
    cost_free(half_c);
}

/* The weight parts are memoized by token count (cost.c): a model that has
 * priced other shapes first must give every shape exactly what a fresh
 * model gives, including steps whose token and logit counts differ (a
 * prefill chunk samples one token) and steps past the memo's range. */
static void test_memo_returns_what_a_fresh_model_computes(void **state)
{
    (void)state;
    struct model_work w = dense_model();
    w.expert = (struct work_part){ .bytes = 3 * 2816.0 * 704 * 2, .flops_per_token = 2 * 3 * 2816.0 * 704, .path = KPATH_BF16 };
    w.n_moe_layers = 30;
    w.n_experts = 128;
    w.n_experts_active = 8;
    struct profile p = gb10();
    struct step_shape chunk = { 0 }, huge = { 0 };
    work_shape_add(&chunk, &w, 0, 512, false, 1);
    work_shape_add(&huge, &w, 0, 70000, false, 1);
    const struct step_shape shapes[] = { chunk, decode_batch(&w, 8, 300), decode_batch(&w, 1, 40), huge };
    const size_t n = sizeof shapes / sizeof shapes[0];
    struct cost_model *warm = cost_new(&w, &p, true);
    for (size_t i = 0; i < n; i++)
        cost_step_seconds(warm, &shapes[i], NULL);
    for (size_t i = n; i-- > 0;) {
        struct cost_model *fresh = cost_new(&w, &p, true);
        struct cost_breakdown a, b;
        cost_step_seconds(warm, &shapes[i], &a);
        cost_step_seconds(fresh, &shapes[i], &b);
        assert_memory_equal(&a, &b, sizeof a);
        cost_free(fresh);
    }
    cost_free(warm);
}

/* Only a dense part, 10 GB of FP8 weights in three matrix kinds, with
 * everything else zero: what Marlin reads is the part's whole cost when
 * its math is made free. */
static struct model_work fp8_dense_only(enum kernel_path path)
{
    struct model_work w;
    memset(&w, 0, sizeof w);
    w.dense = (struct work_part){ .bytes = 10e9, .flops_per_token = 2 * 10e9, .path = path,
                                  .act_in_per_token = 50000, .n_matrices = 3 };
    w.dense.m[0] = (struct work_matrix){ .n = 34816, .layer_bytes = 178e6, .bytes = 5e9 };
    w.dense.m[1] = (struct work_matrix){ .n = 5120, .layer_bytes = 89e6, .bytes = 3e9 };
    w.dense.m[2] = (struct work_matrix){ .n = 1024, .layer_bytes = 5e6, .bytes = 2e9 };
    w.head_dim_full = w.head_dim_full_decode = 128;
    return w;
}

/* Marlin's re-reads by hand, 2048 rows = 32 slices of 64 on 48 SMs:
 *   N 34,816: 136 column tiles >= 48 SMs, one slice in flight: 32 reads;
 *   N 5,120: 20 tiles, floor(48/20) = 2 slices share a read: 16 reads;
 *   a 5 MB matrix sits in the 24 MB L2: 1 read.
 * Bytes: 5e9*32 + 3e9*16 + 2e9*1 = 210e9. At 64 rows every matrix is
 * read once. */
static void test_marlin_rereads_weights_per_64_row_slice(void **state)
{
    (void)state;
    struct profile p = gb10();
    p.v[PROF_OVERLAP_EXP] = 1e3;  /* max(): memory alone */
    p.v[PROF_MARLIN_EFF] = 1e6;   /* free math */
    struct model_work w = fp8_dense_only(KPATH_FP8_MARLIN);
    struct cost_model *c = cost_new(&w, &p, false);
    double bw = p.v[PROF_MEM_BW_BYTES_PER_S] * p.v[PROF_MARLIN_BW_EFF];
    struct step_shape big = { 0 }, small = { 0 };
    work_shape_add(&big, &w, 0, 2048, false, 0);
    work_shape_add(&small, &w, 0, 64, false, 0);
    struct cost_breakdown b;
    cost_step_seconds(c, &big, &b);
    assert_close(b.weights_s, 210e9 / bw, 1e-6, 0);
    cost_step_seconds(c, &small, &b);
    assert_close(b.weights_s, 10e9 / bw, 1e-6, 0);
    cost_free(c);
}

/* The same weights on CUTLASS FP8 read once at any size, but quantize
 * their activations first: tokens x 50,000 elements, read in BF16 (2 B)
 * and written in FP8 (1 B), at the BF16 streaming rate. */
static void test_native_fp8_reads_once_and_quantizes_activations(void **state)
{
    (void)state;
    struct profile p = gb10();
    p.v[PROF_OVERLAP_EXP] = 1e3;
    p.v[PROF_GEMM_EFF_FP8_NATIVE] = 1.0;
    p.v[PROF_PEAK_FLOPS_FP8] = 1e30; /* free math */
    struct model_work w = fp8_dense_only(KPATH_FP8_CUTLASS);
    struct cost_model *c = cost_new(&w, &p, false);
    struct step_shape s = { 0 };
    work_shape_add(&s, &w, 0, 2048, false, 0);
    struct cost_breakdown b;
    cost_step_seconds(c, &s, &b);
    double weights = 10e9 / (p.v[PROF_MEM_BW_BYTES_PER_S] * p.v[PROF_MARLIN_BW_EFF]);
    double quant = 2048.0 * 50000 * 3 / (p.v[PROF_MEM_BW_BYTES_PER_S] * p.v[PROF_BW_EFF_WEIGHTS]);
    assert_close(b.weights_s, weights + quant, 1e-6, 0);
    /* NVFP4 writes 0.5625 B per element */
    w.dense.path = KPATH_FP4_CUTLASS;
    p.v[PROF_PEAK_FLOPS_FP4] = 1e30;
    struct cost_model *c4 = cost_new(&w, &p, false);
    cost_step_seconds(c4, &s, &b);
    quant = 2048.0 * 50000 * 2.5625 / (p.v[PROF_MEM_BW_BYTES_PER_S] * p.v[PROF_BW_EFF_WEIGHTS]);
    assert_close(b.weights_s, weights + quant, 1e-6, 0);
    cost_free(c);
    cost_free(c4);
}

/* Compute-bound prefill runs at each path's own rate: BF16 math for
 * Marlin whatever it stores, FP8 and FP4 tensor cores for CUTLASS. */
static void test_paths_compute_at_their_own_rate(void **state)
{
    (void)state;
    struct profile p = gb10();
    p.v[PROF_OVERLAP_EXP] = 1e3;
    p.v[PROF_MEM_BW_BYTES_PER_S] *= 1e6; /* free memory */
    const struct { enum kernel_path path; double rate; } cases[] = {
        { KPATH_BF16, p.v[PROF_PEAK_FLOPS_BF16] * p.v[PROF_GEMM_EFF_BF16] },
        { KPATH_FP8_MARLIN, p.v[PROF_PEAK_FLOPS_BF16] * p.v[PROF_MARLIN_EFF] },
        { KPATH_FP4_MARLIN, p.v[PROF_PEAK_FLOPS_BF16] * p.v[PROF_MARLIN_EFF] },
        { KPATH_FP8_CUTLASS, p.v[PROF_PEAK_FLOPS_FP8] * p.v[PROF_GEMM_EFF_FP8_NATIVE] },
        { KPATH_FP8_TRITON, p.v[PROF_PEAK_FLOPS_FP8] * p.v[PROF_GEMM_EFF_FP8_TRITON] },
        /* FP4's kernel anchor, discounted as FP8's fitted rate is from its anchor */
        { KPATH_FP4_CUTLASS, p.v[PROF_PEAK_FLOPS_FP4] * p.v[PROF_GEMM_EFF_FP4_NATIVE] *
                                 p.v[PROF_GEMM_EFF_FP8_NATIVE] / p.v[PROF_GEMM_ANCHOR_FP8] },
    };
    for (size_t i = 0; i < CS_ARRAY_LEN(cases); i++) {
        struct model_work w = fp8_dense_only(cases[i].path);
        w.dense.act_in_per_token = 0;
        struct cost_model *c = cost_new(&w, &p, false);
        struct step_shape s = { 0 };
        work_shape_add(&s, &w, 0, 8192, false, 0);
        struct cost_breakdown b;
        cost_step_seconds(c, &s, &b);
        assert_close(b.weights_s, 8192.0 * 2 * 10e9 / cases[i].rate, 1e-3, 0);
        cost_free(c);
    }
}

/* A chunk of 2048 prompt tokens with 6144 already cached, on an MLA
 * model whose only work is that: attention pairs at the MHA-form FLOPs,
 * plus kv_b_proj over the 6144 cached latents at the BF16 GEMM rate. */
static void test_mla_redecompresses_cached_context_each_chunk(void **state)
{
    (void)state;
    struct profile p = gb10();
    p.v[PROF_OVERLAP_EXP] = 1e3;
    p.v[PROF_BW_EFF_KV] = 1e6; /* free memory: compute alone */
    struct model_work w;
    memset(&w, 0, sizeof w);
    w.attn_flops_per_pair_full = 16384;
    w.attn_flops_per_pair_full_decode = 36864;
    w.head_dim_full = 128;
    w.head_dim_full_decode = 320;
    w.mla_ctx_flops_per_token = 3145728;
    w.mla_ctx_bytes_per_token = 41920;
    struct cost_model *c = cost_new(&w, &p, false);
    struct step_shape s = { 0 };
    work_shape_add(&s, &w, 6144, 2048, false, 1);
    assert_close(s.prefill_ctx_tokens, 6144, 0, 0);
    struct cost_breakdown b;
    cost_step_seconds(c, &s, &b);
    double pairs = 2048.0 * 6144 + 2048.0 * 2049 / 2;
    double attn = pairs * 16384 / (p.v[PROF_PEAK_FLOPS_BF16] * p.v[PROF_ATTN_PREFILL_EFF]);
    double kvb = 6144.0 * 3145728 / (p.v[PROF_PEAK_FLOPS_BF16] * p.v[PROF_GEMM_EFF_BF16]);
    assert_close(b.attention_s, attn + kvb, 1e-9, 0);
    /* a decoding request's pairs cost the absorbed form's FLOPs */
    struct step_shape d = { 0 };
    work_shape_add(&d, &w, 8191, 1, true, 1);
    assert_close(d.prefill_ctx_tokens, 0, 0, 0);
    cost_step_seconds(c, &d, &b);
    double eff = p.v[PROF_ATTN_PREFILL_EFF] * pow(128.0 / 320, p.v[PROF_ATTN_HEAD_DIM_EXP]);
    assert_close(b.attention_s, 8192.0 * 36864 / (p.v[PROF_PEAK_FLOPS_BF16] * eff), 1e-9, 0);
    cost_free(c);
}

/* Element-wise kernels cost their bytes per token at the BF16 streaming
 * rate whatever the GEMMs run on. */
static void test_elementwise_bytes_scale_with_tokens(void **state)
{
    (void)state;
    struct profile p = gb10();
    struct model_work w;
    memset(&w, 0, sizeof w);
    w.head_dim_full = w.head_dim_full_decode = 128;
    w.elementwise_bytes_per_token = 1e6;
    struct cost_model *c = cost_new(&w, &p, false);
    struct step_shape s = { 0 };
    work_shape_add(&s, &w, 0, 4096, false, 1);
    struct cost_breakdown b;
    cost_step_seconds(c, &s, &b);
    assert_close(b.activations_s, 4096e6 / (p.v[PROF_MEM_BW_BYTES_PER_S] * p.v[PROF_BW_EFF_WEIGHTS]), 1e-12, 0);
    cost_free(c);
}

/* Verifying k = 3 drafts on a recurrent model keeps a state per
 * position: 4 sequences read 4 states and write 16, where plain decode
 * writes 4. */
static void test_spec_verification_writes_a_state_per_position(void **state)
{
    (void)state;
    struct profile p = gb10();
    p.v[PROF_OVERLAP_EXP] = 1e3;
    struct model_work w;
    memset(&w, 0, sizeof w);
    w.head_dim_full = w.head_dim_full_decode = 128;
    w.state_bytes_per_seq = 1e6;
    struct cost_model *c = cost_new(&w, &p, false);
    struct step_shape plain = { 0 }, spec = { 0 };
    for (int i = 0; i < 4; i++) {
        work_shape_add(&plain, &w, 1000, 1, true, 1);
        work_shape_add(&spec, &w, 1000, 4, true, 4);
    }
    struct cost_breakdown b;
    double bw = p.v[PROF_MEM_BW_BYTES_PER_S] * p.v[PROF_BW_EFF_WEIGHTS];
    cost_step_seconds(c, &plain, &b);
    assert_close(b.state_s, 8e6 / bw, 1e-9, 0);
    cost_step_seconds(c, &spec, &b);
    assert_close(b.state_s, 20e6 / bw, 1e-9, 0);
    cost_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_is_memory_bound_prefill_compute_bound),
        cmocka_unit_test(test_one_token_step_streams_at_gemv_eff),
        cmocka_unit_test(test_wide_heads_cost_more_per_flop),
        cmocka_unit_test(test_skewed_routing_reads_fewer_expert_bytes),
        cmocka_unit_test(test_grouped_experts_run_at_moe_eff_on_every_path),
        cmocka_unit_test(test_expert_reads_stream_at_moe_bw_eff),
        cmocka_unit_test(test_mtp_drafter_costs_k_passes),
        cmocka_unit_test(test_dflash_drafter_costs_one_pass),
        cmocka_unit_test(test_memory_and_compute_combine_as_a_norm),
        cmocka_unit_test(test_async_overlaps_cpu_with_gpu),
        cmocka_unit_test(test_overhead_scales_with_blocks),
        cmocka_unit_test(test_memo_returns_what_a_fresh_model_computes),
        cmocka_unit_test(test_marlin_rereads_weights_per_64_row_slice),
        cmocka_unit_test(test_native_fp8_reads_once_and_quantizes_activations),
        cmocka_unit_test(test_paths_compute_at_their_own_rate),
        cmocka_unit_test(test_mla_redecompresses_cached_context_each_chunk),
        cmocka_unit_test(test_elementwise_bytes_scale_with_tokens),
        cmocka_unit_test(test_spec_verification_writes_a_state_per_position),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
