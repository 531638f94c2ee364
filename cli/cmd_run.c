/*
 * cmd_run.c - capsim run: simulate an office scenario (a preset or a
 * file; by default the built-in office-25 on GB10) and print percentiles
 * per task type and SLO attainment.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "plots/plot.h"
#include "scenarios/office.h"

static void print_row(const char *name, const struct office_task_result *r)
{
    printf("%-18s %8lld %9.0f %9.0f %9.0f %8.1f %8.1f %8.1f %9.1f\n", name, (long long)r->requests,
           r->ttft_ms.pct[0], r->ttft_ms.pct[1], r->ttft_ms.pct[2], r->tpot_ms.pct[0],
           r->tpot_ms.pct[1], r->tpot_ms.pct[2], r->e2el_ms.pct[1] / 1e3);
}

static void json_task(FILE *f, const char *name, const struct office_task_result *r,
                      const struct scenario_task *tk, bool last)
{
    fprintf(f, "    {\"task\": \"%s\", \"requests\": %lld, \"p50_ttft_ms\": %.2f, \"p95_ttft_ms\": %.2f, "
               "\"p99_ttft_ms\": %.2f, \"p50_tpot_ms\": %.2f, \"p95_tpot_ms\": %.2f, \"p99_tpot_ms\": %.2f, "
               "\"p50_e2el_ms\": %.2f, \"p95_e2el_ms\": %.2f, \"p99_e2el_ms\": %.2f, \"slo\": [",
            name, (long long)r->requests, r->ttft_ms.pct[0], r->ttft_ms.pct[1], r->ttft_ms.pct[2],
            r->tpot_ms.pct[0], r->tpot_ms.pct[1], r->tpot_ms.pct[2], r->e2el_ms.pct[0],
            r->e2el_ms.pct[1], r->e2el_ms.pct[2]);
    for (size_t j = 0; tk && j < tk->n_slos; j++)
        fprintf(f, "%s{\"slo\": \"%s\", \"value_ms\": %.2f, \"met\": %s, \"attainment\": %.4f}",
                j ? ", " : "", tk->slos[j].text, r->slo_value[j], r->slo_met[j] ? "true" : "false",
                r->slo_attainment[j]);
    fprintf(f, "]}%s\n", last ? "" : ",");
}

int cmd_run(int argc, char **argv)
{
    const char *scen_name = NULL, *model = NULL, *precision = NULL, *plot = NULL, *plot_script = NULL;
    int64_t employees = 0, seed = -1;
    bool json = false;
    struct opt table[] = {
        { "scenario", OPT_STRING, &scen_name, 0, 0, "preset name or scenario file [office-25]", false },
        { "employees", OPT_INT, &employees, 1, 1e6, "override the scenario's employees", false },
        { "model", OPT_STRING, &model, 0, 0, "override the scenario's model", false },
        { "precision", OPT_STRING, &precision, 0, 0, "override the scenario's precision", false },
        { "seed", OPT_INT, &seed, 0, 4294967295.0, "override the scenario's seed", false },
        { "json", OPT_FLAG, &json, 0, 0, "print JSON", false },
        { "plot", OPT_STRING, &plot, 0, 0, "timeline picture FILE.png or FILE.svg (gnuplot)", false },
        { "plot-script", OPT_STRING, &plot_script, 0, 0, "write the gnuplot script and data instead", false },
    };
    const char *pos[1];
    size_t n_pos = 0;
    bool help;
    struct cs_err err = { 0 };
    if (opts_parse("run", table, CS_ARRAY_LEN(table), argc, argv, pos, 1, &n_pos, &help, &err))
        return cli_fail("run", &err);
    if (help) {
        opts_usage(stdout, "run", "[SCENARIO] [options]", table, CS_ARRAY_LEN(table));
        return 0;
    }
    if (n_pos)
        scen_name = pos[0];
    struct scenario s;
    if (scenario_load(scen_name ? scen_name : "office-25", &s, &err))
        return cli_fail("run", &err);
    if (model)
        snprintf(s.model, sizeof s.model, "%s", model);
    if (precision)
        snprintf(s.precision, sizeof s.precision, "%s", precision);
    if (seed >= 0)
        s.seed = seed;
    struct deploy_args da;
    office_deploy_args(&s, &da);
    struct deploy *d;
    if (deploy_new(&da, &d, &err))
        return cli_fail("run", &err);
    if (scenario_check_context(&s, d->cfg.max_model_len, &err)) {
        deploy_free(d);
        return cli_fail("run", &err);
    }
    struct office_result r;
    int rc = office_run(&s, d, employees, s.seed, &r, &err);
    if (rc) {
        deploy_free(d);
        return cli_fail("run", &err);
    }
    int64_t emp = employees ? employees : s.employees;
    if (json) {
        printf("{\n  \"scenario\": \"%s\",\n  \"model\": \"%s\",\n  \"precision\": \"%s\",\n"
               "  \"employees\": %lld,\n  \"seed\": %lld,\n  \"conversations\": %lld,\n"
               "  \"requests\": %lld,\n  \"rejected\": %lld,\n  \"all_slos_met\": %s,\n"
               "  \"kv_cache_usage_peak\": %.4f,\n  \"num_preemptions\": %lld,\n  \"tasks\": [\n",
               s.name, model_name(d->model), dtype_traits(d->precision)->name, (long long)emp,
               (long long)s.seed, (long long)r.conversations, (long long)r.requests,
               (long long)r.rejected, r.all_slos_met ? "true" : "false", r.kv_usage_peak,
               (long long)r.preemptions);
        for (size_t k = 0; k < s.n_tasks; k++)
            json_task(stdout, s.tasks[k].name, &r.task[k], &s.tasks[k], false);
        json_task(stdout, "all", &r.all, NULL, true);
        printf("  ]\n}\n");
    } else {
        printf("capsim run: %s, %lld employees, %s (%s) on %s, seed %lld\n", s.name, (long long)emp,
               model_name(d->model), dtype_traits(d->precision)->name, d->profile.name,
               (long long)s.seed);
        printf("%lld conversations, %lld requests over %.1f h; peak KV cache use %.0f%%, %lld preemptions\n\n",
               (long long)r.conversations, (long long)r.requests, r.duration_s / 3600.0,
               100 * r.kv_usage_peak, (long long)r.preemptions);
        printf("%-18s %8s %9s %9s %9s %8s %8s %8s %9s\n", "task", "requests", "TTFT p50", "p95",
               "p99 ms", "TPOT p50", "p95", "p99 ms", "E2E p95 s");
        for (size_t k = 0; k < s.n_tasks; k++)
            print_row(s.tasks[k].name, &r.task[k]);
        print_row("all", &r.all);
        printf("\nSLOs\n");
        for (size_t k = 0; k < s.n_tasks; k++)
            for (size_t j = 0; j < s.tasks[k].n_slos; j++)
                printf("  %-18s %-22s %-4s measured %9.1f ms; %5.1f%% of requests within\n",
                       s.tasks[k].name, s.tasks[k].slos[j].text, r.task[k].slo_met[j] ? "met" : "MISS",
                       r.task[k].slo_value[j], 100 * r.task[k].slo_attainment[j]);
        if (r.rejected)
            printf("  %lld requests could never run (longer than max_model_len or the KV cache)\n",
                   (long long)r.rejected);
        printf("%s\n", r.all_slos_met ? "all SLOs met" : "some SLOs missed");
    }
    if (plot || plot_script) {
        struct plot_series ser[3] = {
            { "waiting requests", r.tl_waiting }, { "running requests", r.tl_running }, { NULL, NULL } };
        double *x = r.tl_t;
        for (size_t i = 0; i < r.tl_n; i++)
            x[i] /= 3600.0;
        struct plot_spec ps = { "Queue and batch over the day", "hours since opening", "requests",
                                x, r.tl_n, ser, 2, false, NULL, false };
        rc = plot_lines(&ps, plot, plot_script, &err);
    }
    office_result_release(&r);
    deploy_free(d);
    return rc ? cli_fail("run", &err) : 0;
}
