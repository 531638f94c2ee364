/*
 * benchy.h - llama-benchy 0.4.0 against the simulated server: for one
 * (pp, tg, depth, concurrency) point, its latency probe, one discarded
 * warm-up batch and `runs` lockstep batches of c requests sent at the same
 * instant on an otherwise idle engine, and its table columns with its
 * definitions (shared/research/serving-semantics.md 2; docs/metrics.md).
 *
 * Ownership: plain data in and out.
 */
#ifndef CAPSIM_CLIENT_BENCHY_H
#define CAPSIM_CLIENT_BENCHY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/deploy.h"
#include "client/metrics.h"

/* llama-benchy's --latency-mode: "api" (a GET of /models, its default),
 * "generation" (a one-token request) or "none". */
enum benchy_latency { BENCHY_LATENCY_API, BENCHY_LATENCY_GENERATION, BENCHY_LATENCY_NONE };

/* "api", "generation" or "none" -> *out; CS_EUSAGE otherwise. */
int benchy_latency_parse(const char *s, enum benchy_latency *out, struct cs_err *err);
const char *benchy_latency_name(enum benchy_latency m);

struct benchy_args {
    int64_t pp, tg, depth, concurrency, runs;
    enum benchy_latency latency_mode;
    /* llama-benchy counts prompts in GPT-2 tokens and adapts them by the
     * chat-template deltas it measures at warm-up: */
    double delta_user;           /* template tokens of a user-only message */
    double delta_context;        /* template tokens with a system message */
    double prompt_token_ratio;   /* model tokens per GPT-2 token (1) */
    bool prefix_caching;         /* llama-benchy --enable-prefix-caching: with a depth, a
                                  * context-load request first, then context + prompt */
};

struct mean_std {
    double mean, std;
};

struct benchy_row {
    double latency_ms;
    double prompt_tokens;        /* server-side prompt per request */
    struct mean_std pp_tps_total, pp_tps_req, ttfr_ms, est_ppt_ms, e2e_ttft_ms;
    struct mean_std tg_tps_total, tg_tps_req, tg_peak_tps, tg_peak_tps_req;
};

/* llama-benchy's per-request usage check: the server's prompt count if it
 * is within 20% of what the client expected to send, else the expected. */
double benchy_prompt_tokens(double server_tokens, double expected_tokens);

/* The statistics of llama-benchy's results.py over batches, separated
 * from the engine so hand-built timelines can test them. A request is
 * its token timestamps in seconds from its send (all sent at 0), ts[0]
 * being the first chunk (role chunk and first token together). */
struct benchy_times {
    const double *ts;
    size_t n;
};
struct benchy_acc {
    int64_t c;
    double latency_s;
    struct sample pp_total, pp_req, ttfr, est, tg_total, tg_req, peak_b, peak_r;
};
void benchy_acc_init(struct benchy_acc *acc, int64_t c, double latency_s);
/* Add one batch of acc->c requests, each with prompt_tokens. */
void benchy_acc_batch(struct benchy_acc *acc, const struct benchy_times *r, double prompt_tokens);
/* Mean ± population std of every column into row; releases acc. */
void benchy_acc_finish(struct benchy_acc *acc, struct benchy_row *row);

void benchy_args_init(struct benchy_args *a);
int benchy_run(const struct deploy *d, const struct benchy_args *a, struct benchy_row *out,
               struct cs_err *err);
/* The same, with llama-benchy's prefix-caching mode: when a->prefix_caching
 * and a depth, *ctx_row gets the context-load phase ("ctx_pp", "ctx_tg",
 * is_context_prefill_phase) and *out the inference phase. */
int benchy_run_phases(const struct deploy *d, const struct benchy_args *a,
                      struct benchy_row *ctx_row, struct benchy_row *out, struct cs_err *err);

#endif /* CAPSIM_CLIENT_BENCHY_H */
