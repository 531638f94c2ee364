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

/* llama-benchy's defaults: --pp 2048 --tg 32 --runs 3 --concurrency 1
 * --latency-mode api (eugr/llama-benchy src/llama_benchy/config.py,
 * BenchmarkConfig.from_args, the same at 4438177 and 22c13d3, either side
 * of 0.4.0). */
void benchy_args_init(struct benchy_args *a)
{
    memset(a, 0, sizeof *a);
    a->pp = 2048;
    a->tg = 32;
    a->latency_mode = BENCHY_LATENCY_API;
    a->concurrency = 1;
    a->runs = 3;
    a->prompt_token_ratio = 1.0;
}

static const char *const latency_names[] = { "api", "generation", "none" };

int benchy_latency_parse(const char *s, enum benchy_latency *out, struct cs_err *err)
{
    for (size_t i = 0; i < CS_ARRAY_LEN(latency_names); i++)
        if (strcmp(s, latency_names[i]) == 0) {
            *out = (enum benchy_latency)i;
            return CS_OK;
        }
    return cs_err_set(err, CS_EUSAGE, "--latency-mode: api, generation or none (got '%s')", s);
}

const char *benchy_latency_name(enum benchy_latency m)
{
    return (size_t)m < CS_ARRAY_LEN(latency_names) ? latency_names[m] : "?";
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
    struct sim_hooks h = { .ud = &b, .on_tokens = b_on_tokens, .on_finish = NULL, .on_reject = NULL };
    struct sim *s = sim_new(&d->cfg, &h);
    for (int64_t i = 0; i < c; i++) {
        struct sim_request q = { .id = (uint64_t)i, .arrival_s = 0.0, .n_prompt = prompt, .n_output = out };
        sim_submit(s, &q);
    }
    sim_run(s);
    sim_free(s);
}

/* llama-benchy --enable-prefix-caching with a depth (runner.py): a batch
 * first loads each request's context (its own slice of the book, a
 * system message and a short user message), then, once all have
 * finished, sends context + prompt, which finds the context cached.
 * r[0..c) gets the load phase, r[c..2c) the inference phase. */
static void run_two_phase(const struct deploy *d, int64_t c, uint32_t ctx_tokens,
                          uint32_t load_prompt, uint32_t prompt, uint32_t out, uint64_t run,
                          struct breq *r)
{
    struct batch b = { r, cost_client_latency_s(d->cost), d->cfg.num_speculative_tokens };
    for (int64_t i = 0; i < 2 * c; i++)
        memset(&r[i], 0, sizeof r[i]);
    struct sim_hooks h = { .ud = &b, .on_tokens = b_on_tokens, .on_finish = NULL, .on_reject = NULL };
    struct sim *s = sim_new(&d->cfg, &h);
    double t0 = 0;
    for (int phase = 0; phase < 2; phase++) {
        for (int64_t i = 0; i < c; i++) {
            struct pc_segment ctx = { 0x6c6c616d61000000ULL ^ (run << 20) ^ (uint64_t)i, ctx_tokens };
            struct sim_request q = { .id = (uint64_t)(phase * c + i), .arrival_s = t0,
                                     .n_prompt = phase ? prompt : load_prompt, .n_output = out,
                                     .segs = &ctx, .n_segs = 1 };
            sim_submit(s, &q);
        }
        sim_run(s);
        /* the next phase is sent when the client has every reply */
        for (int64_t k = 0; k < c; k++)
            t0 = fmax(t0, r[k].last);
    }
    sim_free(s);
    /* the inference phase's timestamps from its send */
    for (int64_t i = c; i < 2 * c; i++) {
        for (size_t k = 0; k < r[i].ts.n; k++)
            r[i].ts.v[k] -= t0;
        r[i].first -= t0;
        r[i].last -= t0;
    }
}

static struct mean_std ms(struct sample *s)
{
    struct mean_std m = { stats_mean(s->v, s->n), stats_pstd(s->v, s->n) };
    return m;
}

double benchy_prompt_tokens(double server_tokens, double expected_tokens)
{
    return fabs(server_tokens - expected_tokens) < 0.2 * expected_tokens ? server_tokens
                                                                          : expected_tokens;
}

void benchy_acc_init(struct benchy_acc *acc, int64_t c, double latency_s)
{
    memset(acc, 0, sizeof *acc);
    acc->c = c;
    acc->latency_s = latency_s;
}

void benchy_acc_batch(struct benchy_acc *acc, const struct benchy_times *r, double prompt_tokens)
{
    double max_first = 0, min_first = INFINITY, max_last = 0, sum_d = 0;
    struct sample all = { 0 };
    size_t *ends = xcalloc((size_t)acc->c + 1, sizeof *ends), n_runs = 0;
    for (int64_t i = 0; i < acc->c; i++) {
        const struct benchy_times *q = &r[i];
        if (q->n == 0)
            continue;
        double first = q->ts[0], last = q->ts[q->n - 1];
        sample_push(&acc->ttfr, first * 1e3);
        double e = fmax(0.0, first - acc->latency_s);
        sample_push(&acc->est, e * 1e3);
        if (e > 0) /* est_ppt = 0 is left out, not infinite */
            sample_push(&acc->pp_req, prompt_tokens / e);
        double d = 0; /* timestamps strictly later than the first */
        for (size_t k = 1; k < q->n; k++)
            d += q->ts[k] > first;
        if (q->n >= 2 && last > first)
            sample_push(&acc->tg_req, d / (last - first));
        sample_push(&acc->peak_r, metric_peak_per_s(q->ts, q->n));
        sum_d += d;
        max_first = fmax(max_first, first);
        min_first = fmin(min_first, first);
        max_last = fmax(max_last, last);
        for (size_t k = 0; k < q->n; k++)
            sample_push(&all, q->ts[k]);
        ends[n_runs++] = all.n;  /* each request's timestamps ascend */
    }
    if (acc->c > 1) {
        if (max_first > 0)
            sample_push(&acc->pp_total, prompt_tokens * (double)acc->c / max_first);
        if (max_last > min_first)
            sample_push(&acc->tg_total, sum_d / (max_last - min_first));
    }
    stats_merge_runs(all.v, all.n, ends, n_runs);
    sample_push(&acc->peak_b, metric_peak_per_s(all.v, all.n));
    sample_release(&all);
    free(ends);
}

void benchy_acc_finish(struct benchy_acc *acc, struct benchy_row *row)
{
    row->pp_tps_req = ms(&acc->pp_req);
    row->pp_tps_total = acc->c > 1 ? ms(&acc->pp_total) : row->pp_tps_req;
    row->ttfr_ms = ms(&acc->ttfr);
    row->e2e_ttft_ms = row->ttfr_ms; /* the role chunk comes with the first token */
    row->est_ppt_ms = ms(&acc->est);
    row->tg_tps_req = ms(&acc->tg_req);
    row->tg_tps_total = acc->c > 1 ? ms(&acc->tg_total) : row->tg_tps_req;
    row->tg_peak_tps = ms(&acc->peak_b);
    row->tg_peak_tps_req = ms(&acc->peak_r);
    sample_release(&acc->pp_total);
    sample_release(&acc->pp_req);
    sample_release(&acc->ttfr);
    sample_release(&acc->est);
    sample_release(&acc->tg_total);
    sample_release(&acc->tg_req);
    sample_release(&acc->peak_b);
    sample_release(&acc->peak_r);
}

int benchy_run(const struct deploy *d, const struct benchy_args *a, struct benchy_row *row,
               struct cs_err *err)
{
    return benchy_run_phases(d, a, NULL, row, err);
}

int benchy_run_phases(const struct deploy *d, const struct benchy_args *a,
                      struct benchy_row *ctx_row, struct benchy_row *row, struct cs_err *err)
{
    memset(row, 0, sizeof *row);
    bool two = a->prefix_caching && a->depth > 0;
    if (two && !ctx_row)
        return cs_err_set(err, CS_EUSAGE, "benchy: the context-load phase needs a row");
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

    /* The client's own count (GPT-2 tokens of the text it sent) against
     * the server's usage.prompt_tokens. */
    double expected = a->depth == 0 ? fmax(1.0, (double)a->pp - a->delta_user)
                                    : fmax(1.0, (double)a->depth - a->delta_context) + (double)a->pp;
    double counted = benchy_prompt_tokens(n_prompt, expected);
    int64_t c = a->concurrency;
    if (two) {
        /* runner.py: the load phase counts the context (expected_ctx), the
         * inference phase the prompt alone (expected_pp) */
        double ctx_text = fmax(1.0, (double)a->depth - a->delta_context);
        uint32_t ctx_tokens = (uint32_t)lround(ctx_text * a->prompt_token_ratio);
        /* the load request: context, template, a short user message (one
         * token here: its length is not in capsim's inputs) */
        uint32_t load = (uint32_t)lround(ctx_text * a->prompt_token_ratio + a->delta_context) + 1;
        memset(ctx_row, 0, sizeof *ctx_row);
        ctx_row->latency_ms = row->latency_ms;
        ctx_row->prompt_tokens = load;
        struct breq *r = xcalloc((size_t)(2 * c), sizeof *r);
        struct benchy_times *t = xcalloc((size_t)c, sizeof *t);
        struct benchy_acc acc_ctx, acc_inf;
        benchy_acc_init(&acc_ctx, c, L);
        benchy_acc_init(&acc_inf, c, L);
        for (int64_t run = 0; run < a->runs; run++) {
            run_two_phase(d, c, ctx_tokens, load, n_prompt, (uint32_t)a->tg, (uint64_t)run, r);
            for (int ph = 0; ph < 2; ph++) {
                for (int64_t i = 0; i < c; i++)
                    t[i] = (struct benchy_times){ r[ph * c + i].ts.v, r[ph * c + i].ts.n };
                if (ph == 0)
                    benchy_acc_batch(&acc_ctx, t, benchy_prompt_tokens(load, ctx_text));
                else
                    benchy_acc_batch(&acc_inf, t, benchy_prompt_tokens(n_prompt, (double)a->pp));
            }
            for (int64_t i = 0; i < 2 * c; i++)
                sample_release(&r[i].ts);
        }
        benchy_acc_finish(&acc_ctx, ctx_row);
        benchy_acc_finish(&acc_inf, row);
        free(t);
        free(r);
        return CS_OK;
    }
    struct breq *r = xcalloc((size_t)c, sizeof *r);
    struct benchy_times *t = xcalloc((size_t)c, sizeof *t);
    struct benchy_acc acc;
    benchy_acc_init(&acc, c, L);
    /* The warm-up batch is identical and discarded: the engine is idle
     * again afterwards, so simulating it would change nothing. */
    for (int64_t run = 0; run < a->runs; run++) {
        run_batch(d, c, n_prompt, (uint32_t)a->tg, r);
        for (int64_t i = 0; i < c; i++)
            t[i] = (struct benchy_times){ r[i].ts.v, r[i].ts.n };
        benchy_acc_batch(&acc, t, counted);
        for (int64_t i = 0; i < c; i++)
            sample_release(&r[i].ts);
    }
    benchy_acc_finish(&acc, row);
    free(t);
    free(r);
    return CS_OK;
}
