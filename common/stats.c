#include "common/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "common/xalloc.h"

/* Plain sums rather than GSL's running mean and variance, which divide
 * once per value: over the millions of ITL gaps a validation simulates
 * they took a quarter of its time. numpy sums too (pairwise); over these
 * sample sizes the two agree to about 1e-12. */
double stats_mean(const double *x, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    return n ? sum / (double)n : 0.0;
}

double stats_pstd(const double *x, size_t n)
{
    return stats_pstd_about(x, n, stats_mean(x, n));
}

double stats_pstd_about(const double *x, size_t n, double mean)
{
    /* np.std (what vLLM reports) divides by n, not n - 1. */
    double ss = 0.0;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    return n ? sqrt(ss / (double)n) : 0.0;
}

void stats_sort(double *x, size_t n)
{
    if (n > 1)
        gsl_sort(x, 1, n);
}

double stats_percentile_sorted(const double *x, size_t n, double p)
{
    if (n == 0)
        return 0.0;
    return gsl_stats_quantile_from_sorted_data(x, 1, n, p / 100.0);
}

double stats_percentile(double *x, size_t n, double p)
{
    if (n == 0)
        return 0.0;
    /* The same two order statistics and the same interpolation as
     * gsl_stats_quantile_from_sorted_data, so the result is equal to the
     * bit, in O(n): quickselect for the first, one pass for the second.
     * Sorting a simulated run's hundreds of thousands of ITL gaps took
     * most of validate's time. */
    double index = p / 100.0 * (double)(n - 1);
    size_t lhs = (size_t)index;
    double delta = index - (double)lhs;
    double lo = gsl_stats_select(x, 1, n, lhs);
    if (lhs + 1 >= n || delta == 0.0)
        return lo;
    /* The next order statistic without a second select: lo again if more
     * than lhs + 1 values are <= lo, else the least value above it. */
    size_t n_le = 0;
    double above = INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (x[i] <= lo)
            n_le++;
        else if (x[i] < above)
            above = x[i];
    }
    double hi = n_le >= lhs + 2 ? lo : above;
    return (1 - delta) * lo + delta * hi;
}

void stats_merge_runs(double *x, size_t n, size_t *ends, size_t n_runs)
{
    if (n_runs < 2)
        return;
    double *tmp = xmalloc(n * sizeof *tmp);
    while (n_runs > 1) {
        size_t out = 0, lo = 0;
        for (size_t r = 0; r < n_runs; r += 2) {
            size_t mid = ends[r], hi = r + 1 < n_runs ? ends[r + 1] : mid;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = x[j] < x[i] ? x[j++] : x[i++];
            while (i < mid)
                tmp[k++] = x[i++];
            while (j < hi)
                tmp[k++] = x[j++];
            ends[out++] = hi;
            lo = hi;
        }
        memcpy(x, tmp, n * sizeof *x);
        n_runs = out;
    }
    free(tmp);
}
