/*
 * serve.h - `vllm bench serve` against the simulated server: the same
 * workload (client/workload.h), the same client behaviour (a
 * --max-concurrency semaphore, timing from the moment a request is sent)
 * and the same metrics with vLLM's definitions (docs/metrics.md).
 *
 * Ownership: plain data in and out.
 */
#ifndef CAPSIM_CLIENT_SERVE_H
#define CAPSIM_CLIENT_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "client/deploy.h"
#include "client/metrics.h"
#include "client/workload.h"

enum serve_dataset { DATASET_RANDOM, DATASET_SHAREGPT, DATASET_TRACE, DATASET_PREFIX_REPETITION };

/* --percentile-metrics: which summaries are reported (vllm bench serve's
 * default for a generation backend: ttft,tpot,itl). All are computed. */
enum {
    SERVE_PM_TTFT = 1,
    SERVE_PM_TPOT = 2,
    SERVE_PM_ITL = 4,
    SERVE_PM_E2EL = 8,
    SERVE_PM_DEFAULT = SERVE_PM_TTFT | SERVE_PM_TPOT | SERVE_PM_ITL,
};

struct serve_args {
    enum serve_dataset dataset;
    const char *dataset_path;        /* trace CSV */
    struct workload_random_args random;
    struct workload_prefix_repetition_args prefix_rep;
    int64_t num_prompts;             /* vLLM default 1000 */
    double request_rate;             /* INFINITY: all at once */
    double burstiness;               /* 1 = Poisson */
    int64_t max_concurrency;         /* 0 = no cap */
    int64_t seed;
    double chat_template_tokens;     /* server-side tokens added to each prompt */
    double output_scale;             /* fraction of max_tokens actually generated (1) */
    double pcts[METRIC_MAX_PCT];     /* --metric-percentiles */
    size_t n_pcts;
    struct metric_goodput goodput;   /* --goodput; all unset: none */
    bool skip_itl;                   /* leave itl_ms zero: a fit reads no ITL, and keeping
                                      * every gap was most of a run's statistics */
    unsigned percentile_metrics;     /* SERVE_PM_* reported */
    bool keep_detail;                /* fill serve_result.detail (--save-detailed) */
};

/* One request as vllm bench serve's --save-detailed lists it (its
 * RequestFuncOutput): times in seconds, start from the benchmark start. */
struct serve_request_detail {
    double start_s, ttft_s;
    uint32_t input_len, output_len;  /* output 0 if it failed */
    double *itl_s;                   /* chunk gaps after the first chunk */
    size_t n_itl, cap_itl;
    bool failed;                     /* answered HTTP 400: longer than max_model_len */
};

struct serve_result {
    double duration;
    int64_t completed, failed;
    int64_t total_input_tokens, total_output_tokens;
    double request_throughput, output_throughput, total_token_throughput;
    bool has_goodput;                /* --goodput was given */
    double request_goodput;
    double max_output_tokens_per_s;
    int64_t max_concurrent_requests;
    struct metric_summary ttft_ms, tpot_ms, itl_ms, e2el_ms;
    /* Requests the server answered with HTTP 400 because prompt + max_tokens
     * exceeds max_model_len (counted in failed), and the first of them. */
    int64_t n_too_long;
    uint32_t too_long_prompt, too_long_output, max_model_len;
    /* a->keep_detail: every request, in dataset order; owned, release with
     * serve_result_release(). */
    struct serve_request_detail *detail;
    size_t n_detail;
    /* capsim's own */
    int64_t num_preemptions;
    int64_t peak_running;            /* most requests the engine ran at once */
    double kv_cache_usage_peak;      /* fraction of the pool */
    bool prefix_caching;             /* the server's --enable-prefix-caching */
    int64_t prefix_cache_queries;    /* tokens looked up, as vllm:prefix_cache_queries */
    int64_t prefix_cache_hits;       /* tokens found, as vllm:prefix_cache_hits */
    bool overloaded;
};

void serve_args_init(struct serve_args *a);
void serve_result_release(struct serve_result *r);
/* One run. */
int serve_run(const struct deploy *d, const struct serve_args *a, struct serve_result *out,
              struct cs_err *err);
/* The mean of each metric over seeds a->seed .. a->seed + n_seeds - 1
 * (no detail: a->keep_detail needs one seed). */
int serve_run_seeds(const struct deploy *d, const struct serve_args *a, int n_seeds,
                    struct serve_result *out, struct cs_err *err);

#endif /* CAPSIM_CLIENT_SERVE_H */
