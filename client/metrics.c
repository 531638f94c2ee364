#include "client/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/stats.h"
#include "common/xalloc.h"

void sample_push(struct sample *s, double x)
{
    xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = x;
}

void sample_release(struct sample *s)
{
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

void metric_summarize(struct sample *s, const double *pcts, size_t n_pcts,
                      struct metric_summary *out)
{
    out->mean = stats_mean(s->v, s->n);
    out->std = stats_pstd_about(s->v, s->n, out->mean);
    out->median = stats_percentile(s->v, s->n, 50);
    for (size_t i = 0; i < n_pcts && i < METRIC_MAX_PCT; i++)
        out->pct[i] = pcts[i] == 50 ? out->median : stats_percentile(s->v, s->n, pcts[i]);
}

double metric_peak_per_s(const double *ts, size_t n)
{
    if (n == 0)
        return 0.0;
    double span = ts[n - 1] - ts[0];
    if (span < 1.0)
        return span > 0 ? (double)n / span : 0.0;
    size_t best = 0, lo = 0;
    for (size_t hi = 0; hi < n; hi++) {
        while (ts[lo] <= ts[hi] - 1.0)
            lo++;
        if (hi - lo + 1 > best)
            best = hi - lo + 1;
    }
    return (double)best;
}

int64_t metric_bucket_peak_concurrency(const double *start, const double *end, size_t n)
{
    if (n == 0)
        return 0;
    double t0 = start[0];
    double tmax = end[0];
    for (size_t i = 0; i < n; i++) {
        if (start[i] < t0)
            t0 = start[i];
        if (end[i] > tmax)
            tmax = end[i];
    }
    size_t nb = (size_t)(tmax - t0) + 2;
    int64_t *d = xcalloc(nb + 1, sizeof *d);
    for (size_t i = 0; i < n; i++) {
        size_t a = (size_t)(start[i] - t0), b = (size_t)(end[i] - t0);
        d[a]++;
        d[b + 1]--;
    }
    int64_t cur = 0, best = 0;
    for (size_t i = 0; i < nb; i++) {
        cur += d[i];
        if (cur > best)
            best = cur;
    }
    free(d);
    return best;
}

double metric_bucket_peak_rate(const double *ts, size_t n, double t0)
{
    if (n == 0)
        return 0.0;
    double tmax = ts[0];
    for (size_t i = 1; i < n; i++)
        if (ts[i] > tmax)
            tmax = ts[i];
    size_t nb = (size_t)(tmax - t0) + 1;
    int64_t *b = xcalloc(nb, sizeof *b), best = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)(ts[i] - t0);
        if (++b[k] > best)
            best = b[k];
    }
    free(b);
    return (double)best;
}

void metric_buckets_add(struct metric_buckets *b, double t)
{
    size_t k = t > b->t0 ? (size_t)(t - b->t0) : 0;
    if (k >= b->len) {
        xgrow((void **)&b->n, &b->cap, k + 1, sizeof *b->n);
        memset(b->n + b->len, 0, (k + 1 - b->len) * sizeof *b->n);
        b->len = k + 1;
    }
    b->n[k]++;
}

int64_t metric_buckets_max(const struct metric_buckets *b)
{
    int64_t best = 0;
    for (size_t i = 0; i < b->len; i++)
        if (b->n[i] > best)
            best = b->n[i];
    return best;
}

void metric_buckets_release(struct metric_buckets *b)
{
    free(b->n);
    b->n = NULL;
    b->len = b->cap = 0;
}

static bool goodput_met(const struct metric_goodput *g, double ttft_ms, double tpot_ms,
                        double e2el_ms)
{
    return (!g->has_ttft || ttft_ms <= g->ttft_ms) && (!g->has_tpot || tpot_ms <= g->tpot_ms) &&
           (!g->has_e2el || e2el_ms <= g->e2el_ms);
}

void metric_vllm_compute(const struct metric_req *r, size_t n, struct sample *itl_ms,
                         const struct metric_buckets *chunks, const double *pcts,
                         size_t n_pcts, const struct metric_goodput *goodput,
                         struct metric_vllm *out)
{
    memset(out, 0, sizeof *out);
    struct sample ttft = { 0 }, tpot = { 0 }, e2el = { 0 };
    double *starts = xmalloc((n ? n : 1) * sizeof *starts);
    double *ends = xmalloc((n ? n : 1) * sizeof *ends);
    size_t n_ok = 0;
    int64_t good = 0;
    out->has_goodput = goodput && (goodput->has_ttft || goodput->has_tpot || goodput->has_e2el);
    for (size_t i = 0; i < n; i++) {
        const struct metric_req *q = &r[i];
        if (q->n_output == 0) {
            out->failed++;
            continue;
        }
        out->completed++;
        out->total_input_tokens += q->n_prompt;
        out->total_output_tokens += q->n_output;
        double ttft_ms = (q->first_s - q->send_s) * 1e3, e2el_ms = (q->last_s - q->send_s) * 1e3;
        sample_push(&ttft, ttft_ms);
        sample_push(&e2el, e2el_ms);
        /* TPOT leaves the first token out and needs a second one; goodput
         * counts a one-token reply's TPOT as 0. */
        double tpot_ms = 0;
        if (q->n_output > 1) {
            tpot_ms = (q->last_s - q->first_s) * 1e3 / (q->n_output - 1);
            sample_push(&tpot, tpot_ms);
        }
        if (out->has_goodput && goodput_met(goodput, ttft_ms, tpot_ms, e2el_ms))
            good++;
        starts[n_ok] = q->send_s;
        ends[n_ok] = q->last_s;
        n_ok++;
        if (q->last_s > out->duration)
            out->duration = q->last_s;
    }
    if (out->duration > 0) {
        out->request_throughput = (double)out->completed / out->duration;
        out->request_goodput = (double)good / out->duration;
        out->output_throughput = (double)out->total_output_tokens / out->duration;
        out->total_token_throughput =
            (double)(out->total_input_tokens + out->total_output_tokens) / out->duration;
    }
    out->max_output_tokens_per_s = (double)metric_buckets_max(chunks);
    out->max_concurrent_requests = metric_bucket_peak_concurrency(starts, ends, n_ok);
    metric_summarize(&ttft, pcts, n_pcts, &out->ttft_ms);
    metric_summarize(&tpot, pcts, n_pcts, &out->tpot_ms);
    metric_summarize(itl_ms, pcts, n_pcts, &out->itl_ms);
    metric_summarize(&e2el, pcts, n_pcts, &out->e2el_ms);
    sample_release(&ttft);
    sample_release(&tpot);
    sample_release(&e2el);
    free(starts);
    free(ends);
}
