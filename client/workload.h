/*
 * workload.h - the requests a benchmark client sends, drawn exactly as
 * the client draws them:
 *  - `vllm bench serve --dataset-name random`: input and output lengths
 *    uniform on vLLM's inclusive integer ranges, drawn from
 *    np.random.default_rng(seed) (PCG64) as vLLM draws them;
 *  - arrival times: np.random.gamma(shape=burstiness,
 *    scale=1/(rate*burstiness)) from the global numpy RNG seeded with
 *    np.random.seed(seed) (MT19937, legacy samplers), cumulated and
 *    rescaled so the last arrival is at N/rate (vLLM get_request());
 *  - sharegpt without a file: a built-in length model;
 *  - trace: a CSV (arrived_at,num_prefill_tokens,num_decode_tokens).
 * See ../shared/research/serving-semantics.md §3.1-3.3.
 *
 * Ownership: arrays are caller-allocated (n entries) unless a function
 * says it returns memory you free().
 */
#ifndef CAPSIM_CLIENT_WORKLOAD_H
#define CAPSIM_CLIENT_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct workload_req {
    double arrival_s;      /* offset from the benchmark start */
    uint32_t n_prompt;     /* tokens the client asked for (before chat template) */
    uint32_t n_output;     /* max_tokens */
    uint32_t shared_len;   /* the prompt starts with shared_len tokens of content */
    uint64_t shared_id;    /* shared_id, the same in every request drawn with it */
};

struct workload_random_args {
    int64_t input_len;          /* --random-input-len (vLLM default 1024) */
    int64_t output_len;         /* --random-output-len (default 128) */
    double range_ratio;         /* --random-range-ratio in [0, 1) (default 0) */
    int64_t prefix_len;         /* --random-prefix-len (default 0) */
    int64_t num_special_tokens; /* tokenizer.num_special_tokens_to_add() (0 if unknown) */
};

/* Lengths of n random-dataset requests for `seed` (arrival_s left 0). */
int workload_random(const struct workload_random_args *a, int64_t seed, size_t n,
                    struct workload_req *out, struct cs_err *err);

/* vLLM's inclusive sampling ranges, as its log line prints them:
 * "Sampling input_len from [lo, hi] and output_len from [lo, hi]". */
void workload_random_ranges(const struct workload_random_args *a, int64_t *in_lo,
                            int64_t *in_hi, int64_t *out_lo, int64_t *out_hi);

/* vllm bench serve --dataset-name prefix_repetition
 * (vllm/benchmarks/datasets PrefixRepetitionRandomDataset.sample):
 * num_prefixes prefixes of prefix_len tokens, num_prompts / num_prefixes
 * requests each (prefix + its own suffix_len tokens, output_len out),
 * shuffled with Python's random seeded with `seed`. *out (of *n requests,
 * num_prompts rounded down to a multiple of num_prefixes) is yours to free(). */
struct workload_prefix_repetition_args {
    int64_t prefix_len, suffix_len, num_prefixes, output_len;
};
int workload_prefix_repetition(const struct workload_prefix_repetition_args *a, int64_t seed,
                               size_t num_prompts, struct workload_req **out, size_t *n,
                               struct cs_err *err);

/* Arrival offsets of n requests at `rate` req/s (INFINITY: all at 0) with
 * gamma shape `burstiness`, for `seed`, into t[0..n). */
int workload_arrivals(double rate, double burstiness, int64_t seed, size_t n, double *t,
                      struct cs_err *err);

/* Built-in ShareGPT length model (no dataset file): n requests. */
int workload_sharegpt_builtin(int64_t seed, size_t n, struct workload_req *out,
                              struct cs_err *err);

/* Read a trace CSV; *out is an array of *n requests you free(). Rows must
 * be in time order with positive lengths; errors name the file and line. */
int workload_trace_load(const char *path, struct workload_req **out, size_t *n,
                        struct cs_err *err);

#endif /* CAPSIM_CLIENT_WORKLOAD_H */
