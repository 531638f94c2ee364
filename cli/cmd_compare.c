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
#include "cli/opts.h"
#include "common/json.h"
#include "plots/plot.h"
#include "scenarios/capacity.h"
#include "scenarios/office.h"

#define MAX_PREC 6

struct cmp_ctx {
    const struct scenario *s;
    const struct deploy *d;
    const char *prec;
    bool progress;
};

static int pass_all(int64_t employees, void *ud, bool *pass, double *v, struct cs_err *err)
{
    struct cmp_ctx *c = ud;
    if (c->progress)
        fprintf(stderr, "\rcapsim compare: %s, capacity, trying %lld employees...      ", c->prec,
                (long long)employees);
    struct office_result r;
    int rc = office_run(c->s, c->d, employees, c->s->seed, &r, err);
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
    int64_t capacity;       /* -1: not searched */
};

static int draw(const struct cmp_row *rows, size_t n, const struct scenario *s, const char *plot,
                const char *script, struct cs_err *err)
{
    /* one chart, one scale: each quantity relative to the first precision */
    double y[5][MAX_PREC];
    const char *cats[MAX_PREC];
    for (size_t i = 0; i < n; i++) {
        cats[i] = rows[i].name;
        y[0][i] = 100 * rows[i].weights_gib / rows[0].weights_gib;
        y[1][i] = 100 * rows[i].kv_tokens / rows[0].kv_tokens;
        y[2][i] = 100 * rows[i].ttft.pct[1] / rows[0].ttft.pct[1];
        y[3][i] = 100 * rows[i].tpot.pct[1] / rows[0].tpot.pct[1];
        y[4][i] = rows[0].capacity > 0 ? 100.0 * (double)rows[i].capacity / (double)rows[0].capacity : 0;
    }
    struct plot_series ser[5] = { { "weights", NULL, y[0], 0, false, 0 },
                                  { "KV cache tokens", NULL, y[1], 0, false, 0 },
                                  { "p95 TTFT", NULL, y[2], 0, false, 0 },
                                  { "p95 TPOT", NULL, y[3], 0, false, 0 },
                                  { "capacity (employees)", NULL, y[4], 0, false, 0 } };
    char title[300], ylabel[64];
    snprintf(title, sizeof title, "%s on %s, scenario %s", s->model, s->hardware, s->name);
    snprintf(ylabel, sizeof ylabel, "%% of %s", rows[0].name);
    struct plot_spec ps = { .title = title, .xlabel = "precision", .ylabel = ylabel, .n = n,
                            .series = ser, .n_series = rows[0].capacity >= 0 ? 5 : 4,
                            .bars = true, .categories = cats };
    return plot_draw(&ps, plot, script, err);
}

int cmd_compare(int argc, char **argv)
{
    const char *model = NULL, *precs = "bf16,fp8,nvfp4", *scen_name = "office-25", *kv = NULL;
    const char *plot = NULL, *script = NULL;
    int64_t max_emp = 5000;
    bool json = false, no_capacity = false;
    struct opt table[] = {
        { "model", OPT_STRING, &model, 0, 0, "model [the scenario's]", false },
        { "precisions", OPT_STRING, &precs, 0, 0, "comma list [bf16,fp8,nvfp4]", false },
        { "kv-cache-dtype", OPT_STRING, &kv, 0, 0, "override the scenario's KV cache dtype", false },
        { "scenario", OPT_STRING, &scen_name, 0, 0, "preset or file [office-25]", false },
        { "no-capacity", OPT_FLAG, &no_capacity, 0, 0, "skip the capacity search", false },
        { "max-employees", OPT_INT, &max_emp, 1, 1e6, "capacity search no further [5000]", false },
        { "json", OPT_FLAG, &json, 0, 0, "print JSON", false },
        { "plot", OPT_STRING, &plot, 0, 0, "bar chart FILE.png or FILE.svg", false },
        { "plot-script", OPT_STRING, &script, 0, 0, "write the gnuplot script and data to FILE", false },
    };
    const char *pos[1];
    size_t n_pos;
    struct cs_err err = { 0 };
    int status;
    if (cli_parse("compare", "--model M --precisions bf16,fp8,nvfp4 --scenario FILE", table, CS_ARRAY_LEN(table), argc, argv, pos, 0, &n_pos,
                  &status))
        return status;
    struct scenario s;
    if (scenario_load(scen_name, &s, &err))
        return cli_fail("compare", &err);
    if (model)
        snprintf(s.model, sizeof s.model, "%s", model);
    if (kv)
        snprintf(s.kv_cache_dtype, sizeof s.kv_cache_dtype, "%s", kv);
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
        snprintf(s.precision, sizeof s.precision, "%s", w->name);
        struct deploy_args da;
        office_deploy_args(&s, &da);
        struct deploy *d;
        if ((rc = deploy_new(&da, &d, &err)))
            break;
        if ((rc = scenario_check_context(&s, d->cfg.max_model_len, &err))) {
            deploy_free(d);
            break;
        }
        w->weights_gib = d->mem.weights_bytes / 1073741824.0;
        w->kv_tokens = (double)d->mem.kv_cache_tokens;
        w->conc = memory_max_concurrency(&d->mem, (int64_t)max_ctx);
        if (progress)
            fprintf(stderr, "\rcapsim compare: %s, the scenario's day...                    ", w->name);
        struct office_result r;
        rc = office_run(&s, d, 0, s.seed, &r, &err);
        if (!rc) {
            w->ttft = r.all.ttft_ms;
            w->tpot = r.all.tpot_ms;
            w->req_per_hour = r.achieved_rate * 3600.0;
            w->slos_met = r.all_slos_met;
            office_result_release(&r);
        }
        w->capacity = -1;
        if (!rc && !no_capacity) {
            struct cmp_ctx c = { &s, d, w->name, progress };
            struct capacity_curve cv;
            rc = capacity_search(pass_all, &c, s.employees, max_emp, &w->capacity, &cv, &err);
        }
        deploy_free(d);
    }
    if (progress)
        fprintf(stderr, "\r%70s\r", "");
    if (rc)
        return cli_fail("compare", &err);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "scenario", s.name);
        cJSON_AddStringToObject(o, "model", s.model);
        cJSON_AddStringToObject(o, "profile", s.hardware);
        json_add_int(o, "employees", s.employees);
        json_add_int(o, "seed", s.seed);
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
            json_add_fixed(x, "p50_ttft_ms", w->ttft.pct[0], 2);
            json_add_fixed(x, "p95_ttft_ms", w->ttft.pct[1], 2);
            json_add_fixed(x, "p99_ttft_ms", w->ttft.pct[2], 2);
            json_add_fixed(x, "p50_tpot_ms", w->tpot.pct[0], 2);
            json_add_fixed(x, "p95_tpot_ms", w->tpot.pct[1], 2);
            json_add_fixed(x, "p99_tpot_ms", w->tpot.pct[2], 2);
            json_add_fixed(x, "requests_per_hour", w->req_per_hour, 1);
            cJSON_AddBoolToObject(x, "all_slos_met", w->slos_met);
            if (w->capacity < 0)
                cJSON_AddNullToObject(x, "capacity_employees");
            else
                json_add_int(x, "capacity_employees", w->capacity);
        }
        if (json_write(stdout, o, &err))
            return cli_fail("compare", &err);
    } else {
        printf("capsim compare: %s on %s, scenario %s (%lld employees, longest context %.0f tokens, "
               "seed %lld)\n\n",
               s.model, s.hardware, s.name, (long long)s.employees, max_ctx, (long long)s.seed);
        printf("%-9s %8s %10s %8s %8s %8s %8s %8s %8s %8s %8s %4s %9s\n", "", "weights", "KV cache",
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
            else
                printf("%9lld\n", (long long)w->capacity);
        }
        if (!no_capacity)
            printf("\ncapacity: most employees meeting every SLO of the scenario (seed %lld; "
                   "'capsim capacity --seeds N' for an interval)\n",
                   (long long)s.seed);
    }
    if (plot || script) {
        rc = draw(rows, n, &s, plot, script, &err);
        if (rc)
            return cli_fail("compare", &err);
    }
    return 0;
}
