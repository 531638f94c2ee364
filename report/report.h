/*
 * report.h - results in the formats users already read: vllm bench
 * serve's 50-column text block (with a line saying it is simulated) and
 * its result file's keys, and llama-benchy's markdown table.
 *
 * Ownership: writes to the FILE given; allocates nothing that outlives a call.
 */
#ifndef CAPSIM_REPORT_REPORT_H
#define CAPSIM_REPORT_REPORT_H

#include <stdio.h>

#include "client/benchy.h"
#include "client/deploy.h"
#include "client/serve.h"

struct serve_echo {          /* the configuration echoed in the output */
    const char *model_id;
    const char *precision;
    const char *profile;
    double request_rate, burstiness;
    int64_t max_concurrency, num_prompts, seed;
    int seeds;
    const struct deploy_settings *server;  /* NULL: not printed */
    /* vllm bench serve's setup keys (vllm/benchmarks/serve.py, main_async) */
    const char *backend;       /* --backend / --endpoint-type; NULL: "openai" */
    const char *label;         /* --label; NULL: JSON null */
    const char *tokenizer_id;  /* --tokenizer, else model_id */
    const char *date;          /* "%Y%m%d-%H%M%S" of the saved file; NULL: left out */
    bool detailed;             /* --save-detailed: the per-request arrays */
    bool one_line;             /* the saved file: one line, as vLLM's json.dump */
};

void report_serve_text(FILE *f, const struct serve_result *r, const struct serve_args *a,
                       const struct serve_echo *e);
int report_serve_json(FILE *f, const struct serve_result *r, const struct serve_args *a,
                      const struct serve_echo *e, struct cs_err *err);

struct benchy_point {
    int64_t pp, tg, depth, concurrency;
    bool context_phase;          /* llama-benchy's context-load phase ("ctx_pp", "ctx_tg") */
    struct benchy_row row;
};

/* llama-benchy's table; max_c is the suite's largest concurrency (it
 * decides the "(cN)" suffix and the "t/s (total)" header). */
void report_benchy_md(FILE *f, const char *model, const char *latency_mode,
                      const struct benchy_point *pts, size_t n, int64_t max_c);
/* llama-benchy's --format json, each value {mean, std} (no "values"),
 * without its timestamp: capsim's output is deterministic. */
int report_benchy_json(FILE *f, const char *model, const struct deploy_settings *server,
                       const char *latency_mode, bool prefix_caching,
                       const struct benchy_point *pts, size_t n, int64_t max_c,
                       struct cs_err *err);

#endif /* CAPSIM_REPORT_REPORT_H */
