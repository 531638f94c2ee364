/*
 * arena.h - a folder of measured serving runs in the format of
 * ../shared/arena (runs.json, closed_loop.jsonl, open_loop.jsonl): each
 * run's model, precision and server config, every closed-loop row
 * (llama-benchy) and every open-loop test or sweep step (vllm bench
 * serve), with the measured metrics where present. Data credit for
 * ../shared/arena: Django de Vreng, DGX Spark benchmark runs, CC-BY-4.0.
 *
 * Measured values that are absent or null are NaN. Nothing measured is
 * compiled into the program: it is read here, at run time, by path.
 *
 * Ownership: arena_load() returns an arena you free with arena_free();
 * every string and array in it lives until then.
 */
#ifndef CAPSIM_CALIBRATE_ARENA_H
#define CAPSIM_CALIBRATE_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Metrics compared between measurement and simulation, named as in the
 * arena's files. ORDER AM: arena_metric_names[]. */
enum arena_metric {
    /* closed loop (llama-benchy), per (pp, tg, depth, concurrency) row */
    AM_TG_TPS_REQ_MEAN,
    AM_TG_TPS_TOTAL_MEAN,
    AM_TG_PEAK_TPS_MEAN,
    AM_PP_TPS_REQ_MEAN,
    AM_PP_TPS_TOTAL_MEAN,
    AM_PP_TTFR_MS_MEAN,
    AM_PP_EST_PPT_MS_MEAN,
    AM_PP_E2E_TTFT_MS_MEAN,
    AM_LATENCY_MS,             /* the "hello" probe, once per llama-benchy call */
    /* open loop (vllm bench serve) */
    AM_MEAN_TTFT_MS,
    AM_P50_TTFT_MS,
    AM_P90_TTFT_MS,
    AM_P95_TTFT_MS,
    AM_P99_TTFT_MS,
    AM_MEAN_TPOT_MS,
    AM_P50_TPOT_MS,
    AM_P90_TPOT_MS,
    AM_P95_TPOT_MS,
    AM_P99_TPOT_MS,
    AM_MEAN_ITL_MS,
    AM_P50_ITL_MS,
    AM_P99_ITL_MS,
    AM_MEAN_E2EL_MS,
    AM_P50_E2EL_MS,
    AM_P99_E2EL_MS,
    AM_REQUEST_THROUGHPUT,
    AM_OUTPUT_THROUGHPUT,
    AM_DURATION,
    AM_MAX_CONCURRENT_REQUESTS,
    AM_COUNT
};
#define AM_FIRST_OPEN AM_MEAN_TTFT_MS

const char *arena_metric_name(enum arena_metric m);

struct arena_run {
    char *id;                  /* "<model>/<precision>" */
    char *model;               /* catalog short name */
    char *precision;           /* folder name: bf16, nvfp4, bf16-v23, bf16-spec ... */
    char *hf_model;
    char *kv_cache_dtype;      /* "auto", "fp8", "fp8_e4m3" */
    double gpu_memory_utilization;
    int64_t max_model_len;
    int64_t max_num_batched_tokens;  /* effective */
    int64_t max_num_seqs;            /* effective */
    bool async_scheduling;
    bool enable_prefix_caching;
    char *spec_method;         /* "" if none */
    int64_t num_speculative_tokens;
    char *linear_backend;      /* "" if not given */
    char *moe_backend;
    bool language_model_only;  /* --language-model-only among the extra args */
    bool force_fp8_marlin;     /* VLLM_TEST_FORCE_FP8_MARLIN=1 among the env vars */
};

struct arena_closed {
    size_t run;                /* index into runs */
    char *test;
    int64_t pp, tg, depth, concurrency, runs;
    char *latency_mode;        /* llama-benchy's --latency-mode; "api", its default, if absent */
    double warmup_user_delta;  /* chat-template tokens measured at warm-up */
    double warmup_context_delta;
    /* NaN where absent; only closed metrics set. The latency probe is
     * set on the first row of each llama-benchy call (test) only. */
    double measured[AM_COUNT];
    /* The run's first row is its first measurement after the server
     * booted (warm-up in its TTFT and latency probe). */
    bool first_of_run;
};

struct arena_open {
    size_t run;
    char *test;
    double step_rate;          /* NaN for tests 07-10 */
    char *dataset_name;        /* "random", "sharegpt" */
    int64_t num_prompts;
    double request_rate;       /* INFINITY for "inf" */
    double burstiness;
    int64_t max_concurrency;   /* 0 = none */
    int64_t random_input_len, random_output_len, random_prefix_len;
    double random_range_ratio;
    int64_t seed;
    int64_t completed, failed;
    double mean_input_tokens;  /* total_input_tokens / completed (server counts) */
    double mean_output_tokens;
    double output_vs_sampled;  /* NaN unless random */
    double spec_acceptance_length; /* tokens per draft step, NaN unless speculative */
    double measured[AM_COUNT];
};

struct arena {
    char *dir;
    struct arena_run *runs;
    size_t n_runs;
    struct arena_closed *closed;
    size_t n_closed;
    struct arena_open *open;
    size_t n_open;
};

int arena_load(const char *dir, struct arena **out, struct cs_err *err);
void arena_free(struct arena *a);

/* Index of the run with this id, or (size_t)-1. */
size_t arena_find_run(const struct arena *a, const char *id);

#endif /* CAPSIM_CALIBRATE_ARENA_H */
