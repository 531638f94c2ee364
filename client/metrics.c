#include "client/metrics.h"

#include <math.h>
#include <stdlib.h>

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
    out->std = stats_pstd(s->v, s->n);
    stats_sort(s->v, s->n);
    out->median = stats_percentile_sorted(s->v, s->n, 50);
    for (size_t i = 0; i < n_pcts && i < METRIC_MAX_PCT; i++)
        out->pct[i] = stats_percentile_sorted(s->v, s->n, pcts[i]);
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
