/*
 * cmd_compare.c - capsim compare: precisions side by side for one model
 * and scenario: memory (weights, KV tokens, concurrency at the scenario's
 * longest context), latency percentiles over the scenario's day, and
 * capacity under its SLOs. The same seed for every precision, so the
 * differences are the precisions', not the workload's.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/scenario_opts.h"
#include "cli/server_opts.h"
#include "common/json.h"
#include "common/stats.h"
#include "report/basis.h"
#include "plots/plot.h"
#include "scenarios/capacity.h"
#include "scenarios/office.h"

#define MAX_PREC 6
#define MAX_SEEDS 100

struct cmp_ctx {
    const struct scenario *s;
    const struct deploy *d;
    const char *prec;
    int64_t seed;
    bool progress;
};

static int pass_all(int64_t employees, void *ud, bool *pass, double *v, struct cs_err *err)
{
    struct cmp_ctx *c = ud;
    if (c->progress)
        fprintf(stderr, "\rcapsim compare: %s, capacity, trying %lld employees...      ", c->prec,
                (long long)employees);
    struct office_result r;
    int rc = office_run(c->s, c->d, employees, c->seed, &r, err);
    if (rc)
        return rc;
    *pass = r.all_slos_met;
    *v = r.all.ttft_ms.pct[1];
    office_result_release(&r);
    return CS_OK;
}

struct cmp_row {
    char name[16];
    double weights_gib, kv_tokens, conc;
    struct metric_summary ttft, tpot;
    double req_per_hour;
    bool slos_met;
    double capacity;        /* mean over seeds; -1: not searched */
    double capacity_lo, capacity_hi;   /* range over seeds */
    char why_zero[160];     /* when a seed's capacity is 0: what one employee misses */
    struct deploy_settings settings;
    struct basis basis;     /* checkpoint, kernels and priors behind the row */
};

/* Capacity 0 says nothing by itself: name what one employee alone
 * misses, or that a request does not fit memory. */
static int explain_zero(const struct cmp_ctx *c, char *buf, size_t n, struct cs_err *err)
{
    struct office_result r;
    int rc = office_run(c->s, c->d, 1, c->seed, &r, err);
    if (rc)
        return rc;
    char binding[128];
    office_binding(c->s, &r, binding, sizeof binding);
    if (r.rejected)
        snprintf(buf, n, "memory: %s", binding);
    else if (r.overloaded)
        snprintf(buf, n, "one employee alone overloads the server");
    else
        snprintf(buf, n, "one employee alone misses %s", binding);
    office_result_release(&r);
    return CS_OK;
}

/* One panel per quantity, each in its own unit and on its own scale, the
 * value on every bar: a precision whose capacity is 0 still has its
 * other bars, and nothing is relative to a first precision that may be 0. */
static int draw(const struct cmp_row *rows, size_t n, const struct scenario *s, const char *plot,
                const char *script, struct cs_err *err)
{
    double y[5][MAX_PREC];
    const char *cats[MAX_PREC];
    for (size_t i = 0; i < n; i++) {
        cats[i] = rows[i].name;
        y[0][i] = rows[i].weights_gib;
        y[1][i] = rows[i].kv_tokens;
        y[2][i] = rows[i].ttft.pct[1];
        y[3][i] = rows[i].tpot.pct[1];
        y[4][i] = rows[i].capacity > 0 ? rows[i].capacity : 0;
    }
    struct plot_series ser[5] = {
        { "weights (GiB; lower is better)", NULL, y[0], 0, false, 0 },
        { "KV cache (tokens; higher is better)", NULL, y[1], 0, false, 0 },
        { "p95 TTFT over the day (ms; lower is better)", NULL, y[2], 0, false, 0 },
        { "p95 TPOT over the day (ms; lower is better)", NULL, y[3], 0, false, 0 },
        { "capacity (employees; higher is better)", NULL, y[4], 0, false, 0 } };
    const struct deploy_settings *d = &rows[0].settings;
    char title[512], names[160] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%.15s",
                 i ? " vs " : "", rows[i].name);
    snprintf(title, sizeof title, "%s on %s: %s (KV cache %s), scenario %s", d->model, d->hardware,
             names, d->kv_cache_dtype, s->name);
    struct plot_spec ps = { .title = title, .xlabel = "precision", .ylabel = "", .n = n,
                            .series = ser, .n_series = rows[0].capacity >= 0 ? 5 : 4,
                            .bars = true, .bar_panels = true, .categories = cats };
    return plot_draw(&ps, plot, script, err);
}

int cmd_compare(int argc, char **argv)
{
    struct server_flags sf = SERVER_FLAGS_INIT;
    struct scenario_flags scf = SCENARIO_FLAGS_INIT;
    const char *precs = "bf16,fp8,nvfp4";
    const char *plot = NULL, *script = NULL;
    int64_t max_emp = 5000, seeds = 1;
    bool json = false, no_capacity = false;
    struct opt table[] = {
        { "precisions", OPT_STRING, &precs, 0, 0, "comma list [bf16,fp8,nvfp4]", false },
        SCENARIO_OPTS(scf),
        SERVER_OPTS(sf),
        { "seeds", OPT_INT, &seeds, 1, MAX_SEEDS, "capacity: mean over N seeds from --seed [1]", false },
        { "no-capacity", OPT_FLAG, &no_capacity, 0, 0, "skip the capacity search", false },
        { "max-employees", OPT_INT, &max_emp, 1, 1e6, "capacity search no further [5000]", false },
        { "json", OPT_FLAG, &json, 0, 0, "print JSON", false },
        { "plot", OPT_STRING, &plot, 0, 0, "bar charts, FILE.png, FILE.svg or FILE.pdf", false },
        { "plot-script", OPT_STRING, &script, 0, 0, "write the gnuplot script and data to FILE", false },
    };
    const char *pos[1];
    size_t n_pos;
    struct cs_err err = { 0 };
    int status;
    if (cli_parse("compare", "--model M --precisions bf16,fp8,nvfp4 [--scenario S] [options]", table,
                  CS_ARRAY_LEN(table), argc, argv, pos, 0, &n_pos, &status))
        return status;
    if (sf.precision) {
        cs_err_set(&err, CS_EUSAGE, "compare: --precision: compare runs each of --precisions "
                   "(got '%s'; try --precisions %s)", sf.precision, sf.precision);
        return cli_fail("compare", &err);
    }
    /* a picture name capsim cannot draw fails before the simulation */
    if (plot_check_name(plot, &err))
        return cli_fail("compare", &err);
    struct scenario s;
    if (scenario_opts_load("compare", &scf, NULL, &s, &err))
        return cli_fail("compare", &err);
    int64_t office = scf.employees > 0 ? scf.employees : s.employees;
    struct cmp_row rows[MAX_PREC];
    memset(rows, 0, sizeof rows);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", precs);
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (n == MAX_PREC || strlen(t) >= sizeof rows[0].name) {
            cs_err_set(&err, CS_EUSAGE, "compare: --precisions: at most %d names like bf16 (got '%s')",
                       MAX_PREC, precs);
            return cli_fail("compare", &err);
        }
        snprintf(rows[n++].name, sizeof rows[0].name, "%s", t);
    }
    if (n == 0) {
        cs_err_set(&err, CS_EUSAGE, "compare: --precisions: empty (got '%s')", precs);
        return cli_fail("compare", &err);
    }
    double max_ctx = scenario_max_context(&s);
    bool progress = isatty(STDERR_FILENO);
    int rc = CS_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        struct cmp_row *w = &rows[i];
        struct deploy_args da;
        office_deploy_args(&s, &da);
        if ((rc = server_flags_apply(&sf, &da, &err)))
            break;
        da.precision = w->name;
        struct deploy *d;
        if ((rc = office_deploy(&s, &da, &d, &err))) {
            cs_err_prefix(&err, "compare: %s", w->name);
            break;
        }
        w->settings = d->settings;
        basis_of(d, &w->basis);
        w->weights_gib = d->mem.weights_bytes / 1073741824.0;
        w->kv_tokens = (double)d->mem.kv_cache_tokens;
        w->conc = memory_max_concurrency(&d->mem, (int64_t)max_ctx);
        if (progress)
            fprintf(stderr, "\rcapsim compare: %s, the scenario's day...                    ", w->name);
        struct office_result r;
        rc = office_run(&s, d, office, s.seed, &r, &err);
        if (!rc) {
            w->ttft = r.all.ttft_ms;
            w->tpot = r.all.tpot_ms;
            w->req_per_hour = r.achieved_rate * 3600.0;
            w->slos_met = r.all_slos_met;
            office_result_release(&r);
        }
        w->capacity = -1;
        if (!rc && !no_capacity) {
            double caps[MAX_SEEDS];
            for (int64_t k = 0; k < seeds && !rc; k++) {
                struct cmp_ctx c = { &s, d, w->name, s.seed + k, progress };
                struct capacity_curve cv;
                int64_t cap = 0;
                rc = capacity_search(pass_all, &c, office, max_emp, &cap, &cv, &err);
                caps[k] = (double)cap;
                if (!rc && cap == 0 && !w->why_zero[0])
                    rc = explain_zero(&c, w->why_zero, sizeof w->why_zero, &err);
            }
            if (!rc) {
                w->capacity = stats_mean(caps, (size_t)seeds);
                stats_sort(caps, (size_t)seeds);
                w->capacity_lo = caps[0];
                w->capacity_hi = caps[seeds - 1];
            }
        }
        deploy_free(d);
    }
    if (progress)
        fprintf(stderr, "\r%70s\r", "");
    if (rc)
        return cli_fail("compare", &err);
    /* the settings line: every row's, with the precisions as a list */
    struct deploy_settings all = rows[0].settings;
    snprintf(all.precision, sizeof all.precision, "%s", precs);
    const char *model = rows[0].settings.model, *hw = rows[0].settings.hardware;
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "scenario", s.name);
        cJSON_AddStringToObject(o, "model", model);
        cJSON_AddStringToObject(o, "profile", hw);
        cJSON_AddItemToObject(o, "server", deploy_settings_json(&all));
        json_add_int(o, "employees", office);
        json_add_int(o, "seed", s.seed);
        json_add_int(o, "seeds", seeds);
        json_add_fixed(o, "context_tokens", max_ctx, 0);
        cJSON *arr = cJSON_AddArrayToObject(o, "precisions");
        for (size_t i = 0; i < n; i++) {
            const struct cmp_row *w = &rows[i];
            cJSON *x = cJSON_CreateObject();
            cJSON_AddItemToArray(arr, x);
            cJSON_AddStringToObject(x, "precision", w->name);
            json_add_fixed(x, "weights_gib", w->weights_gib, 3);
            json_add_fixed(x, "kv_cache_tokens", w->kv_tokens, 0);
            json_add_fixed(x, "max_concurrency_at_context", w->conc, 2);
            basis_add_band_json(x, "p50_ttft_ms", &w->basis, BAND_TTFT, w->ttft.pct[0], 2);
            basis_add_band_json(x, "p95_ttft_ms", &w->basis, BAND_TTFT, w->ttft.pct[1], 2);
            basis_add_band_json(x, "p99_ttft_ms", &w->basis, BAND_TTFT, w->ttft.pct[2], 2);
            basis_add_band_json(x, "p50_tpot_ms", &w->basis, BAND_TPOT, w->tpot.pct[0], 2);
            basis_add_band_json(x, "p95_tpot_ms", &w->basis, BAND_TPOT, w->tpot.pct[1], 2);
            basis_add_band_json(x, "p99_tpot_ms", &w->basis, BAND_TPOT, w->tpot.pct[2], 2);
            json_add_fixed(x, "requests_per_hour", w->req_per_hour, 1);
            cJSON_AddBoolToObject(x, "all_slos_met", w->slos_met);
            if (w->capacity < 0)
                cJSON_AddNullToObject(x, "capacity_employees");
            else if (seeds > 1)
                json_add_fixed(x, "capacity_employees", w->capacity, 2);
            else
                json_add_int(x, "capacity_employees", (int64_t)w->capacity);
            if (w->why_zero[0])
                cJSON_AddStringToObject(x, "capacity_zero_reason", w->why_zero);
            if (basis_add_json(x, &w->basis, &err)) {
                cJSON_Delete(o);
                return cli_fail("compare", &err);
            }
        }
        if (json_write(stdout, o, &err))
            return cli_fail("compare", &err);
    } else {
        printf("capsim compare: %s on %s, scenario %s (%lld employees, longest context %.0f tokens, "
               "seed %lld)\n",
               model, hw, s.name, (long long)office, max_ctx, (long long)s.seed);
        server_print_settings(stdout, &all);
        printf("\n%-9s %8s %10s %8s %8s %8s %8s %8s %8s %8s %8s %4s %9s\n", "", "weights", "KV cache",
               "max conc", "TTFT ms", "", "", "TPOT ms", "", "", "", "SLOs", "capacity");
        printf("%-9s %8s %10s %8s %8s %8s %8s %8s %8s %8s %8s %4s %9s\n", "precision", "GiB",
               "tokens", "at ctx", "p50", "p95", "p99", "p50", "p95", "p99", "req/hour", "met",
               "employees");
        for (size_t i = 0; i < n; i++) {
            const struct cmp_row *w = &rows[i];
            printf("%-9s %8.1f %10.0f %8.1f %8.0f %8.0f %8.0f %8.1f %8.1f %8.1f %8.0f %4s ", w->name,
                   w->weights_gib, w->kv_tokens, w->conc, w->ttft.pct[0], w->ttft.pct[1],
                   w->ttft.pct[2], w->tpot.pct[0], w->tpot.pct[1], w->tpot.pct[2], w->req_per_hour,
                   w->slos_met ? "yes" : "no");
            if (w->capacity < 0)
                printf("%9s\n", "-");
            else if (seeds > 1)
                printf("%9.1f\n", w->capacity);
            else
                printf("%9.0f\n", w->capacity);
        }
        if (!no_capacity) {
            printf("\ncapacity: most employees meeting every SLO of the scenario (");
            if (seeds > 1)
                printf("mean over seeds %lld-%lld)\n", (long long)s.seed,
                       (long long)(s.seed + seeds - 1));
            else
                printf("seed %lld; --seeds N for a mean)\n", (long long)s.seed);
            for (size_t i = 0; i < n; i++)
                if (rows[i].why_zero[0])
                    printf("%s: capacity 0%s: %s\n", rows[i].name, seeds > 1 ? " on a seed" : "",
                           rows[i].why_zero);
        }
        for (size_t i = 0; i < n; i++) {
            char ttft[64], tpot[64];
            basis_format_band(&rows[i].basis, BAND_TTFT, rows[i].ttft.pct[1], ttft, sizeof ttft);
            basis_format_band(&rows[i].basis, BAND_TPOT, rows[i].tpot.pct[1], tpot, sizeof tpot);
            printf("\n%s: p95 TTFT %s, p95 TPOT %s (80%% bands)\n", rows[i].name, ttft, tpot);
            basis_print(stdout, &rows[i].basis);
        }
    }
    if (plot || script) {
        rc = draw(rows, n, &s, plot, script, &err);
        if (rc)
            return cli_fail("compare", &err);
    }
    return 0;
}
