/*
 * test_nprng.c - numpy's streams reproduced bit for bit. Expected values
 * come from numpy 1.24 itself (scripts/gen_nprng_golden.py ->
 * tests/data/nprng_golden.txt); numpy is not needed to run this test.
 * Doubles are compared with ==: the golden file holds repr() text, which
 * strtod turns back into the exact double numpy produced.
 */
#include "cs_test.h"

#include "client/nprng.h"

#include "nprng_golden.h"

static const char *golden(const char *key, int idx)
{
    const char *v = golden_find(key, idx);
    if (!v)
        fail_msg("no golden value %s %d in " GOLDEN_PATH, key, idx);
    return v;
}

static double golden_double(const char *key, int idx)
{
    return strtod(golden(key, idx), NULL);
}

static long long golden_int(const char *key, int idx)
{
    return strtoll(golden(key, idx), NULL, 10);
}

#define assert_bits_equal(got, want)                                                \
    do {                                                                            \
        double g2_ = (got), w2_ = (want);                                           \
        if (g2_ != w2_)                                                             \
            fail_msg("%s = %.17g, numpy gives %.17g", #got, g2_, w2_);              \
    } while (0)

static void test_random_sample_matches_numpy(void **state)
{
    (void)state;
    /* well-known anchors, independent of the golden file */
    struct np_mt19937 m;
    np_mt19937_seed(&m, 0);
    assert_bits_equal(np_random_sample(&m), 0.5488135039273248);
    np_mt19937_seed(&m, 42);
    assert_bits_equal(np_random_sample(&m), 0.3745401188473625);

    const uint32_t seeds[] = { 0, 42, 4294967295U };
    for (int s = 0; s < 3; s++) {
        np_mt19937_seed(&m, seeds[s]);
        char key[64];
        snprintf(key, sizeof key, "random_sample_%u", seeds[s]);
        for (int i = 0; i < 8; i++)
            assert_bits_equal(np_random_sample(&m), golden_double(key, i));
    }
}

static void test_legacy_normal_and_exponential(void **state)
{
    (void)state;
    struct np_mt19937 m;
    np_mt19937_seed(&m, 42);
    /* five values: the cached second Gaussian is used twice */
    for (int i = 0; i < 5; i++)
        assert_bits_equal(np_legacy_gauss(&m), golden_double("standard_normal_42", i));
    np_mt19937_seed(&m, 42);
    for (int i = 0; i < 5; i++)
        assert_bits_equal(np_legacy_standard_exponential(&m),
                          golden_double("standard_exponential_42", i));
}

static void test_gamma_matches_numpy_for_each_shape_branch(void **state)
{
    (void)state;
    /* 0.7 < 1 (rejection), 1.0 (exponential), 2.5 > 1 (Marsaglia-Tsang) */
    const double shapes[] = { 0.7, 1.0, 2.5 };
    const char *keys[] = { "gamma_0.7_scale_1.3", "gamma_1.0_scale_1.3", "gamma_2.5_scale_1.3" };
    for (int s = 0; s < 3; s++) {
        struct np_mt19937 m;
        np_mt19937_seed(&m, 42);
        for (int i = 0; i < 8; i++)
            assert_bits_equal(np_legacy_gamma(&m, shapes[s], 1.3), golden_double(keys[s], i));
    }
}

static void test_gamma_stays_in_step_over_long_runs(void **state)
{
    (void)state;
    /* value 2999 only matches if every rejection and cached Gaussian
     * before it was consumed as numpy consumes them */
    const double shapes[] = { 0.3, 0.7, 2.5 };
    const char *keys[] = { "gamma_0.3_seed_7_long", "gamma_0.7_seed_7_long",
                           "gamma_2.5_seed_7_long" };
    for (int s = 0; s < 3; s++) {
        struct np_mt19937 m;
        np_mt19937_seed(&m, 7);
        for (int i = 0; i < 3000; i++) {
            double x = np_legacy_gamma(&m, shapes[s], 1.0);
            if (i == 0 || i == 1 || i == 1000 || i == 2999)
                assert_bits_equal(x, golden_double(keys[s], i));
        }
    }
    /* alternating shapes on one state, as scalar calls */
    struct np_mt19937 m;
    np_mt19937_seed(&m, 3);
    for (int i = 0; i < 50; i++) {
        double x = np_legacy_gamma(&m, i % 2 ? 2.5 : 0.7, 1.0);
        if (i <= 1 || i >= 48)
            assert_bits_equal(x, golden_double("gamma_mixed_seed_3", i));
    }
}

static void test_integers_match_default_rng(void **state)
{
    (void)state;
    struct np_pcg64 g;
    np_pcg64_seed(&g, 42);
    for (int i = 0; i < 10; i++)
        assert_int_equal(np_integers(&g, 399, 7601), golden_int("integers_42_in", i));
    for (int i = 0; i < 10; i++)
        assert_int_equal(np_integers(&g, 49, 951), golden_int("integers_42_out", i));
    np_pcg64_seed(&g, 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(np_integers(&g, 0, 1LL << 40), golden_int("integers_0_wide", i));
}

static void test_integers_carry_the_buffered_half_across_calls(void **state)
{
    (void)state;
    /* 175 32-bit draws leave the upper half of the 88th 64-bit output
     * buffered; numpy's next integers() call starts with it */
    struct np_pcg64 g;
    np_pcg64_seed(&g, 42);
    int64_t v = 0;
    for (int i = 0; i < 175; i++) {
        v = np_integers(&g, 399, 7601);
        if (i == 0)
            assert_int_equal(v, golden_int("integers_42_odd_in", 0));
    }
    assert_int_equal(v, golden_int("integers_42_odd_in", 174));
    for (int i = 0; i < 175; i++) {
        v = np_integers(&g, 49, 951);
        if (i <= 1)
            assert_int_equal(v, golden_int("integers_42_odd_out", i));
    }
    assert_int_equal(v, golden_int("integers_42_odd_out", 174));
}

static void test_pcg64_raw_output_matches(void **state)
{
    (void)state;
    struct np_pcg64 g;
    np_pcg64_seed(&g, 42);
    for (int i = 0; i < 4; i++)
        assert_true(np_pcg64_next64(&g) == strtoull(golden("pcg64_raw_42", i), NULL, 10));
    /* a seed above 2^32 gives SeedSequence two entropy words */
    np_pcg64_seed(&g, 4294967296ULL);
    for (int i = 0; i < 2; i++)
        assert_true(np_pcg64_next64(&g) ==
                    strtoull(golden("pcg64_raw_4294967296", i), NULL, 10));
}

/* Python's random module, seeded with an int: values printed by CPython
 * 3 (random.seed(0); getrandbits(32) x3, and random.shuffle of range(n)). */
static void test_python_random_shuffle_matches_cpython(void **state)
{
    (void)state;
    struct np_mt19937 m;
    py_random_seed(&m, 0);
    assert_int_equal(py_getrandbits(&m, 32), 3626764237u);
    assert_int_equal(py_getrandbits(&m, 32), 1654615998u);
    assert_int_equal(py_getrandbits(&m, 32), 3255389356u);
    size_t v[1000];
    for (size_t i = 0; i < 10; i++)
        v[i] = i;
    py_random_seed(&m, 0);
    py_shuffle_index(&m, v, 10);
    const size_t want0[] = { 7, 8, 1, 5, 3, 4, 2, 0, 9, 6 };
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(v[i], want0[i]);
    for (size_t i = 0; i < 20; i++)
        v[i] = i;
    py_random_seed(&m, 42);
    py_shuffle_index(&m, v, 20);
    const size_t want42[] = { 19, 5, 14, 4, 9, 13, 15, 18, 6, 12, 17, 10, 1, 11, 2, 16, 7, 8, 0, 3 };
    for (size_t i = 0; i < 20; i++)
        assert_int_equal(v[i], want42[i]);
    for (size_t i = 0; i < 1000; i++)
        v[i] = i;
    py_random_seed(&m, 7);
    py_shuffle_index(&m, v, 1000);
    const size_t want7[] = { 878, 857, 349, 313, 382, 850, 927, 194 };
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(v[i], want7[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_python_random_shuffle_matches_cpython),
        cmocka_unit_test(test_random_sample_matches_numpy),
        cmocka_unit_test(test_legacy_normal_and_exponential),
        cmocka_unit_test(test_gamma_matches_numpy_for_each_shape_branch),
        cmocka_unit_test(test_gamma_stays_in_step_over_long_runs),
        cmocka_unit_test(test_integers_match_default_rng),
        cmocka_unit_test(test_integers_carry_the_buffered_half_across_calls),
        cmocka_unit_test(test_pcg64_raw_output_matches),
    };
    return cmocka_run_group_tests_name("nprng", tests, golden_setup, golden_teardown);
}
