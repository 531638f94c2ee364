/*
 * scenario.h - an office described the way its owner thinks of it:
 * employees, the share of them active in each working hour, a mix of task
 * types (chat, RAG, long-context analysis, agents, multi-turn
 * conversations with think time), SLOs per task type and overall, and the
 * server. docs/scenarios.md is the schema reference.
 *
 * Three ways to load the server, all from the same file:
 *  - open:   conversations arrive as a gamma process whose rate follows
 *            the active share hour by hour (a time-varying rate);
 *  - closed: each active employee is a user in a loop: a conversation,
 *            then user_think_time_s, then the next;
 *  - trace:  a recorded trace CSV replayed; `employees` is the office the
 *            trace stands for, and more employees compress its clock.
 *
 * Invariant after a successful load: every number is in range, task
 * shares add up to 1 (within 0.01), names are plain [A-Za-z0-9 ._:/+-]
 * (safe to print in JSON unescaped).
 *
 * Ownership: scenario_load() fills a caller-owned struct scenario; strings
 * in it are copies (no cJSON tree survives the load).
 */
#ifndef CAPSIM_SCENARIOS_SCENARIO_H
#define CAPSIM_SCENARIOS_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "model/model.h"
#include "scenarios/slo.h"

#define SCEN_MAX_TASKS 16
#define SCEN_MAX_HOURS 24

enum scenario_load_mode { SCEN_OPEN, SCEN_CLOSED, SCEN_TRACE, SCEN_LOAD_COUNT };

struct scenario_task {
    char name[48];
    double share;                /* of conversations */
    double input_tokens;         /* mean prompt of the first turn */
    double output_tokens;        /* mean reply */
    double range_ratio;          /* lengths uniform in mean*(1-r)..mean*(1+r) */
    int64_t turns;               /* requests per conversation (context grows) */
    double think_time_s;         /* between a reply and the next turn */
    /* Content shared between requests, for the prefix cache: */
    double system_prompt_tokens; /* a system (or tool) prompt every request of the task starts with */
    int64_t documents;           /* RAG: a document set (0: none) ... */
    double document_tokens;      /* ... of documents this long, one per conversation ... */
    double document_zipf;        /* ... picked with Zipf popularity of this exponent (1) */
    struct slo slos[SLO_MAX];
    size_t n_slos;
};

struct scenario {
    char file[256];              /* where it was read from, for messages */
    char name[64];
    char description[256];
    /* server: "" or 0 where the file says nothing (vLLM's default then,
     * client/deploy.c) */
    char model[128];
    char precision[16];          /* "" = the checkpoint's own */
    char kv_cache_dtype[16];
    char linear_backend[32];     /* vLLM --linear-backend; "" = its default */
    char moe_backend[32];        /* vLLM --moe-backend */
    double gpu_memory_utilization;
    int64_t max_num_batched_tokens, max_num_seqs, max_model_len;
    int async_scheduling;        /* -1: not given */
    bool language_model_only;
    char hardware[32];
    enum spec_method spec_method;     /* server.speculative_config, as vLLM's */
    uint32_t num_speculative_tokens;  /* 0 = no speculative decoding */
    double spec_acceptance;           /* mean accepted draft tokens per step */
    bool spec_parallel_drafting;      /* speculative_config's parallel_drafting */
    int enable_prefix_caching;        /* server.enable_prefix_caching; -1: not given */
    /* office */
    enum scenario_load_mode load;
    int64_t employees;
    int64_t start_hour;          /* clock hour of active_share[0] */
    double active_share[SCEN_MAX_HOURS];
    size_t n_hours;
    double requests_per_active_hour;  /* open: conversations per active employee */
    double burstiness;           /* open: gamma shape of arrivals; 1 = Poisson */
    double user_think_time_s;    /* closed: mean pause between conversations */
    char trace[256];             /* trace: CSV path as resolved at load */
    struct scenario_task tasks[SCEN_MAX_TASKS];
    size_t n_tasks;
    struct slo slos[SLO_MAX];    /* over all requests */
    size_t n_slos;
    int64_t seed;
};

/* Load a scenario file, or a built-in preset by name ("office-25"). */
int scenario_load(const char *name_or_path, struct scenario *out, struct cs_err *err);
/* Parse text; `file` names it in messages and locates a relative trace. */
int scenario_parse(const char *file, const char *text, struct scenario *out, struct cs_err *err);

/* Every task's longest context must fit max_model_len; else an error
 * naming the task ("FILE: .tasks[2]: ..."). */
int scenario_check_context(const struct scenario *s, uint32_t max_model_len, struct cs_err *err);

/* The longest context a task can reach (prompt + reply of its last turn). */
double scenario_task_max_context(const struct scenario_task *t);
/* The longest over all tasks (for a trace: what the scenario's tasks say). */
double scenario_max_context(const struct scenario *s);

/* Turns after the first add this share of the first prompt (the user's
 * follow-up), on top of the conversation so far. */
#define SCEN_FOLLOWUP_SHARE 0.25

const char *scenario_load_name(enum scenario_load_mode m);

#endif /* CAPSIM_SCENARIOS_SCENARIO_H */
