/*
 * office.c - the scenario driver: conversations from the scenario's load
 * (open, closed, trace) fed to one engine, minute by minute, and the
 * latencies summarized per task type as vllm bench serve does.
 */
#include "scenarios/office.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "client/workload.h"
#include "common/stats.h"
#include "common/xalloc.h"

static const double office_pcts[OFFICE_PCTS] = { 50, 95, 99 };

#define MAX_TURN_DRAWS 8        /* turns past the 8th reuse the 8th's lengths */
#define TASK_TRACE SCEN_MAX_TASKS /* trace requests: only in "all" */

void office_deploy_args(const struct scenario *s, struct deploy_args *a)
{
    deploy_args_init(a);
    /* only what the file says goes over vLLM's defaults */
    if (s->model[0])
        a->model = s->model;
    if (s->precision[0])
        a->precision = s->precision;
    if (s->kv_cache_dtype[0])
        a->kv_cache_dtype = s->kv_cache_dtype;
    if (s->linear_backend[0])
        a->linear_backend = s->linear_backend;
    if (s->moe_backend[0])
        a->moe_backend = s->moe_backend;
    if (s->gpu_memory_utilization > 0)
        a->gpu_memory_utilization = s->gpu_memory_utilization;
    if (s->max_num_batched_tokens > 0)
        a->max_num_batched_tokens = (uint32_t)s->max_num_batched_tokens;
    if (s->max_num_seqs > 0)
        a->max_num_seqs = (uint32_t)s->max_num_seqs;
    if (s->max_model_len > 0)
        a->max_model_len = (uint32_t)s->max_model_len;
    if (s->async_scheduling >= 0)
        a->async_scheduling = s->async_scheduling;
    if (s->enable_prefix_caching >= 0)
        a->enable_prefix_caching = s->enable_prefix_caching;
    if (s->language_model_only)
        a->language_model_only = true;
    if (s->hardware[0])
        a->profile_name = s->hardware;
    if (s->num_speculative_tokens > 0) {
        a->spec_method = s->spec_method;
        a->num_speculative_tokens = s->num_speculative_tokens;
        a->spec_mean_accepted = s->spec_acceptance;
        a->spec_parallel_drafting = s->spec_parallel_drafting;
    }
}

/* Counter-based uniforms (splitmix64 finalizer): a conversation's draws
 * depend only on (seed, key, draw), never on how many came before. */
static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

double office_uniform(uint64_t seed, uint64_t key, uint64_t draw)
{
    return (double)(mix64(mix64(mix64(seed) ^ key) ^ draw) >> 11) * 0x1p-53;
}

#define u01 office_uniform

struct conv {
    int task;                 /* index, or TASK_TRACE */
    int64_t doc;              /* RAG: its document, else -1 */
    int turn;
    int64_t user;             /* closed loop: its user; else -1 */
    double context;           /* tokens of earlier turns */
    uint32_t in[MAX_TURN_DRAWS], out[MAX_TURN_DRAWS];
};

struct oreq {
    int32_t conv;
    int task;
    double send, first, prev, last;
    uint32_t n_prompt, n_out, n_got;
};

struct user {
    int64_t n_conv;           /* conversations started so far */
};

struct orun {
    const struct scenario *s;
    struct sim *sim;
    int64_t seed, employees;
    struct conv *conv;
    size_t n_conv, cap_conv;
    struct oreq *req;
    size_t n_req, cap_req;
    struct user *users;
    int64_t n_active[SCEN_MAX_HOURS];
    double latency;
    double last_send;
    bool want_itl;
    struct sample itl[SCEN_MAX_TASKS + 1];   /* per task, then all */
    double *doc_cdf[SCEN_MAX_TASKS];          /* Zipf popularity of each task's documents */
    int64_t pc_q[SCEN_MAX_TASKS + 1], pc_h[SCEN_MAX_TASKS + 1];
};

/* Content ids for the prefix cache: the same id means the same tokens. */
static uint64_t content_id(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    return mix64(mix64(mix64(seed ^ 0x636f6e74656e74ULL) ^ a) ^ b) ^ c;
}

static uint32_t draw_len(double u, double mean, double ratio)
{
    double lo = floor(mean * (1 - ratio)), hi = ceil(mean * (1 + ratio));
    if (lo < 1)
        lo = 1;
    if (hi < lo)
        hi = lo;
    return (uint32_t)(lo + floor(u * (hi - lo + 1)));
}

/* A new conversation: its task and every turn's lengths from `key`. */
static int32_t new_conv(struct orun *o, uint64_t key, int64_t user)
{
    const struct scenario *s = o->s;
    xgrow((void **)&o->conv, &o->cap_conv, o->n_conv + 1, sizeof *o->conv);
    struct conv *cv = &o->conv[o->n_conv];
    memset(cv, 0, sizeof *cv);
    cv->user = user;
    double pick = u01((uint64_t)o->seed, key, 0), c = 0;
    cv->task = (int)s->n_tasks - 1;
    for (size_t k = 0; k < s->n_tasks; k++) {
        c += s->tasks[k].share;
        if (pick < c) {
            cv->task = (int)k;
            break;
        }
    }
    const struct scenario_task *tk = &s->tasks[cv->task];
    cv->doc = -1;
    if (tk->documents > 0) {
        /* Zipf: document d (0-based) with weight 1/(d+1)^s, by inverse CDF */
        double u = u01((uint64_t)o->seed, key, 0x646f63);
        const double *cdf = o->doc_cdf[cv->task];
        int64_t lo = 0, hi = tk->documents - 1;
        while (lo < hi) {
            int64_t mid = lo + (hi - lo) / 2;
            if (cdf[mid] > u)
                hi = mid;
            else
                lo = mid + 1;
        }
        cv->doc = lo;
    }
    for (uint64_t k = 0; k < MAX_TURN_DRAWS; k++) {
        double in_mean = k == 0 ? tk->input_tokens : tk->input_tokens * SCEN_FOLLOWUP_SHARE;
        cv->in[k] = draw_len(u01((uint64_t)o->seed, key, 1 + 2 * k), in_mean, tk->range_ratio);
        cv->out[k] = draw_len(u01((uint64_t)o->seed, key, 2 + 2 * k), tk->output_tokens,
                              tk->range_ratio);
    }
    return (int32_t)o->n_conv++;
}

static void send_turn(struct orun *o, int32_t c, double t)
{
    struct conv *cv = &o->conv[c];
    int k = cv->turn < MAX_TURN_DRAWS ? cv->turn : MAX_TURN_DRAWS - 1;
    xgrow((void **)&o->req, &o->cap_req, o->n_req + 1, sizeof *o->req);
    struct oreq *q = &o->req[o->n_req];
    memset(q, 0, sizeof *q);
    q->conv = c;
    q->task = cv->task;
    q->send = t;
    q->n_out = cv->out[k];
    /* What the prompt is made of: the task's system prompt, the
     * conversation's document, every earlier turn (prompt and reply, the
     * replies being what the engine generated), then this turn's prompt. */
    struct pc_segment seg[3 + 2 * 100];
    uint32_t ns = 0, total = 0;
    uint64_t seed = (uint64_t)o->seed;
    int task = cv->task;
    if (task != TASK_TRACE) {
        const struct scenario_task *tk = &o->s->tasks[task];
        uint32_t sys = (uint32_t)lround(tk->system_prompt_tokens);
        if (sys)
            seg[ns++] = (struct pc_segment){ content_id(seed, 1, (uint64_t)task, 0), sys };
        if (cv->doc >= 0)
            seg[ns++] = (struct pc_segment){ content_id(seed, 2, (uint64_t)task, (uint64_t)cv->doc),
                                             (uint32_t)lround(tk->document_tokens) };
        for (int j = 0; j < cv->turn && ns + 3 <= sizeof seg / sizeof seg[0]; j++) {
            int kj = j < MAX_TURN_DRAWS ? j : MAX_TURN_DRAWS - 1;
            seg[ns++] = (struct pc_segment){ content_id(seed, 3, (uint64_t)c, (uint64_t)j), cv->in[kj] };
            seg[ns++] = (struct pc_segment){ content_id(seed, 4, (uint64_t)c, (uint64_t)j), cv->out[kj] };
        }
        seg[ns++] = (struct pc_segment){ content_id(seed, 3, (uint64_t)c, (uint64_t)cv->turn), cv->in[k] };
        for (uint32_t i = 0; i < ns; i++)
            total += seg[i].len;
    } else {
        total = cv->in[k];
    }
    q->n_prompt = total;
    struct sim_request r = { .id = o->n_req, .arrival_s = t, .n_prompt = q->n_prompt, .n_output = q->n_out,
                             .segs = seg, .n_segs = ns,
                             .out_content = task != TASK_TRACE
                                                ? content_id(seed, 4, (uint64_t)c, (uint64_t)cv->turn) : 0 };
    o->n_req++;
    if (t > o->last_send)
        o->last_send = t;
    sim_submit(o->sim, &r);
}

/* Closed loop: the first moment at or after t when user u is active
 * (a random offset into the hour it comes back in), or -1. */
static double user_next_start(const struct orun *o, int64_t u, double t)
{
    const struct scenario *s = o->s;
    size_t h = (size_t)floor(t / 3600.0);
    if (h < s->n_hours && u < o->n_active[h])
        return t;
    for (size_t g = h + 1; g < s->n_hours; g++)
        if (u < o->n_active[g]) {
            double spread = fmin(s->user_think_time_s, 3600.0);
            return 3600.0 * (double)g +
                   spread * u01((uint64_t)o->seed, ((uint64_t)u << 24) | 0xffffff, g);
        }
    return -1;
}

static void user_start(struct orun *o, int64_t u, double t)
{
    double at = user_next_start(o, u, t);
    if (at < 0)
        return;
    uint64_t key = ((uint64_t)(u + 1) << 24) | (uint64_t)o->users[u].n_conv++;
    send_turn(o, new_conv(o, key, u), at);
}

static void o_tokens(void *ud, uint64_t id, double t, uint32_t n)
{
    struct orun *o = ud;
    struct oreq *q = &o->req[id];
    double seen = t + o->latency;
    if (q->n_got == 0)
        q->first = seen;
    else if (o->want_itl) {
        int k = q->task < (int)SCEN_MAX_TASKS ? q->task : -1;
        if (k >= 0)
            sample_push(&o->itl[k], (seen - q->prev) * 1e3);
        sample_push(&o->itl[SCEN_MAX_TASKS], (seen - q->prev) * 1e3);
    }
    q->prev = seen;
    q->last = seen;
    q->n_got += n;
}

static void o_finish(void *ud, uint64_t id, double t)
{
    struct orun *o = ud;
    struct oreq *q = &o->req[id];
    int32_t c = q->conv;
    struct conv *cv = &o->conv[c];
    if (cv->task == TASK_TRACE)
        return;
    const struct scenario_task *tk = &o->s->tasks[cv->task];
    int k = cv->turn < MAX_TURN_DRAWS ? cv->turn : MAX_TURN_DRAWS - 1;
    cv->context += cv->in[k] + cv->out[k];
    cv->turn++;
    double now = t + o->latency;
    if (cv->turn < tk->turns) {
        send_turn(o, c, now + tk->think_time_s);
    } else if (cv->user >= 0) {
        int64_t u = cv->user;
        double think = -o->s->user_think_time_s *
                       log1p(-u01((uint64_t)o->seed, ((uint64_t)(u + 1) << 24) | 0xfffffe,
                                  (uint64_t)o->users[u].n_conv));
        user_start(o, u, now + think);
    }
}

/* vLLM's PrefixCacheStats, per task: preempted requests' lookups apart */
static void o_lookup(void *ud, uint64_t id, uint32_t tokens, uint32_t hits, bool preempted)
{
    struct orun *o = ud;
    if (preempted)
        return;
    int k = o->req[id].task;
    if (k >= 0 && k < (int)SCEN_MAX_TASKS) {
        o->pc_q[k] += tokens;
        o->pc_h[k] += hits;
    }
    o->pc_q[SCEN_MAX_TASKS] += tokens;
    o->pc_h[SCEN_MAX_TASKS] += hits;
}

static void on_reject(void *ud, uint64_t id, double t, const char *why)
{
    /* counted by the engine (n_rejected); the conversation ends here */
    (void)ud, (void)id, (void)t, (void)why;
}

static void summarize_slos(const struct slo *slos, size_t n_slos, struct sample *ttft,
                           struct sample *tpot, struct sample *itl, struct sample *e2el,
                           struct office_task_result *r)
{
    for (size_t j = 0; j < n_slos; j++) {
        const struct slo *sl = &slos[j];
        struct sample *x = sl->metric == SLO_TTFT   ? ttft
                           : sl->metric == SLO_E2EL ? e2el
                           : sl->metric == SLO_ITL  ? itl
                                                    : tpot;
        size_t ok = 0;
        for (size_t i = 0; i < x->n; i++)
            ok += slo_met(sl, x->v[i]);
        r->slo_attainment[j] = x->n ? (double)ok / (double)x->n : 1.0;
        struct metric_summary m;
        double p = sl->percentile > 0 ? sl->percentile : 50;
        metric_summarize(x, &p, 1, &m);
        r->slo_value[j] = sl->percentile > 0 ? m.pct[0] : m.mean;
        r->slo_met[j] = slo_met(sl, r->slo_value[j]);
    }
}

/* Summaries for one task (task >= 0) or all requests (task < 0). */
static void summarize(struct orun *o, int task, const struct slo *slos, size_t n_slos,
                      struct office_task_result *r, struct office_result *res)
{
    struct sample ttft = { 0 }, tpot = { 0 }, e2el = { 0 };
    for (size_t i = 0; i < o->n_req; i++) {
        const struct oreq *q = &o->req[i];
        if ((task >= 0 && q->task != task) || q->n_got == 0)
            continue;
        r->requests++;
        sample_push(&ttft, (q->first - q->send) * 1e3);
        sample_push(&e2el, (q->last - q->send) * 1e3);
        if (q->n_got > 1)   /* vLLM: single-token replies have no TPOT */
            sample_push(&tpot, (q->last - q->first) * 1e3 / (q->n_got - 1));
    }
    struct sample *itl = &o->itl[task >= 0 ? task : SCEN_MAX_TASKS];
    summarize_slos(slos, n_slos, &ttft, &tpot, itl, &e2el, r);
    metric_summarize(&ttft, office_pcts, OFFICE_PCTS, &r->ttft_ms);
    metric_summarize(&tpot, office_pcts, OFFICE_PCTS, &r->tpot_ms);
    metric_summarize(itl, office_pcts, OFFICE_PCTS, &r->itl_ms);
    metric_summarize(&e2el, office_pcts, OFFICE_PCTS, &r->e2el_ms);
    if (task < 0 && res) {   /* keep the sorted samples for CDF plots */
        stats_sort(ttft.v, ttft.n);
        stats_sort(e2el.v, e2el.n);
        res->ttft_ms = ttft.v;
        res->e2el_ms = e2el.v;
        res->n_lat = ttft.n;
    } else {
        sample_release(&ttft);
        sample_release(&e2el);
    }
    sample_release(&tpot);
}

static bool any_itl(const struct scenario *s)
{
    for (size_t j = 0; j < s->n_slos; j++)
        if (s->slos[j].metric == SLO_ITL)
            return true;
    for (size_t k = 0; k < s->n_tasks; k++)
        for (size_t j = 0; j < s->tasks[k].n_slos; j++)
            if (s->tasks[k].slos[j].metric == SLO_ITL)
                return true;
    return false;
}

/* Open loop: conversation start times (sorted) into *t, count returned. */
static size_t open_arrivals(const struct orun *o, double **t_out, struct cs_err *err,
                            int *rc)
{
    const struct scenario *s = o->s;
    gsl_rng *ra = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(ra, (unsigned long)o->seed * 2 + 1);
    double lam_hour[SCEN_MAX_HOURS], lam_total = 0;
    for (size_t h = 0; h < s->n_hours; h++) {
        lam_hour[h] = (double)o->employees * s->active_share[h] * s->requests_per_active_hour;
        lam_total += lam_hour[h];
    }
    double *t = NULL;
    size_t n = 0, cap = 0;
    *rc = CS_OK;
    /* operational time u: mean gap 1, so lam_total conversations expected */
    for (double u = 0;;) {
        u += gsl_ran_gamma(ra, s->burstiness, 1.0 / s->burstiness);
        if (u >= lam_total)
            break;
        if (n >= 50000000) {
            *rc = cs_err_set(err, CS_EINPUT, "%s: more than %d conversations in a day (got %.0f expected)",
                             s->file, 50000000, lam_total);
            break;
        }
        double acc = 0, at = 0;
        for (size_t h = 0; h < s->n_hours; h++) {
            if (u < acc + lam_hour[h]) {
                at = 3600.0 * ((double)h + (u - acc) / lam_hour[h]);
                break;
            }
            acc += lam_hour[h];
        }
        xgrow((void **)&t, &cap, n + 1, sizeof *t);
        t[n++] = at;
    }
    gsl_rng_free(ra);
    *t_out = t;
    return n;
}

static void tl_push(struct office_result *res, size_t *cap, double t, const struct orun *o,
                    const struct deploy *d)
{
    if (res->tl_n + 1 > *cap) {
        *cap = *cap ? *cap * 2 : 1024;
        res->tl_t = xrealloc(res->tl_t, *cap * sizeof(double));
        res->tl_waiting = xrealloc(res->tl_waiting, *cap * sizeof(double));
        res->tl_running = xrealloc(res->tl_running, *cap * sizeof(double));
        res->tl_kv = xrealloc(res->tl_kv, *cap * sizeof(double));
    }
    size_t i = res->tl_n++;
    res->tl_t[i] = t;
    res->tl_waiting[i] = sim_n_waiting(o->sim);
    res->tl_running[i] = sim_n_running(o->sim);
    res->tl_kv[i] = d->cfg.kv.n_blocks ? (double)sim_kv_blocks_used(o->sim) / d->cfg.kv.n_blocks : 0;
}

int office_run(const struct scenario *s, const struct deploy *d, int64_t employees, int64_t seed,
               struct office_result *res, struct cs_err *err)
{
    memset(res, 0, sizeof *res);
    if (employees <= 0)
        employees = s->employees;
    res->employees = employees;
    struct orun o = { .s = s, .seed = seed, .employees = employees,
                      .latency = cost_client_latency_s(d->cost), .want_itl = any_itl(s) };
    struct sim_hooks hooks = { .ud = &o, .on_tokens = o_tokens, .on_finish = o_finish,
                               .on_reject = on_reject, .on_cache_lookup = o_lookup };
    for (size_t k = 0; k < s->n_tasks; k++) {
        int64_t nd = s->tasks[k].documents;
        if (nd <= 0)
            continue;
        double *cdf = xmalloc((size_t)nd * sizeof *cdf), sum = 0;
        for (int64_t i = 0; i < nd; i++)
            cdf[i] = sum += pow((double)(i + 1), -s->tasks[k].document_zipf);
        for (int64_t i = 0; i < nd; i++)
            cdf[i] /= sum;
        o.doc_cdf[k] = cdf;
    }
    /* first turns to submit as the clock passes them (open and trace) */
    double *start_t = NULL;
    int32_t *start_conv = NULL;
    size_t n_start = 0;
    double t_end = 3600.0 * (double)s->n_hours;
    int rc = CS_OK;
    if (s->load == SCEN_TRACE) {
        struct workload_req *tr;
        size_t n;
        if ((rc = workload_trace_load(s->trace, &tr, &n, err)))
            goto early;
        double scale = (double)s->employees / (double)employees;
        start_t = xmalloc((n ? n : 1) * sizeof *start_t);
        start_conv = xmalloc((n ? n : 1) * sizeof *start_conv);
        for (size_t i = 0; i < n; i++) {
            xgrow((void **)&o.conv, &o.cap_conv, o.n_conv + 1, sizeof *o.conv);
            struct conv *cv = &o.conv[o.n_conv];
            memset(cv, 0, sizeof *cv);
            cv->task = TASK_TRACE;
            cv->doc = -1;
            cv->user = -1;
            cv->in[0] = tr[i].n_prompt;
            cv->out[0] = tr[i].n_output;
            start_t[i] = tr[i].arrival_s * scale;
            start_conv[i] = (int32_t)o.n_conv++;
        }
        n_start = n;
        t_end = n ? start_t[n - 1] : 0;
        free(tr);
    } else if (s->load == SCEN_OPEN) {
        n_start = open_arrivals(&o, &start_t, err, &rc);
        if (rc) {
            free(start_t);
            goto early;
        }
        start_conv = xmalloc((n_start ? n_start : 1) * sizeof *start_conv);
        for (size_t i = 0; i < n_start; i++)
            start_conv[i] = new_conv(&o, (uint64_t)i, -1);
    }
    o.sim = sim_new(&d->cfg, &hooks);
    if (s->load == SCEN_CLOSED) {
        for (size_t h = 0; h < s->n_hours; h++)
            o.n_active[h] = (int64_t)floor((double)employees * s->active_share[h] + 0.5);
        o.users = xcalloc((size_t)employees, sizeof *o.users);
        double spread = fmin(s->user_think_time_s, 3600.0);
        for (int64_t u = 0; u < employees; u++)
            user_start(&o, u, spread * u01((uint64_t)seed, ((uint64_t)(u + 1) << 24) | 0xfffffd, 0));
    }
    /* Run minute by minute: submit first turns as the clock reaches them
     * and sample the timeline. */
    size_t next = 0, tl_cap = 0;
    double t_give_up = t_end + 7 * 86400.0; /* a week past closing: hopeless */
    for (double t = OFFICE_TICK_S;; t += OFFICE_TICK_S) {
        while (next < n_start && start_t[next] < t) {
            send_turn(&o, start_conv[next], start_t[next]);
            next++;
        }
        sim_run_until(o.sim, t);
        tl_push(res, &tl_cap, t, &o, d);
        bool idle = sim_n_running(o.sim) == 0 && sim_n_waiting(o.sim) == 0;
        if ((next >= n_start && t >= t_end && idle) || t > t_give_up) {
            sim_run(o.sim);
            break;
        }
    }
    const struct sim_stats *st = sim_stats(o.sim);
    res->conversations = (int64_t)o.n_conv;
    res->requests = (int64_t)o.n_req;
    res->rejected = st->n_rejected;
    res->preemptions = st->n_preemptions;
    res->kv_usage_peak = d->cfg.kv.n_blocks ? (double)st->peak_kv_blocks_used / d->cfg.kv.n_blocks : 0;
    double last = 0;
    for (size_t i = 0; i < o.n_req; i++)
        last = fmax(last, o.req[i].last);
    res->duration_s = last;
    res->achieved_rate = last > 0 ? (double)o.n_req / last : 0;
    res->drain_s = fmax(0, last - o.last_send);
    res->overloaded = res->drain_s > OFFICE_DRAIN_LIMIT_S;
    res->all_slos_met = res->rejected == 0 && !res->overloaded;
    for (size_t k = 0; k < s->n_tasks; k++) {
        summarize(&o, (int)k, s->tasks[k].slos, s->tasks[k].n_slos, &res->task[k], NULL);
        for (size_t j = 0; j < s->tasks[k].n_slos; j++)
            if (res->task[k].requests && !res->task[k].slo_met[j])
                res->all_slos_met = false;
    }
    summarize(&o, -1, s->slos, s->n_slos, &res->all, res);
    for (size_t k = 0; k < s->n_tasks; k++) {
        res->task[k].prefix_cache_queries = o.pc_q[k];
        res->task[k].prefix_cache_hits = o.pc_h[k];
    }
    res->all.prefix_cache_queries = o.pc_q[SCEN_MAX_TASKS];
    res->all.prefix_cache_hits = o.pc_h[SCEN_MAX_TASKS];
    for (size_t j = 0; j < s->n_slos; j++)
        if (res->all.requests && !res->all.slo_met[j])
            res->all_slos_met = false;
    for (size_t k = 0; k <= SCEN_MAX_TASKS; k++)
        sample_release(&o.itl[k]);
    free(start_t);
    free(start_conv);
    free(o.conv);
    free(o.req);
    free(o.users);
    for (size_t k = 0; k < SCEN_MAX_TASKS; k++)
        free(o.doc_cdf[k]);
    sim_free(o.sim);
    return CS_OK;
early:
    for (size_t k = 0; k < SCEN_MAX_TASKS; k++)
        free(o.doc_cdf[k]);
    free(o.conv);
    return rc;
}

void office_result_release(struct office_result *r)
{
    free(r->tl_t);
    free(r->tl_waiting);
    free(r->tl_running);
    free(r->tl_kv);
    free(r->ttft_ms);
    free(r->e2el_ms);
    r->tl_t = r->tl_waiting = r->tl_running = r->tl_kv = r->ttft_ms = r->e2el_ms = NULL;
    r->tl_n = r->n_lat = 0;
}

void office_binding(const struct scenario *s, const struct office_result *r, char *buf, size_t n)
{
    double worst = -1;
    buf[0] = '\0';
    for (size_t k = 0; k <= s->n_tasks; k++) {
        bool all = k == s->n_tasks;
        const struct office_task_result *t = all ? &r->all : &r->task[k];
        const struct slo *slos = all ? s->slos : s->tasks[k].slos;
        size_t ns = all ? s->n_slos : s->tasks[k].n_slos;
        if (!t->requests)
            continue;
        for (size_t j = 0; j < ns; j++) {
            double ratio = t->slo_value[j] / slos[j].limit_ms;
            if (ratio > worst) {
                worst = ratio;
                snprintf(buf, n, "%s: %s", all ? "all" : s->tasks[k].name, slos[j].text);
            }
        }
    }
    if (r->overloaded && (worst <= 1 || !buf[0]))
        snprintf(buf, n, "overloaded (queue still draining %.0f s after the last request)", r->drain_s);
    else if (r->rejected && (worst <= 1 || !buf[0]))
        snprintf(buf, n, "rejected (%lld requests cannot fit the KV cache or max_model_len)",
                 (long long)r->rejected);
}

int office_deploy(const struct scenario *s, const struct deploy_args *a, struct deploy **d,
                  struct cs_err *err)
{
    int rc = deploy_new(a, d, err);
    if (rc)
        return rc;
    if ((rc = scenario_check_context(s, (*d)->cfg.max_model_len, err))) {
        deploy_free(*d);
        *d = NULL;
    }
    return rc;
}
