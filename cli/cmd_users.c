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
#include "cli/scenario_opts.h"
#include "cli/server_opts.h"
#include "client/metrics.h"
#include "common/json.h"
#include "report/basis.h"
#include "common/xalloc.h"
#include "plots/plot.h"
#include "scenarios/capacity.h"
#include "scenarios/office.h"
#include "scenarios/slo.h"

struct users_ctx {
    const struct deploy *d;
    uint32_t context, output;
    double think_s, horizon_s;
    struct slo slos[SLO_MAX];   /* every one must hold */
    size_t n_slos;
    int64_t seed;
    bool progress;
    const char *phase;
    bool shared_doc;        /* every prompt reads the same document ... */
    uint32_t question;      /* ... followed by its own question of this many tokens */
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
    double value_ms[SLO_MAX];   /* each SLO's statistic */
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
    /* --shared-document: the same document, then the user's own question */
    struct pc_segment doc = { 0x646f63756d656e74ULL, u->c->context - u->c->question };
    struct sim_request q = { .id = u->n, .arrival_s = t, .n_prompt = u->c->context, .n_output = u->c->output,
                             .segs = &doc, .n_segs = u->c->shared_doc ? 1 : 0 };
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
    struct sim_hooks h = { .ud = &u, .on_tokens = u_tokens, .on_finish = u_finish, .on_reject = NULL };
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
    /* per request: TTFT, TPOT (ITL ~ TPOT for one-token chunks), E2EL */
    struct sample x[4] = { { 0 } };
    for (size_t i = 0; i < u.n; i++) {
        const struct ureq *q = &u.r[i];
        if (!q->got)
            continue;
        sample_push(&x[SLO_TTFT], (q->first - q->send) * 1e3);
        sample_push(&x[SLO_E2EL], (q->last - q->send) * 1e3);
        if (q->got > 1) {
            double tp = (q->last - q->first) / (q->got - 1) * 1e3;
            sample_push(&x[SLO_TPOT], tp);
            sample_push(&x[SLO_ITL], tp);
        }
    }
    out->requests = x[SLO_TTFT].n;
    for (size_t j = 0; j < c->n_slos; j++) {
        const struct slo *o = &c->slos[j];
        struct metric_summary m;
        double p = o->percentile > 0 ? o->percentile : 50;
        metric_summarize(&x[o->metric], &p, 1, &m);
        out->value_ms[j] = o->percentile > 0 ? m.pct[0] : m.mean;
    }
    out->ttft_p95_ms = pct(&x[SLO_TTFT], 95);
    out->tpot_p95_ms = pct(&x[SLO_TPOT], 95);
    for (size_t k = 0; k < 4; k++)
        sample_release(&x[k]);
    free(u.r);
    sim_free(u.sim);
}

static bool all_met(const struct users_ctx *c, const struct umeasure *m)
{
    bool ok = m->rejected == 0;
    for (size_t j = 0; j < c->n_slos; j++)
        ok = ok && slo_met(&c->slos[j], m->value_ms[j]);
    return ok;
}

/* The SLO closest to, or furthest past, its limit. */
static size_t binding(const struct users_ctx *c, const struct umeasure *m)
{
    size_t b = 0;
    for (size_t j = 1; j < c->n_slos; j++)
        if (m->value_ms[j] / c->slos[j].limit_ms > m->value_ms[b] / c->slos[b].limit_ms)
            b = j;
    return b;
}

static int pred(int64_t n, void *ud, bool closed, bool *pass, double *v)
{
    const struct users_ctx *c = ud;
    if (c->progress)
        fprintf(stderr, "\rcapsim users: %s, trying %lld...      ", c->phase, (long long)n);
    struct umeasure m;
    measure(c, n, closed, &m);
    *v = m.value_ms[binding(c, &m)];
    *pass = all_met(c, &m);
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

/* Both curves of every SLO's statistic on a regular grid of user counts
 * up to past the answers. */
static int draw(const struct users_ctx *c, int64_t burst, int64_t active, const char *plot,
                const char *script, struct cs_err *err)
{
    int64_t top = 2 * (burst > active ? burst : active);
    if (top < 8)
        top = 8;
    int64_t step = (top + 39) / 40;
    size_t n = (size_t)(top / step), ns = c->n_slos;
    double *x = xmalloc(n * sizeof *x), *y = xmalloc(2 * ns * n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        struct umeasure mb, ma;
        x[i] = (double)((int64_t)(i + 1) * step);
        measure(c, (int64_t)x[i], false, &mb);
        measure(c, (int64_t)x[i], true, &ma);
        for (size_t j = 0; j < ns; j++) {
            y[(2 * j) * n + i] = mb.value_ms[j];
            y[(2 * j + 1) * n + i] = ma.value_ms[j];
        }
    }
    struct plot_series ser[2 * SLO_MAX];
    char names[2 * SLO_MAX][80];
    double limits[SLO_MAX];
    const char *limit_names[SLO_MAX];
    for (size_t j = 0; j < ns; j++) {
        char label[32];
        slo_label(&c->slos[j], label, sizeof label);
        snprintf(names[2 * j], sizeof names[0], "%s, users asking at the same moment", label);
        snprintf(names[2 * j + 1], sizeof names[0], "%s, active users with think time", label);
        ser[2 * j] = (struct plot_series){ names[2 * j], NULL, y + 2 * j * n, 0, false, PLOT_LINESPOINTS };
        ser[2 * j + 1] = (struct plot_series){ names[2 * j + 1], NULL, y + (2 * j + 1) * n, 0, false,
                                               PLOT_LINESPOINTS };
        limits[j] = c->slos[j].limit_ms;
        limit_names[j] = c->slos[j].text;
    }
    const struct deploy_settings *d = &c->d->settings;
    char title[512];
    snprintf(title, sizeof title,
             "%s (%s, KV cache %s) on %s: %u-token prompts, %u-token replies, %.0f s think time",
             d->model, d->precision, d->kv_cache_dtype, d->hardware, c->context, c->output, c->think_s);
    struct plot_spec ps = { .title = title, .xlabel = "users (count)", .ylabel = "latency (ms, log scale)",
                            .x = x, .n = n, .series = ser, .n_series = 2 * ns, .logy = true,
                            .hlines = limits, .hline_labels = limit_names, .n_hlines = ns };
    int rc = plot_draw(&ps, plot, script, err);
    free(x);
    free(y);
    return rc;
}

int cmd_users(int argc, char **argv)
{
    struct server_flags sf = SERVER_FLAGS_INIT;
    int64_t context = 25000, output = 256, max_users = 100000, seed = 0;
    double think = 60;
    struct opt_strings slo_text = { { 0 }, 0 };
    bool json = false, check = false, shared_doc = false;
    int64_t question = 200;
    const char *plot = NULL, *script = NULL;
    struct opt table[] = {
        SERVER_OPTS(sf),
        { "context", OPT_INT, &context, 1, 1e8, "prompt tokens per request [25000]", false },
        { "output", OPT_INT, &output, 1, 1e6, "reply tokens per request [256]", false },
        { "think-time", OPT_DOUBLE, &think, 0, 86400, "mean seconds a user reads before asking again [60]", false },
        { "shared-document", OPT_FLAG, &shared_doc, 0, 0,
          "every user asks about the same document: prompts share all but their question", false },
        { "question", OPT_INT, &question, 1, 1e7, "with --shared-document: tokens of each user's own question [200]", false },
        { "slo", OPT_STRINGS, &slo_text, 0, 0,
          "objective; repeat to combine (all must hold) [p95_ttft_ms<=10000]", false },
        { "seed", OPT_INT, &seed, 0, 4294967295.0, "think times' random stream [0]", false },
        { "max-users", OPT_INT, &max_users, 1, 1e7, "search no further [100000]", false },
        { "check", OPT_FLAG, &check, 0, 0, "exit 3 when no user fits (for scripts and CI)", false },
        { "json", OPT_FLAG, &json, 0, 0, "print JSON", false },
        { "plot", OPT_STRING, &plot, 0, 0, "the SLO metrics against users, FILE.png, FILE.svg or FILE.pdf", false },
        { "plot-script", OPT_STRING, &script, 0, 0, "write the gnuplot script and data to FILE", false },
    };
    const char *pos[1];
    size_t n_pos;
    struct cs_err err = { 0 };
    int status;
    if (cli_parse("users",
                  "--model M [--precision P] --context 25000 --output 256 --slo 'p95_ttft_ms<=10000' ...",
                  table, CS_ARRAY_LEN(table), argc, argv, pos, 0, &n_pos, &status))
        return status;
    /* a picture name capsim cannot draw fails before the simulation */
    if (plot_check_name(plot, &err))
        return cli_fail("users", &err);
    struct users_ctx c = { NULL, (uint32_t)context, (uint32_t)output, think, 3600.0, { { 0 } }, 0,
                           seed, isatty(STDERR_FILENO), "", shared_doc,
                           (uint32_t)(question < context ? question : context) };
    if (!slo_text.n) {
        slo_text.v[0] = "p95_ttft_ms<=10000";
        slo_text.n = 1;
    }
    if (scenario_opts_slos("users", &slo_text, c.slos, &c.n_slos, &err))
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
    /* The same question with vLLM's prefix cache the other way round. */
    int64_t burst_other = 0, active_other = 0;
    struct deploy *d_other = NULL;
    struct deploy_args da_other = da;
    da_other.enable_prefix_caching = d->cfg.enable_prefix_caching ? 0 : 1;
    if (!rc)
        rc = deploy_new(&da_other, &d_other, &err);
    if (!rc) {
        struct users_ctx co = c;
        struct capacity_curve cbo, cao;
        co.d = d_other;
        co.phase = d_other->cfg.enable_prefix_caching ? "prefix cache on" : "prefix cache off";
        rc = capacity_search(pred_burst, &co, 1, max_users, &burst_other, &cbo, &err);
        if (!rc)
            rc = capacity_search(pred_closed, &co, 1, max_users, &active_other, &cao, &err);
    }
    deploy_free(d_other);
    if (c.progress)
        fprintf(stderr, "\r%60s\r", "");
    if (rc) {
        deploy_free(d);
        return cli_fail("users", &err);
    }
    /* The answer's 80% range: the search again with each limit over the
     * band's ends (basis_scale_slos), the pessimistic end first. */
    struct basis basis;
    basis_of(d, &basis);
    int64_t burst_lo = burst, burst_hi = burst, active_lo = active, active_hi = active;
    for (int end = 0; end < 2 && !rc; end++) {
        struct users_ctx cr = c;
        basis_scale_slos(&basis, cr.slos, cr.n_slos, end);
        cr.phase = end ? "the band's optimistic end" : "the band's pessimistic end";
        struct capacity_curve cv;
        rc = capacity_search(pred_burst, &cr, 1, max_users, end ? &burst_hi : &burst_lo, &cv, &err);
        if (!rc)
            rc = capacity_search(pred_closed, &cr, 1, max_users, end ? &active_hi : &active_lo, &cv, &err);
    }
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
    /* (a shared document's blocks are held once: the memory bound is then
     * what preemptions and rejections say, not the per-request count) */
    bool shared_on = shared_doc && d->cfg.enable_prefix_caching;
    bool memory = (!shared_on && (double)(burst + 1) > mem_conc) || over.preemptions > 0 ||
                  over.rejected > 0;
    const char *limit = memory ? "memory" : burst == 0 ? "one request" : "prefill compute";
    size_t b_one = binding(&c, &one), b_over = binding(&c, &over);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "model", model_name(d->model));
        cJSON_AddStringToObject(o, "precision", dtype_traits(d->precision)->name);
        cJSON_AddStringToObject(o, "kv_cache_dtype", kv_dtype_name(d->kv));
        cJSON_AddStringToObject(o, "profile", d->profile.name);
        cJSON_AddItemToObject(o, "server", deploy_settings_json(&d->settings));
        json_add_int(o, "context", context);
        json_add_int(o, "output", output);
        cJSON *slo = cJSON_AddArrayToObject(o, "slo");
        for (size_t j = 0; j < c.n_slos; j++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "slo", c.slos[j].text);
            json_add_fixed(e, "single_request_ms", one.value_ms[j], 2);
            json_add_fixed(e, "simultaneous_value_ms", at.value_ms[j], 2);
            cJSON_AddItemToArray(slo, e);
        }
        json_add_int(o, "kv_cache_tokens", d->mem.kv_cache_tokens);
        json_add_fixed(o, "kv_cache_max_concurrency", mem_conc, 2);
        json_add_int(o, "simultaneous_users", burst);
        json_add_int(o, "simultaneous_users_lo", burst_lo);
        json_add_int(o, "simultaneous_users_hi", burst_hi);
        json_add_int(o, "active_users", active);
        json_add_int(o, "active_users_lo", active_lo);
        json_add_int(o, "active_users_hi", active_hi);
        cJSON_AddBoolToObject(o, "shared_document", shared_doc);
        cJSON_AddBoolToObject(o, "prefix_caching", d->cfg.enable_prefix_caching);
        cJSON *ot = cJSON_AddObjectToObject(o, d->cfg.enable_prefix_caching ? "without_prefix_caching"
                                                                             : "with_prefix_caching");
        json_add_int(ot, "simultaneous_users", burst_other);
        json_add_int(ot, "active_users", active_other);
        json_add_sig(o, "think_time_s", think, 6);
        cJSON_AddStringToObject(o, "limit", limit);
        rc = basis_add_json(o, &basis, &err);
        if (rc)
            cJSON_Delete(o);
        else
            rc = json_write(stdout, o, &err);
    } else {
        printf("capsim users: %s (%s, KV cache %s) on %s, %lld-token prompts, %lld-token replies\n",
               model_name(d->model), dtype_traits(d->precision)->name, kv_dtype_name(d->kv),
               d->profile.name, (long long)context, (long long)output);
        server_print_settings(stdout, &d->settings);
        basis_print(stdout, &basis);
        printf("objective%s: ", c.n_slos > 1 ? "s (all must hold)" : "");
        for (size_t j = 0; j < c.n_slos; j++)
            printf("%s%s", j ? ", " : "", c.slos[j].text);
        printf("; one request alone: ");
        for (size_t j = 0; j < c.n_slos; j++) {
            char label[32];
            slo_label(&c.slos[j], label, sizeof label);
            printf("%s%s %.*f ms", j ? ", " : "", label, one.value_ms[j] < 100 ? 1 : 0,
                   one.value_ms[j]);
        }
        printf("\n\nmemory: KV cache of %lld tokens holds %.1f requests of %lld tokens at once\n",
               (long long)d->mem.kv_cache_tokens, mem_conc, (long long)(context + output));
        char label[32];
        printf("users asking at the same moment:    %6lld (80%% band %lld-%lld)", (long long)burst,
               (long long)burst_lo, (long long)burst_hi);
        if (burst > 0)
            printf("   (then p95 TTFT %.0f ms, p95 TPOT %.1f ms)", at.ttft_p95_ms, at.tpot_p95_ms);
        printf("\nactive users, %.0f s think time:    %6lld (80%% band %lld-%lld)\n", think, (long long)active,
               (long long)active_lo, (long long)active_hi);
        printf("with the prefix cache %s:           %6lld at the same moment, %lld active%s\n",
               d->cfg.enable_prefix_caching ? "off" : "on ", (long long)burst_other,
               (long long)active_other,
               burst_other == burst && active_other == active
                   ? (shared_doc ? " (the same)" : " (the same: the prompts share nothing)")
                   : "");
        if (memory) {
            printf("the limit: memory. %lld requests at once would need more KV cache than the "
                   "%.1f it holds, so the next one waits for blocks\n",
                   (long long)(burst + 1), mem_conc);
        } else if (burst == 0) {
            slo_label(&c.slos[b_one], label, sizeof label);
            printf("the limit: one request alone misses the objective (%s %.*f ms against %s), "
                   "with memory for %.1f at once\n",
                   label, one.value_ms[b_one] < 100 ? 1 : 0, one.value_ms[b_one],
                   c.slos[b_one].text, mem_conc);
        } else {
            slo_label(&c.slos[b_over], label, sizeof label);
            printf("the limit: prefill compute. memory holds %.1f at once, but %lld prompts of %lld "
                   "tokens queue behind each other: %s reaches %.0f ms\n",
                   mem_conc, (long long)(burst + 1), (long long)context, label,
                   over.value_ms[b_over]);
        }
    }
    if (!rc && (plot || script))
        rc = draw(&c, burst, active, plot, script, &err);
    deploy_free(d);
    if (rc)
        return cli_fail("users", &err);
    return check && (burst == 0 || active == 0) ? CLI_EXIT_MISSED : 0;
}
