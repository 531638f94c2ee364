/*
 * test_nprng.c - numpy's streams reproduced bit for bit. Expected values
 * come from numpy 1.24 itself (scripts/gen_nprng_golden.py ->
 * tests/data/nprng_golden.txt); numpy is not needed to run this test.
 */
#include "cs_test.h"

#include "client/nprng.h"

/* Value `idx` of `key` in the golden file, as text. */
static int golden(const char *key, int idx, char *out, size_t n)
{
    FILE *f = fopen("tests/data/nprng_golden.txt", "r");
    if (!f)
        return 0;
    char k[64], v[64];
    int i, found = 0;
    while (fscanf(f, "%63s %d %63s", k, &i, v) == 3)
        if (strcmp(k, key) == 0 && i == idx) {
            snprintf(out, n, "%s", v);
            found = 1;
            break;
        }
    fclose(f);
    return found;
}

static double golden_double(const char *key, int idx)
{
    char v[64];
    if (!golden(key, idx, v, sizeof v))
        fail_msg("no golden value %s %d", key, idx);
    return strtod(v, NULL);
}

static long long golden_int(const char *key, int idx)
{
    char v[64];
    if (!golden(key, idx, v, sizeof v))
        fail_msg("no golden value %s %d", key, idx);
    return strtoll(v, NULL, 10);
}

static void test_random_sample_matches_numpy(void **state)
{
    (void)state;
    const uint32_t seeds[] = { 0, 42 };
    for (int s = 0; s < 2; s++) {
        struct np_mt19937 m;
        np_mt19937_seed(&m, seeds[s]);
        char key[64];
        snprintf(key, sizeof key, "random_sample_%u", seeds[s]);
        for (int i = 0; i < 8; i++)
            assert_true(np_random_sample(&m) == golden_double(key, i));
    }
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
            assert_true(1.3 * np_legacy_standard_gamma(&m, shapes[s]) == golden_double(keys[s], i));
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

static void test_pcg64_raw_output_matches(void **state)
{
    (void)state;
    struct np_pcg64 g;
    np_pcg64_seed(&g, 42);
    char v[64];
    for (int i = 0; i < 4; i++) {
        assert_true(golden("pcg64_raw_42", i, v, sizeof v));
        assert_true(np_pcg64_next64(&g) == strtoull(v, NULL, 10));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_sample_matches_numpy),
        cmocka_unit_test(test_gamma_matches_numpy_for_each_shape_branch),
        cmocka_unit_test(test_integers_match_default_rng),
        cmocka_unit_test(test_pcg64_raw_output_matches),
    };
    return cmocka_run_group_tests_name("nprng", tests, NULL, NULL);
}
