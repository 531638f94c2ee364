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

#include <stdbool.h>
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

/* Summarize s at percentiles pcts[0..n_pcts); reorders s's values. */
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

/* vllm bench serve's most chunks (role chunks included) in a 1-s bucket
 * int(t - t0). ts need not be sorted; every ts[i] >= t0. */
double metric_bucket_peak_rate(const double *ts, size_t n, double t0);

/* Counts per 1-s bucket int(t - t0), grown on demand: the peak output
 * rate without keeping every chunk's timestamp. Zero-init, then set t0. */
struct metric_buckets {
    double t0;
    int64_t *n;
    size_t len, cap;
};
void metric_buckets_add(struct metric_buckets *b, double t);
int64_t metric_buckets_max(const struct metric_buckets *b);
void metric_buckets_release(struct metric_buckets *b);

/* vllm bench serve keeps every ITL gap; capsim does too up to this many
 * (256 MB of doubles), then keeps the gaps of every k-th request for the
 * median and percentiles while the mean and std stay exact (running
 * sums over all gaps). docs/metrics.md. */
#define METRIC_ITL_MAX_GAPS ((size_t)1 << 25)

/* One request as vllm bench serve records it, times in seconds from the
 * benchmark start. n_output 0 = no chunk arrived (failed). */
struct metric_req {
    double send_s, first_s, last_s;
    uint32_t n_prompt, n_output;
};

/* vllm bench serve --goodput: the objectives a completed request must
 * all meet to count as good, in ms, each inclusive; unset ones are not
 * checked. A request of one output token has TPOT 0 here, as in vLLM. */
struct metric_goodput {
    bool has_ttft, has_tpot, has_e2el;
    double ttft_ms, tpot_ms, e2el_ms;
};

/* vLLM's calculate_metrics (serving-semantics 3.6). */
struct metric_vllm {
    double duration;
    int64_t completed, failed, total_input_tokens, total_output_tokens;
    double request_throughput, output_throughput, total_token_throughput;
    double max_output_tokens_per_s;
    int64_t max_concurrent_requests;
    struct metric_summary ttft_ms, tpot_ms, itl_ms, e2el_ms;
    bool has_goodput;            /* objectives were given */
    double request_goodput;      /* good requests per second of the duration */
};

/* Summarize n requests. itl_ms holds every chunk gap of every request,
 * pooled, including each request's ~0 gap between its role chunk and its
 * first token chunk (sorted in place); chunks counts every chunk's
 * arrival (role chunks included) from the earliest send. The benchmark
 * clock starts at 0 (just before the first arrival wait), so duration =
 * the last chunk. goodput may be NULL (no objectives). */
void metric_vllm_compute(const struct metric_req *r, size_t n, struct sample *itl_ms,
                         const struct metric_buckets *chunks, const double *pcts,
                         size_t n_pcts, const struct metric_goodput *goodput,
                         struct metric_vllm *out);

#endif /* CAPSIM_CLIENT_METRICS_H */
