/*
 * test_stats.c - percentiles and std as numpy computes them (vLLM's
 * calculate_metrics): linear interpolation, population std. Expected values
 * worked by hand from the numpy definition.
 */
#include "cs_test.h"

#include <string.h>

#include <gsl/gsl_rng.h>

#include "common/stats.h"

static void test_percentile_interpolates_linearly(void **state)
{
    (void)state;
    double x[] = { 4, 1, 3, 2 };
    stats_sort(x, 4);
    /* np.percentile([1,2,3,4], 50) = 2.5; 99 -> 1 + 0.99*3 = 3.97 -> 3.97 */
    assert_close(stats_percentile_sorted(x, 4, 50), 2.5, 0, 1e-12);
    assert_close(stats_percentile_sorted(x, 4, 99), 3.97, 0, 1e-12);
    assert_close(stats_percentile_sorted(x, 4, 0), 1.0, 0, 1e-12);
    assert_close(stats_percentile_sorted(x, 4, 100), 4.0, 0, 1e-12);
}

static void test_std_divides_by_n(void **state)
{
    (void)state;
    double x[] = { 1, 2, 3, 4 };
    /* np.std([1,2,3,4]) = sqrt(1.25) */
    assert_close(stats_pstd(x, 4), sqrt(1.25), 0, 1e-12);
    assert_close(stats_mean(x, 4), 2.5, 0, 1e-12);
}

/* Selection gives what sorting gives, to the bit, with ties (the
 * rounded values repeat) and at both ends. */
static void test_percentile_by_selection_equals_sorting(void **state)
{
    (void)state;
    enum { N = 1001 };
    static double x[N], sorted[N], work[N];
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    const double pcts[] = { 0, 1, 25, 50, 90, 95, 99, 99.9, 100 };
    for (size_t n = 1; n <= N; n += 125) {
        for (size_t i = 0; i < n; i++)
            x[i] = floor(gsl_rng_uniform(r) * 40.0) / 4.0;
        memcpy(sorted, x, n * sizeof *x);
        stats_sort(sorted, n);
        for (size_t k = 0; k < sizeof pcts / sizeof pcts[0]; k++) {
            memcpy(work, x, n * sizeof *x);
            double want = stats_percentile_sorted(sorted, n, pcts[k]);
            assert_true(stats_percentile(work, n, pcts[k]) == want);
        }
    }
    gsl_rng_free(r);
    assert_close(stats_percentile(NULL, 0, 50), 0.0, 0, 0);
}

static void test_merge_runs_sorts_ascending_runs(void **state)
{
    (void)state;
    double x[] = { 1, 4, 9, 2, 3, 3, 10, 0, 5, 8 };
    size_t ends[] = { 3, 7, 7, 10 }; /* runs of 3, 4, 0 and 3 values */
    double want[] = { 0, 1, 2, 3, 3, 4, 5, 8, 9, 10 };
    stats_merge_runs(x, 10, ends, 4);
    assert_memory_equal(x, want, sizeof want);
}

static void test_empty_input_is_zero(void **state)
{
    (void)state;
    assert_close(stats_mean(NULL, 0), 0.0, 0, 0);
    assert_close(stats_pstd(NULL, 0), 0.0, 0, 0);
    assert_close(stats_percentile_sorted(NULL, 0, 99), 0.0, 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percentile_interpolates_linearly),
        cmocka_unit_test(test_std_divides_by_n),
        cmocka_unit_test(test_percentile_by_selection_equals_sorting),
        cmocka_unit_test(test_merge_runs_sorts_ascending_runs),
        cmocka_unit_test(test_empty_input_is_zero),
    };
    return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
