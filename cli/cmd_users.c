/*
 * cmd_users.c - capsim users: how many users the box carries at a given
 * context length. Two answers: how many may ask at the same instant (a
 * burst of N identical requests, as llama-benchy's concurrency), and how
 * many active users with think time it carries (N users in a closed loop,
 * each asking again think-time seconds after a reply). Both under the SLO,
 * and whether KV-cache memory or prefill compute is what limits.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/server_opts.h"
#include "client/metrics.h"
#include "common/xalloc.h"
#include "plots/plot.h"
#include "scenarios/capacity.h"
#include "scenarios/slo.h"

struct users_ctx {
    const struct deploy *d;
    uint32_t context, output;
    double think_s, horizon_s;
    struct slo slo;
};

struct ureq {
    double send, first, last;
    uint32_t got;
};

struct uloop {
    struct users_ctx *c;
    struct sim *sim;
    struct ureq *r;
    size_t n, cap;
    double lat;
    bool closed;            /* closed loop: ask again after think time */
};

static void u_submit(struct uloop *u, double t)
{
    xgrow((void **)&u->r, &u->cap, u->n + 1, sizeof *u->r);
    memset(&u->r[u->n], 0, sizeof u->r[0]);
    u->r[u->n].send = t;
    struct sim_request q = { u->n, t, u->c->context, u->c->output };
    u->n++;
    sim_submit(u->sim, &q);
}

static void u_tokens(void *ud, uint64_t id, double t, uint32_t n)
{
    struct uloop *u = ud;
    struct ureq *q = &u->r[id];
    if (!q->got)
        q->first = t + u->lat;
    q->last = t + u->lat;
    q->got += n;
}

static void u_finish(void *ud, uint64_t id, double t)
{
    struct uloop *u = ud;
    (void)id;
    double next = t + u->lat + u->c->think_s;
    if (u->closed && next < u->c->horizon_s)
        u_submit(u, next);
}

/* Measure the SLO's metric for N users. */
static int measure(struct users_ctx *c, int64_t n, bool closed, double *value, int64_t *rejected)
{
    struct uloop u = { c, NULL, NULL, 0, 0, cost_client_latency_s(c->d->cost), closed };
    struct sim_hooks h = { &u, u_tokens, u_finish, NULL };
    u.sim = sim_new(&c->d->cfg, &h);
    for (int64_t i = 0; i < n; i++)
        /* closed loop: users start spread over one think time, as an office does */
        u_submit(&u, closed ? c->think_s * (double)i / (double)n : 0.0);
    sim_run(u.sim);
    *rejected = sim_stats(u.sim)->n_rejected;
    struct sample x = { 0 };
    for (size_t i = 0; i < u.n; i++) {
        const struct ureq *q = &u.r[i];
        if (!q->got)
            continue;
        double v = c->slo.metric == SLO_TTFT ? q->first - q->send
                   : c->slo.metric == SLO_E2EL ? q->last - q->send
                   : (q->got > 1 ? (q->last - q->first) / (q->got - 1) : 0);
        sample_push(&x, v * 1e3);
    }
    double p = c->slo.percentile > 0 ? c->slo.percentile : 50;
    struct metric_summary m;
    metric_summarize(&x, &p, 1, &m);
    *value = c->slo.percentile > 0 ? m.pct[0] : m.mean;
    sample_release(&x);
    free(u.r);
    sim_free(u.sim);
    return CS_OK;
}

static int pred_burst(int64_t n, void *ud, bool *pass, double *v, struct cs_err *err)
{
    (void)err;
    int64_t rej;
    measure(ud, n, false, v, &rej);
    *pass = rej == 0 && slo_met(&((struct users_ctx *)ud)->slo, *v);
    return CS_OK;
}

static int pred_closed(int64_t n, void *ud, bool *pass, double *v, struct cs_err *err)
{
    (void)err;
    int64_t rej;
    measure(ud, n, true, v, &rej);
    *pass = rej == 0 && slo_met(&((struct users_ctx *)ud)->slo, *v);
    return CS_OK;
}

int cmd_users(int argc, char **argv)
{
    struct server_flags sf = { 0 };
    int64_t context = 25000, output = 256;
    double think = 60;
    const char *slo_text = "p95_ttft_ms<=10000";
    bool json = false;
    const char *plot = NULL, *script = NULL;
    struct opt table[] = {
        SERVER_OPTS(sf),
        { "context", OPT_INT, &context, 1, 1e8, "prompt tokens per request [25000]", false },
        { "output", OPT_INT, &output, 1, 1e6, "reply tokens per request [256]", false },
        { "think-time", OPT_DOUBLE, &think, 0, 86400, "seconds a user reads before asking again [60]", false },
        { "slo", OPT_STRING, &slo_text, 0, 0, "the objective [p95_ttft_ms<=10000]", false },
        { "json", OPT_FLAG, &json, 0, 0, "print JSON", false },
        { "plot", OPT_STRING, &plot, 0, 0, "the SLO metric against users, FILE.png|FILE.svg", false },
        { "plot-script", OPT_STRING, &script, 0, 0, "write the gnuplot script instead", false },
    };
    const char *pos[1];
    size_t n_pos;
    bool help;
    struct cs_err err = { 0 };
    if (opts_parse("users", table, CS_ARRAY_LEN(table), argc, argv, pos, 0, &n_pos, &help, &err))
        return cli_fail("users", &err);
    if (help) {
        opts_usage(stdout, "users", "--model M [--precision P] --context 25000 --output 256 --slo 'p95_ttft_ms<=10000'",
                   table, CS_ARRAY_LEN(table));
        return 0;
    }
    struct users_ctx c = { NULL, (uint32_t)context, (uint32_t)output, think, 3600.0, { 0 } };
    if (slo_parse(slo_text, &c.slo, "users: --slo", &err))
        return cli_fail("users", &err);
    struct deploy_args da;
    server_flags_deploy(&sf, &da);
    struct deploy *d;
    if (deploy_new(&da, &d, &err))
        return cli_fail("users", &err);
    if (context + output > d->cfg.max_model_len) {
        cs_err_set(&err, CS_EUSAGE, "users: --context %lld + --output %lld exceeds max_model_len %u",
                   (long long)context, (long long)output, d->cfg.max_model_len);
        deploy_free(d);
        return cli_fail("users", &err);
    }
    c.d = d;
    double mem_conc = memory_max_concurrency(&d->mem, context + output);
    int64_t mem_cap = (int64_t)floor(mem_conc);
    int64_t burst = 0, active = 0;
    struct capacity_curve cb, ca;
    int64_t limit = mem_cap * 4 > 64 ? mem_cap * 4 : 64;
    capacity_search(pred_burst, &c, 1, limit, &burst, &cb, &err);
    capacity_search(pred_closed, &c, 1, 20000, &active, &ca, &err);
    double v1;
    int64_t rej;
    measure(&c, 1, false, &v1, &rej);
    const char *why = burst >= mem_cap ? "memory: the KV cache holds no more requests of this length"
                                       : "prefill compute: requests queue behind each other's prompts";
    if (json) {
        printf("{\n  \"model\": \"%s\",\n  \"precision\": \"%s\",\n  \"kv_cache_dtype\": \"%s\",\n"
               "  \"context\": %lld,\n  \"output\": %lld,\n  \"slo\": \"%s\",\n"
               "  \"single_request_ms\": %.2f,\n  \"kv_cache_max_concurrency\": %.2f,\n"
               "  \"simultaneous_users\": %lld,\n  \"active_users\": %lld,\n  \"think_time_s\": %g,\n"
               "  \"limit\": \"%s\"\n}\n",
               model_name(d->model), dtype_traits(d->precision)->name, kv_dtype_name(d->kv),
               (long long)context, (long long)output, c.slo.text, v1, mem_conc, (long long)burst,
               (long long)active, think, burst >= mem_cap ? "memory" : "prefill compute");
    } else {
        printf("capsim users: %s (%s, %s KV cache) on %s, %lld-token prompts, %lld-token replies\n",
               model_name(d->model), dtype_traits(d->precision)->name, kv_dtype_name(d->kv),
               d->profile.name, (long long)context, (long long)output);
        printf("objective: %s (one request alone: %.0f ms)\n\n", c.slo.text, v1);
        printf("KV cache: %lld tokens, room for %.1f such requests at once\n",
               (long long)d->mem.kv_cache_tokens, mem_conc);
        printf("users asking at the same moment:         %lld\n", (long long)burst);
        printf("active users (%.0f s think time):          %lld\n", think, (long long)active);
        printf("the limit: %s\n", why);
    }
    int rc = CS_OK;
    if (plot || script) {
        /* both curves on the burst's x values: the closed loop is measured there too */
        double x[CAPACITY_MAX_POINTS], yb[CAPACITY_MAX_POINTS], ya[CAPACITY_MAX_POINTS];
        for (size_t i = 0; i < cb.n; i++) {
            int64_t r2;
            x[i] = (double)cb.load[i];
            yb[i] = cb.value[i];
            measure(&c, cb.load[i], true, &ya[i], &r2);
        }
        struct plot_series ser[2] = { { "users asking at the same moment", yb },
                                      { "active users with think time", ya } };
        char ylabel[64];
        snprintf(ylabel, sizeof ylabel, "%s (ms)", c.slo.text);
        struct plot_spec ps = { "Users at this context", "users", ylabel, x, cb.n, ser, 2, false, NULL, true };
        rc = plot_lines(&ps, plot, script, &err);
    }
    (void)ca;
    deploy_free(d);
    return rc ? cli_fail("users", &err) : 0;
}
