/*
 * cmd_capacity.c - capsim capacity: the most employees a scenario's office
 * can have while every SLO holds, by bisection with common random numbers,
 * repeated over seeds for a spread.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "common/stats.h"
#include "plots/plot.h"
#include "scenarios/capacity.h"
#include "scenarios/office.h"

struct cap_ctx {
    const struct scenario *s;
    const struct deploy *d;
    int64_t seed;
    const struct slo *slos;   /* overall SLOs from the command line (n 0: the scenario's) */
    size_t n_slos;
    char binding[64];
};

static double slo_value(const struct office_task_result *r, const struct slo *sl)
{
    const struct metric_summary *m = sl->metric == SLO_TTFT ? &r->ttft_ms
                                     : sl->metric == SLO_E2EL ? &r->e2el_ms : &r->tpot_ms;
    if (sl->percentile == 0)
        return m->mean;
    if (sl->percentile == 50)
        return m->pct[0];
    if (sl->percentile == 95)
        return m->pct[1];
    if (sl->percentile == 99)
        return m->pct[2];
    return m->pct[1]; /* other percentiles: checked in the scenario's own SLOs */
}

static int pred(int64_t employees, void *ud, bool *pass, double *value, struct cs_err *err)
{
    struct cap_ctx *c = ud;
    if (isatty(STDERR_FILENO)) /* progress only for a person watching */
        fprintf(stderr, "\rcapacity: seed %lld, trying %lld employees...   ", (long long)c->seed,
                (long long)employees);
    struct office_result r;
    int rc = office_run(c->s, c->d, employees, c->seed, &r, err);
    if (rc)
        return rc;
    *pass = r.rejected == 0;
    *value = r.all.ttft_ms.pct[1];
    if (c->n_slos) {
        for (size_t j = 0; j < c->n_slos; j++) {
            double v = slo_value(&r.all, &c->slos[j]);
            if (!slo_met(&c->slos[j], v)) {
                *pass = false;
                snprintf(c->binding, sizeof c->binding, "%s", c->slos[j].text);
            }
        }
    } else if (!r.all_slos_met) {
        *pass = false;
        for (size_t k = 0; k < c->s->n_tasks; k++)
            for (size_t j = 0; j < c->s->tasks[k].n_slos; j++)
                if (r.task[k].requests && !r.task[k].slo_met[j])
                    snprintf(c->binding, sizeof c->binding, "%s: %s", c->s->tasks[k].name,
                             c->s->tasks[k].slos[j].text);
    }
    office_result_release(&r);
    return CS_OK;
}

int cmd_capacity(int argc, char **argv)
{
    const char *scen_name = "office-25", *precision = NULL, *model = NULL, *plot = NULL, *script = NULL;
    struct opt_strings slo_text = { { 0 }, 0 };
    int64_t seeds = 3, max_emp = 5000, seed0 = -1;
    bool json = false;
    struct opt table[] = {
        { "scenario", OPT_STRING, &scen_name, 0, 0, "preset or scenario file [office-25]", false },
        { "slo", OPT_STRINGS, &slo_text, 0, 0, "overall SLO like 'p95_ttft_ms<=5000' [the scenario's per task]", false },
        { "model", OPT_STRING, &model, 0, 0, "override the scenario's model", false },
        { "precision", OPT_STRING, &precision, 0, 0, "override the scenario's precision", false },
        { "seeds", OPT_INT, &seeds, 1, 100, "repeat the search over N seeds [3]", false },
        { "seed", OPT_INT, &seed0, 0, 4294967295.0, "first seed [the scenario's]", false },
        { "max-employees", OPT_INT, &max_emp, 1, 1e6, "search no further [5000]", false },
        { "json", OPT_FLAG, &json, 0, 0, "print JSON", false },
        { "plot", OPT_STRING, &plot, 0, 0, "capacity curve FILE.png|FILE.svg", false },
        { "plot-script", OPT_STRING, &script, 0, 0, "write the gnuplot script instead", false },
    };
    const char *pos[1];
    size_t n_pos = 0;
    bool help;
    struct cs_err err = { 0 };
    if (opts_parse("capacity", table, CS_ARRAY_LEN(table), argc, argv, pos, 1, &n_pos, &help, &err))
        return cli_fail("capacity", &err);
    if (help) {
        opts_usage(stdout, "capacity", "--scenario FILE [--slo 'p95_ttft_ms<=5000' ...]", table,
                   CS_ARRAY_LEN(table));
        return 0;
    }
    if (n_pos)
        scen_name = pos[0];
    struct slo slos[OPT_STRINGS_MAX];
    for (size_t i = 0; i < slo_text.n; i++)
        if (slo_parse(slo_text.v[i], &slos[i], "capacity: --slo", &err))
            return cli_fail("capacity", &err);
    struct scenario s;
    if (scenario_load(scen_name, &s, &err))
        return cli_fail("capacity", &err);
    if (model)
        snprintf(s.model, sizeof s.model, "%s", model);
    if (precision)
        snprintf(s.precision, sizeof s.precision, "%s", precision);
    struct deploy_args da;
    office_deploy_args(&s, &da);
    struct deploy *d;
    if (deploy_new(&da, &d, &err))
        return cli_fail("capacity", &err);
    if (scenario_check_context(&s, d->cfg.max_model_len, &err)) {
        deploy_free(d);
        return cli_fail("capacity", &err);
    }
    double best[100];
    struct capacity_curve curve;
    char binding[64] = "";
    int rc = CS_OK;
    for (int64_t k = 0; k < seeds && !rc; k++) {
        struct cap_ctx c = { &s, d, (seed0 >= 0 ? seed0 : s.seed) + k, slos, slo_text.n, "" };
        int64_t b;
        struct capacity_curve cv;
        rc = capacity_search(pred, &c, s.employees, max_emp, &b, &cv, &err);
        best[k] = (double)b;
        if (k == 0) {
            curve = cv;
            snprintf(binding, sizeof binding, "%s", c.binding);
        }
    }
    if (isatty(STDERR_FILENO))
        fprintf(stderr, "\r%60s\r", "");
    if (rc) {
        deploy_free(d);
        return cli_fail("capacity", &err);
    }
    double mean = stats_mean(best, (size_t)seeds), sd = stats_pstd(best, (size_t)seeds);
    stats_sort(best, (size_t)seeds);
    if (json) {
        printf("{\n  \"scenario\": \"%s\",\n  \"model\": \"%s\",\n  \"precision\": \"%s\",\n"
               "  \"capacity_employees_mean\": %.2f,\n  \"capacity_employees_min\": %.0f,\n"
               "  \"capacity_employees_max\": %.0f,\n  \"seeds\": %lld,\n  \"binding\": \"%s\",\n  \"curve\": [",
               s.name, model_name(d->model), dtype_traits(d->precision)->name, mean, best[0],
               best[seeds - 1], (long long)seeds, binding);
        for (size_t i = 0; i < curve.n; i++)
            printf("%s{\"employees\": %lld, \"p95_ttft_ms\": %.2f, \"pass\": %s}", i ? ", " : "",
                   (long long)curve.load[i], curve.value[i], curve.pass[i] ? "true" : "false");
        printf("]\n}\n");
    } else {
        printf("capsim capacity: %s with %s (%s) on %s\n", s.name, model_name(d->model),
               dtype_traits(d->precision)->name, d->profile.name);
        printf("SLOs: ");
        if (slo_text.n)
            for (size_t i = 0; i < slo_text.n; i++)
                printf("%s%s", i ? ", " : "", slos[i].text);
        else
            printf("the scenario's, per task");
        printf("\n\nmost employees meeting every SLO: %.0f", mean);
        if (seeds > 1)
            printf(" (range %.0f-%.0f over %lld seeds, std %.1f)", best[0], best[seeds - 1],
                   (long long)seeds, sd);
        printf("\nbinding SLO above that: %s\n\ncurve (seed %lld):\n%10s %14s %6s\n",
               binding[0] ? binding : "none within --max-employees",
               (long long)(seed0 >= 0 ? seed0 : s.seed), "employees", "p95 TTFT ms", "pass");
        for (size_t i = 0; i < curve.n; i++)
            printf("%10lld %14.1f %6s\n", (long long)curve.load[i], curve.value[i],
                   curve.pass[i] ? "yes" : "no");
    }
    if (plot || script) {
        double x[CAPACITY_MAX_POINTS];
        for (size_t i = 0; i < curve.n; i++)
            x[i] = (double)curve.load[i];
        struct plot_series ser = { "p95 TTFT, all requests (ms)", curve.value };
        struct plot_spec ps = { "Capacity: p95 TTFT against employees", "employees", "ms", x,
                                curve.n, &ser, 1, false, NULL, true };
        rc = plot_lines(&ps, plot, script, &err);
    }
    deploy_free(d);
    return rc ? cli_fail("capacity", &err) : 0;
}
