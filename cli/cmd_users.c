/*
 * cmd_users.c - capsim users: "how many users at 25k context?" answered
 * two ways: how many may ask at the same moment (a burst of N simultaneous
 * requests, as llama-benchy's --concurrency sends them), and how many
 * active users it carries (N users in a closed loop, each asking again
 * an exponential pause of mean think-time seconds after a reply, for an
 * hour). Both under the SLO, and
 * which resource runs out first: KV-cache memory (vLLM's "maximum
 * concurrency" from the memory accounting) or prefill compute (requests
 * queue behind each other's prompts).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/server_opts.h"
#include "client/metrics.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "plots/plot.h"
#include "scenarios/capacity.h"
#include "scenarios/office.h"
#include "scenarios/slo.h"

struct users_ctx {
    const struct deploy *d;
    uint32_t context, output;
    double think_s, horizon_s;
    struct slo slo;
    int64_t seed;
    bool progress;
    const char *phase;
};

struct ureq {
    double send, first, last;
    uint32_t got;
    uint32_t user, k;       /* closed loop: whose k-th request */
};

struct uloop {
    const struct users_ctx *c;
    struct sim *sim;
    struct ureq *r;
    size_t n, cap;
    double lat;
    bool closed;            /* closed loop: ask again after think time */
};

/* What one load level gave. */
struct umeasure {
    double value_ms;        /* the SLO's metric */
    double ttft_p95_ms, tpot_p95_ms;
    int64_t rejected, preemptions;
    uint32_t peak_running;
    size_t requests;
};

static void u_submit(struct uloop *u, double t, uint32_t user, uint32_t k)
{
    xgrow((void **)&u->r, &u->cap, u->n + 1, sizeof *u->r);
    memset(&u->r[u->n], 0, sizeof u->r[0]);
    u->r[u->n].send = t;
    u->r[u->n].user = user;
    u->r[u->n].k = k;
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
    /* People do not read for exactly the same time: an exponential pause
     * (mean --think-time) keeps users from marching in lockstep. Keyed by
     * (user, request number): more users leave the others' pauses as they
     * were (common random numbers for the search). */
    uint32_t user = u->r[id].user, k = u->r[id].k;
    double think = -u->c->think_s * log1p(-office_uniform((uint64_t)u->c->seed, user, k));
    double next = t + u->lat + think;
    if (u->closed && next < u->c->horizon_s)
        u_submit(u, next, user, k + 1);
}

static double pct(struct sample *x, double p)
{
    struct metric_summary m;
    metric_summarize(x, &p, 1, &m);
    return m.pct[0];
}

/* Simulate N users (burst or closed loop) and measure. */
static void measure(const struct users_ctx *c, int64_t n, bool closed, struct umeasure *out)
{
    struct uloop u = { c, NULL, NULL, 0, 0, cost_client_latency_s(c->d->cost), closed };
    struct sim_hooks h = { &u, u_tokens, u_finish, NULL };
    u.sim = sim_new(&c->d->cfg, &h);
    for (int64_t i = 0; i < n; i++)
        /* closed loop: users start spread over one think time, as an office does */
        u_submit(&u, closed ? c->think_s * (double)i / (double)n : 0.0, (uint32_t)i, 0);
    sim_run(u.sim);
    const struct sim_stats *st = sim_stats(u.sim);
    memset(out, 0, sizeof *out);
    out->rejected = st->n_rejected;
    out->preemptions = st->n_preemptions;
    out->peak_running = st->peak_running;
    struct sample x = { 0 }, ttft = { 0 }, tpot = { 0 };
    for (size_t i = 0; i < u.n; i++) {
        const struct ureq *q = &u.r[i];
        if (!q->got)
            continue;
        double tp = q->got > 1 ? (q->last - q->first) / (q->got - 1) : 0;
        double v = c->slo.metric == SLO_TTFT ? q->first - q->send
                   : c->slo.metric == SLO_E2EL ? q->last - q->send
                                               : tp; /* ITL ~ TPOT for one-token chunks */
        sample_push(&x, v * 1e3);
        sample_push(&ttft, (q->first - q->send) * 1e3);
        if (q->got > 1)
            sample_push(&tpot, tp * 1e3);
    }
    out->requests = x.n;
    struct metric_summary m;
    double p = c->slo.percentile > 0 ? c->slo.percentile : 50;
    metric_summarize(&x, &p, 1, &m);
    out->value_ms = c->slo.percentile > 0 ? m.pct[0] : m.mean;
    out->ttft_p95_ms = pct(&ttft, 95);
    out->tpot_p95_ms = pct(&tpot, 95);
    sample_release(&x);
    sample_release(&ttft);
    sample_release(&tpot);
    free(u.r);
    sim_free(u.sim);
}

static int pred(int64_t n, void *ud, bool closed, bool *pass, double *v)
{
    const struct users_ctx *c = ud;
    if (c->progress)
        fprintf(stderr, "\rcapsim users: %s, trying %lld...      ", c->phase, (long long)n);
    struct umeasure m;
    measure(c, n, closed, &m);
    *v = m.value_ms;
    *pass = m.rejected == 0 && slo_met(&c->slo, m.value_ms);
    return CS_OK;
}

static int pred_burst(int64_t n, void *ud, bool *pass, double *v, struct cs_err *err)
{
    (void)err;
    return pred(n, ud, false, pass, v);
}

static int pred_closed(int64_t n, void *ud, bool *pass, double *v, struct cs_err *err)
{
    (void)err;
    return pred(n, ud, true, pass, v);
}

/* Both curves on a regular grid of user counts up to past the answers. */
static int draw(const struct users_ctx *c, int64_t burst, int64_t active, const char *plot,
                const char *script, struct cs_err *err)
{
    int64_t top = 2 * (burst > active ? burst : active);
    if (top < 8)
        top = 8;
    int64_t step = (top + 39) / 40;
    size_t n = (size_t)(top / step);
    double *x = xmalloc(n * sizeof *x), *yb = xmalloc(n * sizeof *yb), *ya = xmalloc(n * sizeof *ya);
    for (size_t i = 0; i < n; i++) {
        struct umeasure m;
        x[i] = (double)((int64_t)(i + 1) * step);
        measure(c, (int64_t)x[i], false, &m);
        yb[i] = m.value_ms;
        measure(c, (int64_t)x[i], true, &m);
        ya[i] = m.value_ms;
    }
    struct plot_series ser[2] = {
        { "users asking at the same moment", NULL, yb, 0, false, PLOT_LINESPOINTS },
        { "active users with think time", NULL, ya, 0, false, PLOT_LINESPOINTS } };
    char ylabel[64], title[200], label[32];
    slo_label(&c->slo, label, sizeof label);
    snprintf(ylabel, sizeof ylabel, "%s (ms, log)", label);
    snprintf(title, sizeof title, "Users at %u-token context, %u-token replies, %.0f s think time",
             c->context, c->output, c->think_s);
    struct plot_spec ps = { .title = title, .xlabel = "users", .ylabel = ylabel, .x = x, .n = n,
                            .series = ser, .n_series = 2, .logy = true, .hline = c->slo.limit_ms,
                            .hline_label = c->slo.text };
    int rc = plot_draw(&ps, plot, script, err);
    free(x);
    free(yb);
    free(ya);
    return rc;
}

int cmd_users(int argc, char **argv)
{
    struct server_flags sf = { 0 };
    int64_t context = 25000, output = 256, max_users = 100000, seed = 0;
    double think = 60;
    const char *slo_text = "p95_ttft_ms<=10000";
    bool json = false;
    const char *plot = NULL, *script = NULL;
    struct opt table[] = {
        SERVER_OPTS(sf),
        { "context", OPT_INT, &context, 1, 1e8, "prompt tokens per request [25000]", false },
        { "output", OPT_INT, &output, 1, 1e6, "reply tokens per request [256]", false },
        { "think-time", OPT_DOUBLE, &think, 0, 86400, "mean seconds a user reads before asking again [60]", false },
        { "slo", OPT_STRING, &slo_text, 0, 0, "the objective [p95_ttft_ms<=10000]", false },
        { "seed", OPT_INT, &seed, 0, 4294967295.0, "think times' random stream [0]", false },
        { "max-users", OPT_INT, &max_users, 1, 1e7, "search no further [100000]", false },
        { "json", OPT_FLAG, &json, 0, 0, "print JSON", false },
        { "plot", OPT_STRING, &plot, 0, 0, "the SLO metric against users, FILE.png or FILE.svg", false },
        { "plot-script", OPT_STRING, &script, 0, 0, "write the gnuplot script and data to FILE", false },
    };
    const char *pos[1];
    size_t n_pos;
    struct cs_err err = { 0 };
    int status;
    if (cli_parse("users",
                  "--model M [--precision P] --context 25000 --output 256 --slo 'p95_ttft_ms<=10000'",
                  table, CS_ARRAY_LEN(table), argc, argv, pos, 0, &n_pos, &status))
        return status;
    struct users_ctx c = { NULL, (uint32_t)context, (uint32_t)output, think, 3600.0, { 0 }, seed,
                           isatty(STDERR_FILENO), "" };
    if (slo_parse(slo_text, &c.slo, "users: --slo", &err))
        return cli_fail("users", &err);
    struct deploy_args da;
    if (server_flags_deploy(&sf, &da, &err))
        return cli_fail("users", &err);
    struct deploy *d;
    if (deploy_new(&da, &d, &err))
        return cli_fail("users", &err);
    if (context + output > d->cfg.max_model_len) {
        cs_err_set(&err, CS_EUSAGE, "users: --context plus --output longer than max_model_len %u (got %lld)",
                   d->cfg.max_model_len, (long long)(context + output));
        deploy_free(d);
        return cli_fail("users", &err);
    }
    c.d = d;
    double mem_conc = memory_max_concurrency(&d->mem, context + output);
    int64_t burst = 0, active = 0;
    struct capacity_curve cb, ca;
    c.phase = "users asking at once";
    int rc = capacity_search(pred_burst, &c, 1, max_users, &burst, &cb, &err);
    c.phase = "active users";
    if (!rc)
        rc = capacity_search(pred_closed, &c, 1, max_users, &active, &ca, &err);
    if (c.progress)
        fprintf(stderr, "\r%60s\r", "");
    if (rc) {
        deploy_free(d);
        return cli_fail("users", &err);
    }
    struct umeasure one, at, over;
    measure(&c, 1, false, &one);
    measure(&c, burst > 0 ? burst : 1, false, &at);
    measure(&c, burst + 1, false, &over);
    /* Memory limits when one more simultaneous request would not fit the
     * KV cache (it waits for blocks, is preempted, or cannot run);
     * otherwise the SLO failed while memory had room: compute. */
    bool memory = (double)(burst + 1) > mem_conc || over.preemptions > 0 || over.rejected > 0;
    const char *limit = memory ? "memory" : burst == 0 ? "one request" : "prefill compute";
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "model", model_name(d->model));
        cJSON_AddStringToObject(o, "precision", dtype_traits(d->precision)->name);
        cJSON_AddStringToObject(o, "kv_cache_dtype", kv_dtype_name(d->kv));
        cJSON_AddStringToObject(o, "profile", d->profile.name);
        json_add_int(o, "context", context);
        json_add_int(o, "output", output);
        cJSON_AddStringToObject(o, "slo", c.slo.text);
        json_add_fixed(o, "single_request_ms", one.value_ms, 2);
        json_add_int(o, "kv_cache_tokens", d->mem.kv_cache_tokens);
        json_add_fixed(o, "kv_cache_max_concurrency", mem_conc, 2);
        json_add_int(o, "simultaneous_users", burst);
        json_add_fixed(o, "simultaneous_value_ms", at.value_ms, 2);
        json_add_int(o, "active_users", active);
        json_add_sig(o, "think_time_s", think, 6);
        cJSON_AddStringToObject(o, "limit", limit);
        rc = json_write(stdout, o, &err);
    } else {
        printf("capsim users: %s (%s, KV cache %s) on %s, %lld-token prompts, %lld-token replies\n",
               model_name(d->model), dtype_traits(d->precision)->name, kv_dtype_name(d->kv),
               d->profile.name, (long long)context, (long long)output);
        printf("objective: %s; one request alone: %.0f ms\n\n", c.slo.text, one.value_ms);
        printf("memory: KV cache of %lld tokens holds %.1f requests of %lld tokens at once\n",
               (long long)d->mem.kv_cache_tokens, mem_conc, (long long)(context + output));
        char label[32];
        slo_label(&c.slo, label, sizeof label);
        printf("users asking at the same moment:    %6lld", (long long)burst);
        if (burst > 0)
            printf("   (then %s %.0f ms, p95 TPOT %.1f ms)", label, at.value_ms, at.tpot_p95_ms);
        printf("\nactive users, %.0f s think time:    %6lld\n", think, (long long)active);
        if (memory)
            printf("the limit: memory. %lld requests at once would need more KV cache than the "
                   "%.1f it holds, so the next one waits for blocks\n",
                   (long long)(burst + 1), mem_conc);
        else if (burst == 0)
            printf("the limit: one request alone misses the objective (%s %.0f ms), with memory "
                   "for %.1f at once\n", label, one.value_ms, mem_conc);
        else
            printf("the limit: prefill compute. memory holds %.1f at once, but %lld prompts of %lld "
                   "tokens queue behind each other: %s reaches %.0f ms\n",
                   mem_conc, (long long)(burst + 1), (long long)context, label, over.value_ms);
    }
    if (!rc && (plot || script))
        rc = draw(&c, burst, active, plot, script, &err);
    deploy_free(d);
    return rc ? cli_fail("users", &err) : 0;
}
