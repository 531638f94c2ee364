/*
 * benchy.c - one llama-benchy point. Each batch runs on a fresh idle
 * engine state (llama-benchy waits for the whole batch, so the engine is
 * empty between batches); a batch's c requests arrive together.
 */
#include "client/benchy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "client/metrics.h"
#include "common/stats.h"
#include "common/xalloc.h"

void benchy_args_init(struct benchy_args *a)
{
    memset(a, 0, sizeof *a);
    a->pp = 512;
    a->tg = 32;
    a->concurrency = 1;
    a->runs = 3;
    a->prompt_token_ratio = 1.0;
}

struct breq {
    double first, last;
    struct sample ts;    /* token timestamps */
};

struct batch {
    struct breq *r;
    double latency;
    uint32_t spec;       /* tokens per chunk are spread over the chunk's interval */
};

static void b_on_tokens(void *ud, uint64_t id, double t, uint32_t n)
{
    struct batch *b = ud;
    struct breq *q = &b->r[id];
    double seen = t + b->latency;
    if (q->ts.n == 0) {
        q->first = seen;
        sample_push(&q->ts, seen);
        n--;
    }
    /* k tokens in one chunk are spread evenly over (previous, this chunk] */
    double prev = q->last > 0 ? q->last : seen;
    for (uint32_t k = 1; k <= n; k++)
        sample_push(&q->ts, prev + (seen - prev) * k / n);
    q->last = seen;
}

/* Run c identical requests arriving at 0 on an idle engine. */
static void run_batch(const struct deploy *d, int64_t c, uint32_t prompt, uint32_t out,
                      struct breq *r)
{
    struct batch b = { r, cost_client_latency_s(d->cost), d->cfg.num_speculative_tokens };
    for (int64_t i = 0; i < c; i++)
        memset(&r[i], 0, sizeof r[i]);
    struct sim_hooks h = { &b, b_on_tokens, NULL, NULL };
    struct sim *s = sim_new(&d->cfg, &h);
    for (int64_t i = 0; i < c; i++) {
        struct sim_request q = { (uint64_t)i, 0.0, prompt, out };
        sim_submit(s, &q);
    }
    sim_run(s);
    sim_free(s);
}

static struct mean_std ms(struct sample *s)
{
    struct mean_std m = { stats_mean(s->v, s->n), stats_pstd(s->v, s->n) };
    return m;
}

int benchy_run(const struct deploy *d, const struct benchy_args *a, struct benchy_row *row,
               struct cs_err *err)
{
    memset(row, 0, sizeof *row);
    if (a->pp < 0 || a->tg < 1 || a->depth < 0 || a->concurrency < 1 || a->runs < 1)
        return cs_err_set(err, CS_EUSAGE, "benchy: --pp, --depth must be >= 0; --tg, --concurrency, --runs >= 1");
    /* Latency probe ("generation" mode): three "hello" requests with
     * max_tokens 1, time to the first body line; their mean. */
    double L = 0;
    if (a->latency_mode == BENCHY_LATENCY_GENERATION) {
        struct breq probe;
        uint32_t hello = (uint32_t)lround(1 + a->delta_user);
        for (int i = 0; i < 3; i++) {
            run_batch(d, 1, hello < 1 ? 1 : hello, 1, &probe);
            L += probe.first / 3.0;
            sample_release(&probe.ts);
        }
    } else if (a->latency_mode == BENCHY_LATENCY_API) {
        L = cost_client_latency_s(d->cost);
    }
    row->latency_ms = L * 1e3;
    /* Server-side prompt: adapted GPT-2 text in model tokens plus template. */
    double text, tmpl;
    if (a->depth == 0) {
        double sent = fmax(1.0, (double)a->pp - a->delta_user);
        text = sent;
        tmpl = a->delta_user;
    } else {
        double ctx = fmax(1.0, (double)a->depth - a->delta_context);
        text = ctx + (double)a->pp;
        tmpl = a->delta_context;
    }
    double prompt = text * a->prompt_token_ratio + tmpl;
    uint32_t n_prompt = prompt < 1 ? 1 : (uint32_t)lround(prompt);
    row->prompt_tokens = n_prompt;
    if ((int64_t)n_prompt + a->tg > d->cfg.max_model_len)
        return cs_err_set(err, CS_EUSAGE, "benchy: pp %lld + depth %lld + tg %lld exceeds max_model_len %u",
                          (long long)a->pp, (long long)a->depth, (long long)a->tg,
                          d->cfg.max_model_len);

    int64_t c = a->concurrency;
    struct breq *r = xcalloc((size_t)c, sizeof *r);
    struct sample pp_total = { 0 }, pp_req = { 0 }, ttfr = { 0 }, est = { 0 };
    struct sample tg_total = { 0 }, tg_req = { 0 }, peak_b = { 0 }, peak_r = { 0 };
    /* The warm-up batch is identical and discarded: the engine is idle
     * again afterwards, so simulating it would change nothing. */
    for (int64_t run = 0; run < a->runs; run++) {
        run_batch(d, c, n_prompt, (uint32_t)a->tg, r);
        double max_first = 0, min_first = INFINITY, max_last = 0, sum_d = 0;
        struct sample all = { 0 };
        for (int64_t i = 0; i < c; i++) {
            struct breq *q = &r[i];
            double ttfr_s = q->first; /* sent at 0 */
            sample_push(&ttfr, ttfr_s * 1e3);
            double e = fmax(0.0, ttfr_s - L);
            sample_push(&est, e * 1e3);
            if (e > 0)
                sample_push(&pp_req, n_prompt / e);
            double dtok = (double)q->ts.n - 1;
            if (q->ts.n >= 2 && q->last > q->first)
                sample_push(&tg_req, dtok / (q->last - q->first));
            sample_push(&peak_r, metric_peak_per_s(q->ts.v, q->ts.n));
            sum_d += dtok;
            max_first = fmax(max_first, q->first);
            min_first = fmin(min_first, q->first);
            max_last = fmax(max_last, q->last);
            for (size_t k = 0; k < q->ts.n; k++)
                sample_push(&all, q->ts.v[k]);
        }
        if (c > 1) {
            sample_push(&pp_total, (double)n_prompt * c / max_first);
            if (max_last > min_first)
                sample_push(&tg_total, sum_d / (max_last - min_first));
        }
        stats_sort(all.v, all.n);
        sample_push(&peak_b, metric_peak_per_s(all.v, all.n));
        sample_release(&all);
        for (int64_t i = 0; i < c; i++)
            sample_release(&r[i].ts);
    }
    row->pp_tps_req = ms(&pp_req);
    row->pp_tps_total = c > 1 ? ms(&pp_total) : row->pp_tps_req;
    row->ttfr_ms = ms(&ttfr);
    row->e2e_ttft_ms = row->ttfr_ms; /* the role chunk comes with the first token */
    row->est_ppt_ms = ms(&est);
    row->tg_tps_req = ms(&tg_req);
    row->tg_tps_total = c > 1 ? ms(&tg_total) : row->tg_tps_req;
    row->tg_peak_tps = ms(&peak_b);
    row->tg_peak_tps_req = ms(&peak_r);
    sample_release(&pp_total);
    sample_release(&pp_req);
    sample_release(&ttfr);
    sample_release(&est);
    sample_release(&tg_total);
    sample_release(&tg_req);
    sample_release(&peak_b);
    sample_release(&peak_r);
    free(r);
    return CS_OK;
}
