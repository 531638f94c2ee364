/*
 * metrics.h - summaries as the benchmark clients compute them (see
 * docs/metrics.md): mean, median, population std and numpy-linear
 * percentiles over a sample; llama-benchy's sliding one-second peak; and
 * vllm bench serve's one-second buckets for peak output rate and peak
 * concurrency.
 *
 * Ownership: struct sample owns its values; release with sample_release().
 */
#ifndef CAPSIM_CLIENT_METRICS_H
#define CAPSIM_CLIENT_METRICS_H

#include <stddef.h>
#include <stdint.h>

#define METRIC_MAX_PCT 8

/* A growable list of doubles. */
struct sample {
    double *v;
    size_t n, cap;
};

void sample_push(struct sample *s, double x);
void sample_release(struct sample *s);

struct metric_summary {
    double mean, median, std;
    double pct[METRIC_MAX_PCT];   /* at the percentiles given to metric_summarize */
};

/* Summarize s (sorted in place) at percentiles pcts[0..n_pcts). */
void metric_summarize(struct sample *s, const double *pcts, size_t n_pcts,
                      struct metric_summary *out);

/* llama-benchy's peak: the most timestamps inside any window (t - 1 s, t]
 * ending on a timestamp, per second; if the whole span is under a second,
 * count / span. ts must be sorted. */
double metric_peak_per_s(const double *ts, size_t n);

/* vllm bench serve's peak concurrency (the arena's client): each request
 * counts in every 1-s bucket from int(start - t0) to int(end - t0)
 * inclusive; the maximum over buckets. */
int64_t metric_bucket_peak_concurrency(const double *start, const double *end, size_t n);

#endif /* CAPSIM_CLIENT_METRICS_H */
