/*
 * stats.h - summary statistics computed the way the benchmark clients
 * compute them, so capsim's numbers and theirs mean the same thing:
 * percentiles by linear interpolation (numpy's default np.percentile,
 * equal to GSL's quantile_from_sorted_data) and the population standard
 * deviation (np.std, ddof = 0). Empty input gives 0, as vLLM reports it.
 */
#ifndef CAPSIM_COMMON_STATS_H
#define CAPSIM_COMMON_STATS_H

#include <stddef.h>

double stats_mean(const double *x, size_t n);
/* Population standard deviation (divides by n). */
double stats_pstd(const double *x, size_t n);
/* Sort x in place (ascending). */
void stats_sort(double *x, size_t n);
/* p in [0, 100]; x must be sorted ascending. */
double stats_percentile_sorted(const double *x, size_t n, double p);

#endif /* CAPSIM_COMMON_STATS_H */
