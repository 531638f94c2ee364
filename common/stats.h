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
/* The same about a mean the caller already has. */
double stats_pstd_about(const double *x, size_t n, double mean);
/* Sort x in place (ascending). */
void stats_sort(double *x, size_t n);
/* p in [0, 100]; x must be sorted ascending. */
double stats_percentile_sorted(const double *x, size_t n, double p);
/* p in [0, 100] of unsorted x, equal to the bit to sorting x and calling
 * stats_percentile_sorted, in O(n); x is reordered. */
double stats_percentile(double *x, size_t n, double p);
/* x holds n_runs ascending runs back to back, run r ending at ends[r]
 * (ends[n_runs - 1] == n): merge them into one ascending array, in
 * O(n log n_runs). ends is overwritten. */
void stats_merge_runs(double *x, size_t n, size_t *ends, size_t n_runs);

#endif /* CAPSIM_COMMON_STATS_H */
