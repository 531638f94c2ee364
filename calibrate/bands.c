/*
 * bands.c - 80% error bands and their left-out coverage.
 */
#include "calibrate/bands.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/stats.h"
#include "common/xalloc.h"

static const char *const band_names[] = { [BAND_TTFT] = "TTFT", [BAND_TPOT] = "TPOT" };

const char *band_metric_name(enum band_metric m)
{
    return (unsigned)m < BAND_COUNT ? band_names[m] : "?";
}

/* The groups a band pools; `rate`: the group is a rate, so measured time
 * over predicted time is predicted / measured. */
static const struct {
    enum band_metric band;
    enum vgroup group;
    bool rate;
} members[] = {
    { BAND_TTFT, VG_CLOSED_TTFT, false }, { BAND_TTFT, VG_P50_TTFT, false },
    { BAND_TTFT, VG_P95_TTFT, false },    { BAND_TTFT, VG_P99_TTFT, false },
    { BAND_TPOT, VG_P50_TPOT, false },    { BAND_TPOT, VG_P95_TPOT, false },
    { BAND_TPOT, VG_TG_REQ, true },
};

struct bcase {
    double ratio;    /* measured / predicted, as time */
    size_t model;    /* index of the run's model */
};

/* Every case of band b, with its model's index. */
static size_t gather(const struct validation *v, enum band_metric b, const size_t *model_of_run,
                     struct bcase *out, double *scratch)
{
    const struct arena *a = v->arena;
    size_t n = 0;
    for (size_t k = 0; k < sizeof members / sizeof members[0]; k++) {
        if (members[k].band != b)
            continue;
        for (size_t run = 0; run < a->n_runs; run++) {
            size_t m = validate_run_errors(v, members[k].group, run, scratch);
            for (size_t i = 0; i < m; i++) {
                double pm = 1.0 + scratch[i] / 100.0; /* predicted / measured */
                if (!(pm > 0))
                    continue;
                out[n++] = (struct bcase){ members[k].rate ? pm : 1.0 / pm, model_of_run[run] };
            }
        }
    }
    return n;
}

/* 10th and 90th percentile of the cases, leaving out model `skip`
 * (SIZE_MAX: none). */
static void band_of(const struct bcase *c, size_t n, size_t skip, double *tmp, double *lo, double *hi)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (c[i].model != skip)
            tmp[m++] = c[i].ratio;
    stats_sort(tmp, m);
    *lo = m ? stats_percentile_sorted(tmp, m, 10.0) : NAN;
    *hi = m ? stats_percentile_sorted(tmp, m, 90.0) : NAN;
}

int bands_compute(const struct validation *v, struct band_fit out[BAND_COUNT], struct cs_err *err)
{
    const struct arena *a = v->arena;
    size_t cap = a->n_closed + a->n_open + 1;
    size_t *model_of_run = xcalloc(a->n_runs + 1, sizeof *model_of_run);
    size_t n_models = 0;
    for (size_t r = 0; r < a->n_runs; r++) {
        size_t m = 0;
        while (m < r && strcmp(a->runs[m].model, a->runs[r].model) != 0)
            m++;
        model_of_run[r] = m < r ? model_of_run[m] : n_models++;
    }
    struct bcase *c = xcalloc(cap * 4, sizeof *c);
    double *scratch = xcalloc(cap, sizeof *scratch), *tmp = xcalloc(cap * 4, sizeof *tmp);
    int rc = CS_OK;
    for (int b = 0; b < BAND_COUNT; b++) {
        size_t n = gather(v, (enum band_metric)b, model_of_run, c, scratch);
        if (n < 10) {
            rc = cs_err_set(err, CS_ENUM, "bands: %zu %s cases, too few for a 10-90%% band", n, band_names[b]);
            break;
        }
        out[b].n = n;
        band_of(c, n, SIZE_MAX, tmp, &out[b].lo, &out[b].hi);
        size_t inside = 0, judged = 0;
        for (size_t m = 0; m < n_models; m++) {
            double lo, hi;
            band_of(c, n, m, tmp, &lo, &hi);
            for (size_t i = 0; i < n; i++)
                if (c[i].model == m && !isnan(lo)) {
                    judged++;
                    inside += c[i].ratio >= lo && c[i].ratio <= hi;
                }
        }
        out[b].coverage = judged ? (double)inside / judged : NAN;
    }
    free(c);
    free(scratch);
    free(tmp);
    free(model_of_run);
    return rc;
}

void bands_print(const struct band_fit b[BAND_COUNT], FILE *f)
{
    fprintf(f, "\n80%% error bands (measured / predicted, 10th-90th percentile):\n");
    fprintf(f, "%-6s %6s %7s %7s  %s\n", "metric", "cases", "lo", "hi", "coverage, each model's band built without it");
    for (int i = 0; i < BAND_COUNT; i++)
        fprintf(f, "%-6s %6zu %7.3f %7.3f  %.1f%%\n", band_names[i], b[i].n, b[i].lo, b[i].hi,
                100.0 * b[i].coverage);
}

void bands_apply(const struct band_fit b[BAND_COUNT], const char *what, struct profile *p)
{
    static const enum prof_key keys[BAND_COUNT][2] = {
        [BAND_TTFT] = { PROF_BAND_TTFT_LO, PROF_BAND_TTFT_HI },
        [BAND_TPOT] = { PROF_BAND_TPOT_LO, PROF_BAND_TPOT_HI },
    };
    for (int i = 0; i < BAND_COUNT; i++) {
        p->v[keys[i][0]] = b[i].lo;
        p->v[keys[i][1]] = b[i].hi;
        for (int j = 0; j < 2; j++)
            snprintf(p->source[keys[i][j]], sizeof p->source[0],
                     "validated: %s, %zu cases, 10th/90th percentile of measured/predicted; "
                     "left-out coverage %.0f%%", what, b[i].n, 100.0 * b[i].coverage);
    }
}
