#include "common/stats.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

double stats_mean(const double *x, size_t n)
{
    return n ? gsl_stats_mean(x, 1, n) : 0.0;
}

double stats_pstd(const double *x, size_t n)
{
    /* gsl_stats_sd divides by n-1; np.std (what vLLM reports) by n. */
    return n ? gsl_stats_sd_with_fixed_mean(x, 1, n, gsl_stats_mean(x, 1, n)) : 0.0;
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
