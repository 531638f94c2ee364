/*
 * test_kernels_host.c - the host side of capsim-kbench, without a GPU:
 * FP8/FP4/NVFP4/MXFP4 encodings against hand-worked values, shapes from a
 * catalog model, the record writer and reader, and calibration from the
 * synthetic fixture (scripts/gen_kbench_fixture.sh, known parameters).
 */
#include "cs_test.h"

#include "calibrate/kernels_fit.h"
#include "kernels/host/kbench.h"

static void test_fp8_e4m3_hand_worked(void **state)
{
    (void)state;
    /* 1.0 = 0.0111.000 = 0x38; 448 = 0.1111.110 = 0x7E; 2^-9 = smallest subnormal 0x01 */
    assert_int_equal(kb_fp8_e4m3_encode(1.0f), 0x38);
    assert_int_equal(kb_fp8_e4m3_encode(448.0f), 0x7E);
    assert_int_equal(kb_fp8_e4m3_encode(1e6f), 0x7E);      /* saturates */
    assert_int_equal(kb_fp8_e4m3_encode(-1.0f), 0xB8);
    assert_close(kb_fp8_e4m3_decode(0x01), ldexp(1, -9), 0, 0);
    assert_close(kb_fp8_e4m3_decode(0x3C), 1.5, 0, 0);
    /* 1.0625 lies halfway between 1.0 (0x38) and 1.125 (0x39): ties to even */
    assert_int_equal(kb_fp8_e4m3_encode(1.0625f), 0x38);
    assert_true(isnan(kb_fp8_e4m3_decode(0x7F)));
}

static void test_fp4_e2m1_hand_worked(void **state)
{
    (void)state;
    assert_int_equal(kb_fp4_e2m1_encode(6.0f), 7);
    assert_int_equal(kb_fp4_e2m1_encode(-3.0f), 8 | 5);
    assert_int_equal(kb_fp4_e2m1_encode(2.4f), 4);  /* nearest is 2 */
    assert_int_equal(kb_fp4_e2m1_encode(2.5f), 4);  /* tie 2 | 3: even code (2 = code 4) */
    assert_int_equal(kb_fp4_e2m1_encode(100.0f), 7); /* saturates at 6 */
    assert_close(kb_fp4_e2m1_decode(8 | 3), -1.5, 0, 0);
}

static void test_nvfp4_block_roundtrip(void **state)
{
    (void)state;
    /* A block of values on the E2M1 grid times 0.5 round-trips exactly:
     * block max 3 -> block scale 3/6 = 0.5 (exact in E4M3), tensor scale 1. */
    float x[16] = { 0, 0.25f, 0.5f, 0.75f, 1, 1.5f, 2, 3, -0.25f, -0.5f, -1, -3, 0, 0.5f, 1, 2 };
    uint8_t packed[8] = { 0 }, scales[1];
    float ts = 1.0f, back[16];
    kb_nvfp4_quantize(x, 16, packed, scales, &ts);
    assert_int_equal(scales[0], kb_fp8_e4m3_encode(0.5f));
    kb_nvfp4_dequantize(packed, scales, ts, 16, back);
    for (int i = 0; i < 16; i++)
        assert_close(back[i], x[i], 0, 0);
    /* first byte: low nibble x[0] = 0, high nibble x[1] = 0.25/0.5 = 0.5 -> code 1 */
    assert_int_equal(packed[0], 0x10);
}

static void test_mxfp4_scale_is_a_power_of_two(void **state)
{
    (void)state;
    float x[32];
    for (int i = 0; i < 32; i++)
        x[i] = (float)(i % 7) - 3.0f; /* max |x| = 3 -> exponent floor(log2 3) - 2 = -1 */
    uint8_t packed[16] = { 0 }, scales[1];
    float back[32];
    kb_mxfp4_quantize(x, 32, packed, scales);
    assert_int_equal(scales[0], 127 - 1);
    kb_mxfp4_dequantize(packed, scales, 32, back);
    for (int i = 0; i < 32; i++)
        assert_close(back[i], x[i], 0, 0); /* 3 = 6 * 2^-1, 2 = 4 * 2^-1 ... all on the grid */
}

static void test_shapes_come_from_the_model(void **state)
{
    (void)state;
    struct kb_shape s[8];
    struct cs_err err = { 0 };
    size_t n = kb_model_shapes("granite-4.1-8b", s, 8, &err);
    /* hidden 4096, 32 q heads, 8 kv heads x 128, FFN 12800, vocab 100352 */
    assert_int_equal(n, 5);
    assert_string_equal(s[0].what, "qkv_proj");
    assert_int_equal(s[0].n, 32 * 128 + 2 * 8 * 128);
    assert_int_equal(s[0].k, 4096);
    assert_int_equal(s[2].n, 2 * 12800);
    assert_int_equal(s[4].n, 100352);
    assert_int_equal(kb_model_shapes("nope", s, 8, &err), 0);
}

static void test_records_round_trip_and_bad_lines(void **state)
{
    (void)state;
    const char *path = "build/kbench_roundtrip.jsonl";
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    struct kb_record r = { "gemm", "fp8", 4096, 4096, 4096, 0, 0, 1500.0, 1e8, 1.37e11, "unsupported", "GB10", false,
                           "12.1", 2418, 13000, 13000, "no \"algo\" here" };
    assert_int_equal(kb_write_record(f, &r), CS_OK);
    fclose(f);
    struct kb_record *back;
    size_t n;
    struct cs_err err = { 0 };
    assert_int_equal(kb_read_file(path, &back, &n, &err), CS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(back[0].bench, "gemm");
    assert_string_equal(back[0].status, "unsupported");
    assert_string_equal(back[0].sm, "12.1");
    assert_int_equal(back[0].clock_mhz, 2418);
    assert_string_equal(back[0].message, "no \"algo\" here");
    assert_close(back[0].time_us, 1500.0, 1e-6, 0);
    assert_close(back[0].flops, 1.37e11, 1e-15, 0);
    free(back);
    f = fopen(path, "w");
    fputs("{\"bench\": \"gemm\", \"time_us\": 3, \"colour\": 1}\n", f);
    fclose(f);
    assert_int_equal(kb_read_file(path, &back, &n, &err), CS_EINPUT);
    assert_string_equal(err.msg, "build/kbench_roundtrip.jsonl: line 1.colour: unknown key");
    f = fopen(path, "w");
    fputs("{\"bench\": \"gemm\", \"time_us\": -3}\n", f);
    fclose(f);
    assert_int_equal(kb_read_file(path, &back, &n, &err), CS_EINPUT);
    assert_string_equal(err.msg, "build/kbench_roundtrip.jsonl: line 1.time_us: must be between 1e-06 and 1e+12 (got -3)");
    remove(path);
}

static void test_fixture_fit_recovers_the_generator(void **state)
{
    (void)state;
    struct kb_record *r;
    size_t n;
    struct cs_err err = { 0 };
    assert_int_equal(kb_read_file("tests/fixtures/kbench_synthetic.jsonl", &r, &n, &err), CS_OK);
    for (size_t i = 0; i < n; i++)
        assert_true(r[i].synthetic);
    struct profile p;
    memset(&p, 0, sizeof p);
    p.v[PROF_MEM_BW_BYTES_PER_S] = 273e9;
    p.v[PROF_PEAK_FLOPS_BF16] = 125e12;
    p.v[PROF_PEAK_FLOPS_FP8] = 250e12;
    p.v[PROF_PEAK_FLOPS_FP4] = 500e12;
    assert_int_equal(kernels_fit(r, n, &p, "fixture", NULL, &err), CS_OK);
    /* the generator's parameters (scripts/gen_kbench_fixture.sh), within 2% */
    assert_close(p.v[PROF_BW_EFF_WEIGHTS], 0.82, 0.02, 0);
    assert_close(p.v[PROF_MARLIN_BW_EFF], 0.70, 0.02, 0);
    assert_close(p.v[PROF_GEMM_EFF_BF16], 0.72, 0.02, 0);
    assert_close(p.v[PROF_MARLIN_EFF], 0.45, 0.02, 0); /* from the nvfp4 dequant records */
    assert_close(p.v[PROF_BW_EFF_KV], 0.65, 0.02, 0);
    assert_close(p.v[PROF_ATTN_PREFILL_EFF], 0.35, 0.02, 0);
    assert_close(p.v[PROF_MOE_EFF], 0.80, 0.02, 0);
    assert_close(p.v[PROF_MOE_BW_EFF], 0.90, 0.02, 0);
    assert_close(p.v[PROF_GEMV_EFF], 0.90, 0.02, 0);
    assert_string_equal(p.source[PROF_MOE_EFF], "fitted: capsim calibrate --kernels fixture (68 records)");
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fp8_e4m3_hand_worked),
        cmocka_unit_test(test_fp4_e2m1_hand_worked),
        cmocka_unit_test(test_nvfp4_block_roundtrip),
        cmocka_unit_test(test_mxfp4_scale_is_a_power_of_two),
        cmocka_unit_test(test_shapes_come_from_the_model),
        cmocka_unit_test(test_records_round_trip_and_bad_lines),
        cmocka_unit_test(test_fixture_fit_recovers_the_generator),
    };
    return cmocka_run_group_tests_name("kernels_host", tests, NULL, NULL);
}
