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

#include "cli/commands.h"
#include "cli/opts.h"
#include "plots/plot.h"
#include "scenarios/capacity.h"
#include "scenarios/office.h"

#define MAX_PREC 6

struct cmp_ctx {
    const struct scenario *s;
    const struct deploy *d;
};

static int pass_all(int64_t employees, void *ud, bool *pass, double *v, struct cs_err *err)
{
    struct cmp_ctx *c = ud;
    struct office_result r;
    int rc = office_run(c->s, c->d, employees, c->s->seed, &r, err);
    if (rc)
        return rc;
    *pass = r.all_slos_met;
    *v = r.all.ttft_ms.pct[1];
    office_result_release(&r);
    return CS_OK;
}

int cmd_compare(int argc, char **argv)
{
    const char *model = NULL, *precs = "bf16,fp8,nvfp4", *scen_name = "office-25";
    const char *plot = NULL, *script = NULL;
    bool json = false, no_capacity = false;
    struct opt table[] = {
        { "model", OPT_STRING, &model, 0, 0, "model [the scenario's]", false },
        { "precisions", OPT_STRING, &precs, 0, 0, "comma list [bf16,fp8,nvfp4]", false },
        { "scenario", OPT_STRING, &scen_name, 0, 0, "preset or file [office-25]", false },
        { "no-capacity", OPT_FLAG, &no_capacity, 0, 0, "skip the capacity search", false },
        { "json", OPT_FLAG, &json, 0, 0, "print JSON", false },
        { "plot", OPT_STRING, &plot, 0, 0, "bar chart FILE.png|FILE.svg", false },
        { "plot-script", OPT_STRING, &script, 0, 0, "write the gnuplot script instead", false },
    };
    const char *pos[1];
    size_t n_pos;
    bool help;
    struct cs_err err = { 0 };
    if (opts_parse("compare", table, CS_ARRAY_LEN(table), argc, argv, pos, 0, &n_pos, &help, &err))
        return cli_fail("compare", &err);
    if (help) {
        opts_usage(stdout, "compare", "--model M --precisions bf16,fp8,nvfp4 --scenario FILE", table,
                   CS_ARRAY_LEN(table));
        return 0;
    }
    struct scenario s;
    if (scenario_load(scen_name, &s, &err))
        return cli_fail("compare", &err);
    if (model)
        snprintf(s.model, sizeof s.model, "%s", model);
    char buf[128], names[MAX_PREC][16];
    snprintf(buf, sizeof buf, "%s", precs);
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t && n < MAX_PREC; t = strtok_r(NULL, ",", &save))
        snprintf(names[n++], sizeof names[0], "%s", t);
    double max_ctx = 0;
    for (size_t k = 0; k < s.n_tasks; k++)
        max_ctx = fmax(max_ctx, scenario_task_max_context(&s.tasks[k]));
    double w[MAX_PREC], kvt[MAX_PREC], conc[MAX_PREC], t50[MAX_PREC], t95[MAX_PREC], t99[MAX_PREC];
    double p50[MAX_PREC], p95[MAX_PREC], p99[MAX_PREC], rate[MAX_PREC], cap[MAX_PREC];
    const char *cats[MAX_PREC];
    int rc = CS_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        snprintf(s.precision, sizeof s.precision, "%s", names[i]);
        cats[i] = names[i];
        struct deploy_args da;
        office_deploy_args(&s, &da);
        struct deploy *d;
        if ((rc = deploy_new(&da, &d, &err)))
            break;
        w[i] = d->mem.weights_bytes / 1073741824.0;
        kvt[i] = (double)d->mem.kv_cache_tokens;
        conc[i] = memory_max_concurrency(&d->mem, (int64_t)max_ctx);
        struct office_result r;
        rc = office_run(&s, d, 0, s.seed, &r, &err);
        if (!rc) {
            t50[i] = r.all.ttft_ms.pct[0], t95[i] = r.all.ttft_ms.pct[1], t99[i] = r.all.ttft_ms.pct[2];
            p50[i] = r.all.tpot_ms.pct[0], p95[i] = r.all.tpot_ms.pct[1], p99[i] = r.all.tpot_ms.pct[2];
            rate[i] = r.achieved_rate * 3600.0;
            office_result_release(&r);
        }
        cap[i] = NAN;
        if (!rc && !no_capacity) {
            struct cmp_ctx c = { &s, d };
            int64_t best;
            struct capacity_curve cv;
            rc = capacity_search(pass_all, &c, s.employees, 5000, &best, &cv, &err);
            cap[i] = (double)best;
        }
        deploy_free(d);
    }
    if (rc)
        return cli_fail("compare", &err);
    if (json) {
        printf("{\n  \"scenario\": \"%s\",\n  \"model\": \"%s\",\n  \"precisions\": [\n", s.name, s.model);
        for (size_t i = 0; i < n; i++)
            printf("    {\"precision\": \"%s\", \"weights_gib\": %.3f, \"kv_cache_tokens\": %.0f, "
                   "\"max_concurrency_at_context\": %.2f, \"p50_ttft_ms\": %.2f, \"p95_ttft_ms\": %.2f, "
                   "\"p99_ttft_ms\": %.2f, \"p50_tpot_ms\": %.2f, \"p95_tpot_ms\": %.2f, \"p99_tpot_ms\": %.2f, "
                   "\"requests_per_hour\": %.1f, \"capacity_employees\": %s%.0f}%s\n",
                   names[i], w[i], kvt[i], conc[i], t50[i], t95[i], t99[i], p50[i], p95[i], p99[i],
                   rate[i], isnan(cap[i]) ? "null" : "", isnan(cap[i]) ? 0.0 : cap[i],
                   i + 1 < n ? "," : "");
        printf("  ]\n}\n");
    } else {
        printf("capsim compare: %s on %s (scenario %s, longest context %.0f tokens)\n\n", s.model,
               s.hardware, s.name, max_ctx);
        printf("%-9s %8s %10s %8s %9s %9s %9s %8s %8s %8s %9s %9s\n", "precision", "weights", "KV tokens",
               "max conc", "TTFT p50", "p95", "p99 ms", "TPOT p50", "p95", "p99 ms", "req/hour", "capacity");
        for (size_t i = 0; i < n; i++) {
            printf("%-9s %6.1fGiB %10.0f %8.1f %9.0f %9.0f %9.0f %8.1f %8.1f %8.1f %9.0f ", names[i],
                   w[i], kvt[i], conc[i], t50[i], t95[i], t99[i], p50[i], p95[i], p99[i], rate[i]);
            if (isnan(cap[i]))
                printf("%9s\n", "-");
            else
                printf("%9.0f\n", cap[i]);
        }
        if (!no_capacity)
            printf("\ncapacity: most employees meeting every SLO of the scenario (seed %lld)\n",
                   (long long)s.seed);
    }
    if (plot || script) {
        struct plot_series ser[3] = { { "p95 TTFT (ms)", t95 }, { "p95 TPOT (ms)", p95 }, { NULL, NULL } };
        double x[MAX_PREC];
        for (size_t i = 0; i < n; i++)
            x[i] = (double)i;
        struct plot_spec ps = { "Precisions side by side", "precision", "ms", x, n, ser, 2, true, cats, false };
        rc = plot_lines(&ps, plot, script, &err);
        if (rc)
            return cli_fail("compare", &err);
    }
    return 0;
}
