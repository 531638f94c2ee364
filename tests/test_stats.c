/*
 * test_stats.c - percentiles and std as numpy computes them (vLLM's
 * calculate_metrics): linear interpolation, population std. Expected values
 * worked by hand from the numpy definition.
 */
#include "cs_test.h"

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
        cmocka_unit_test(test_empty_input_is_zero),
    };
    return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
