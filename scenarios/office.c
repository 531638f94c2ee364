#include "scenarios/office.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "common/xalloc.h"

static const double office_pcts[OFFICE_PCTS] = { 50, 95, 99 };

void office_deploy_args(const struct scenario *s, struct deploy_args *a)
{
    deploy_args_init(a);
    a->model = s->model;
    a->precision = s->precision[0] ? s->precision : NULL;
    a->kv_cache_dtype = s->kv_cache_dtype[0] ? s->kv_cache_dtype : NULL;
    a->gpu_memory_utilization = s->gpu_memory_utilization;
    a->max_num_batched_tokens = (uint32_t)s->max_num_batched_tokens;
    a->max_num_seqs = (uint32_t)s->max_num_seqs;
    a->max_model_len = (uint32_t)s->max_model_len;
    a->profile_name = s->hardware;
}

struct conv {
    int task;
    int turn;
    double context;           /* tokens of earlier turns */
    uint32_t in[8], out[8];   /* per turn lengths (turns > 8 reuse the last) */
};

struct oreq {
    int32_t conv;
    int task;
    double send, first, last;
    uint32_t n_prompt, n_out, n_got;
};

struct orun {
    const struct scenario *s;
    struct sim *sim;
    struct conv *conv;
    struct oreq *req;
    size_t n_req, cap_req;
    double latency;
};

static uint32_t draw_len(gsl_rng *r, double mean, double ratio)
{
    double lo = floor(mean * (1 - ratio)), hi = ceil(mean * (1 + ratio));
    if (lo < 1)
        lo = 1;
    return (uint32_t)(lo + gsl_rng_uniform_int(r, (unsigned long)(hi - lo + 1)));
}

static void send_turn(struct orun *o, int32_t c, double t)
{
    struct conv *cv = &o->conv[c];
    const struct scenario_task *tk = &o->s->tasks[cv->task];
    int k = cv->turn < 8 ? cv->turn : 7;
    xgrow((void **)&o->req, &o->cap_req, o->n_req + 1, sizeof *o->req);
    struct oreq *q = &o->req[o->n_req];
    memset(q, 0, sizeof *q);
    q->conv = c;
    q->task = cv->task;
    q->send = t;
    q->n_prompt = (uint32_t)(cv->context + cv->in[k]);
    q->n_out = cv->out[k];
    (void)tk;
    struct sim_request r = { o->n_req, t, q->n_prompt, q->n_out };
    o->n_req++;
    sim_submit(o->sim, &r);
}

static void o_tokens(void *ud, uint64_t id, double t, uint32_t n)
{
    struct orun *o = ud;
    struct oreq *q = &o->req[id];
    double seen = t + o->latency;
    if (q->n_got == 0)
        q->first = seen;
    q->last = seen;
    q->n_got += n;
}

static void o_finish(void *ud, uint64_t id, double t)
{
    struct orun *o = ud;
    struct oreq *q = &o->req[id];
    struct conv *cv = &o->conv[q->conv];
    const struct scenario_task *tk = &o->s->tasks[cv->task];
    int k = cv->turn < 8 ? cv->turn : 7;
    cv->context += cv->in[k] + cv->out[k];
    cv->turn++;
    if (cv->turn < tk->turns)
        send_turn(o, q->conv, t + o->latency + tk->think_time_s);
}

static void summarize(struct orun *o, int task, const struct scenario_task *tk,
                      struct office_task_result *r)
{
    struct sample ttft = { 0 }, tpot = { 0 }, e2el = { 0 };
    for (size_t i = 0; i < o->n_req; i++) {
        const struct oreq *q = &o->req[i];
        if ((task >= 0 && q->task != task) || q->n_got == 0)
            continue;
        r->requests++;
        sample_push(&ttft, (q->first - q->send) * 1e3);
        sample_push(&e2el, (q->last - q->send) * 1e3);
        if (q->n_got > 1)
            sample_push(&tpot, (q->last - q->first) * 1e3 / (q->n_got - 1));
    }
    /* SLO attainment is counted on the unsorted samples first. */
    if (tk)
        for (size_t j = 0; j < tk->n_slos; j++) {
            const struct slo *sl = &tk->slos[j];
            struct sample *x = sl->metric == SLO_TTFT ? &ttft : sl->metric == SLO_E2EL ? &e2el : &tpot;
            size_t ok = 0;
            for (size_t i = 0; i < x->n; i++)
                ok += slo_met(sl, x->v[i]);
            r->slo_attainment[j] = x->n ? (double)ok / x->n : 1.0;
            struct metric_summary m;
            double p = sl->percentile > 0 ? sl->percentile : 50;
            metric_summarize(x, &p, 1, &m);
            r->slo_value[j] = sl->percentile > 0 ? m.pct[0] : m.mean;
            r->slo_met[j] = slo_met(sl, r->slo_value[j]);
        }
    metric_summarize(&ttft, office_pcts, OFFICE_PCTS, &r->ttft_ms);
    metric_summarize(&tpot, office_pcts, OFFICE_PCTS, &r->tpot_ms);
    metric_summarize(&e2el, office_pcts, OFFICE_PCTS, &r->e2el_ms);
    sample_release(&ttft);
    sample_release(&tpot);
    sample_release(&e2el);
}

int office_run(const struct scenario *s, const struct deploy *d, int64_t employees, int64_t seed,
               struct office_result *res, struct cs_err *err)
{
    (void)err;
    memset(res, 0, sizeof *res);
    if (employees <= 0)
        employees = s->employees;
    /* Separate streams: arrivals, and per-conversation task and lengths. */
    gsl_rng *ra = gsl_rng_alloc(gsl_rng_mt19937), *rt = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(ra, (unsigned long)seed * 2 + 1);
    gsl_rng_set(rt, (unsigned long)seed * 2 + 2);
    double lam_hour[SCEN_MAX_HOURS], lam_total = 0;
    for (size_t h = 0; h < s->n_hours; h++) {
        lam_hour[h] = employees * s->active_share[h] * s->requests_per_active_hour;
        lam_total += lam_hour[h];
    }
    struct orun o = { .s = s, .latency = cost_client_latency_s(d->cost) };
    size_t cap_conv = 0, n_conv = 0, cap_t = 0;
    double *conv_t = NULL;
    struct sim_hooks hooks = { &o, o_tokens, o_finish, NULL };
    o.sim = sim_new(&d->cfg, &hooks);
    /* Conversation starts in operational time u (mean gap 1). */
    double u = 0;
    for (;;) {
        u += gsl_ran_gamma(ra, s->burstiness, 1.0 / s->burstiness);
        if (u >= lam_total)
            break;
        double acc = 0, t = 0;
        for (size_t h = 0; h < s->n_hours; h++) {
            if (u < acc + lam_hour[h]) {
                t = 3600.0 * ((double)h + (u - acc) / lam_hour[h]);
                break;
            }
            acc += lam_hour[h];
        }
        xgrow((void **)&o.conv, &cap_conv, n_conv + 1, sizeof *o.conv);
        xgrow((void **)&conv_t, &cap_t, n_conv + 1, sizeof *conv_t);
        conv_t[n_conv] = t;
        struct conv *cv = &o.conv[n_conv];
        memset(cv, 0, sizeof *cv);
        double pick = gsl_rng_uniform(rt), c = 0;
        cv->task = (int)s->n_tasks - 1;
        for (size_t k = 0; k < s->n_tasks; k++) {
            c += s->tasks[k].share;
            if (pick < c) {
                cv->task = (int)k;
                break;
            }
        }
        const struct scenario_task *tk = &s->tasks[cv->task];
        for (int k = 0; k < 8; k++) {
            cv->in[k] = draw_len(rt, k == 0 ? tk->input_tokens : tk->input_tokens / 4, tk->range_ratio);
            cv->out[k] = draw_len(rt, tk->output_tokens, tk->range_ratio);
        }
        n_conv++;
    }
    /* Submit first turns in time order, then run minute by minute. */
    size_t next = 0;
    double t_end_arrivals = 3600.0 * s->n_hours;
    size_t tl_cap = 0;
    for (double t = 60.0;; t += 60.0) {
        while (next < n_conv && conv_t[next] < t) {
            send_turn(&o, (int32_t)next, conv_t[next]);
            next++;
        }
        sim_run_until(o.sim, t);
        xgrow((void **)&res->tl_t, &tl_cap, res->tl_n + 1, sizeof(double));
        size_t c2 = res->tl_n; /* the four arrays grow together */
        res->tl_waiting = xrealloc(res->tl_waiting, tl_cap * sizeof(double));
        res->tl_running = xrealloc(res->tl_running, tl_cap * sizeof(double));
        res->tl_kv = xrealloc(res->tl_kv, tl_cap * sizeof(double));
        res->tl_t[c2] = t;
        res->tl_waiting[c2] = sim_n_waiting(o.sim);
        res->tl_running[c2] = sim_n_running(o.sim);
        res->tl_kv[c2] = d->cfg.kv.n_blocks ? (double)sim_kv_blocks_used(o.sim) / d->cfg.kv.n_blocks : 0;
        res->tl_n++;
        if (next >= n_conv && t >= t_end_arrivals && sim_n_running(o.sim) == 0 &&
            sim_n_waiting(o.sim) == 0) {
            sim_run(o.sim);
            break;
        }
        if (t > t_end_arrivals + 7 * 86400.0) { /* a week past closing: hopeless overload */
            sim_run(o.sim);
            break;
        }
    }
    const struct sim_stats *st = sim_stats(o.sim);
    res->conversations = (int64_t)n_conv;
    res->requests = (int64_t)o.n_req;
    res->rejected = st->n_rejected;
    res->preemptions = st->n_preemptions;
    res->kv_usage_peak = d->cfg.kv.n_blocks ? (double)st->peak_kv_blocks_used / d->cfg.kv.n_blocks : 0;
    double last = 0;
    for (size_t i = 0; i < o.n_req; i++)
        if (o.req[i].last > last)
            last = o.req[i].last;
    res->duration_s = last;
    res->achieved_rate = last > 0 ? (double)o.n_req / last : 0;
    res->all_slos_met = true;
    for (size_t k = 0; k < s->n_tasks; k++) {
        summarize(&o, (int)k, &s->tasks[k], &res->task[k]);
        for (size_t j = 0; j < s->tasks[k].n_slos; j++)
            if (res->task[k].requests && !res->task[k].slo_met[j])
                res->all_slos_met = false;
    }
    summarize(&o, -1, NULL, &res->all);
    if (res->rejected > 0)
        res->all_slos_met = false;
    free(conv_t);
    free(o.conv);
    free(o.req);
    sim_free(o.sim);
    gsl_rng_free(ra);
    gsl_rng_free(rt);
    return CS_OK;
}

void office_result_release(struct office_result *r)
{
    free(r->tl_t);
    free(r->tl_waiting);
    free(r->tl_running);
    free(r->tl_kv);
    r->tl_t = r->tl_waiting = r->tl_running = r->tl_kv = NULL;
    r->tl_n = 0;
}
