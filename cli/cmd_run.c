/*
 * cmd_run.c - capsim run: simulate an office scenario (a preset or a
 * file; by default the built-in office-25 on GB10) and print percentiles
 * per task type and SLO attainment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/scenario_opts.h"
#include "cli/server_opts.h"
#include "common/json.h"
#include "report/basis.h"
#include "common/xalloc.h"
#include "plots/plot.h"
#include "scenarios/office.h"

static void print_row(const char *name, const struct office_task_result *r)
{
    printf("%-17s %8lld %8.0f %8.0f %8.0f %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f\n", name,
           (long long)r->requests, r->ttft_ms.pct[0], r->ttft_ms.pct[1], r->ttft_ms.pct[2],
           r->tpot_ms.pct[0], r->tpot_ms.pct[1], r->tpot_ms.pct[2], r->e2el_ms.pct[0] / 1e3,
           r->e2el_ms.pct[1] / 1e3, r->e2el_ms.pct[2] / 1e3);
}

static void print_slos(const char *name, const struct slo *slos, size_t n,
                       const struct office_task_result *r)
{
    for (size_t j = 0; j < n; j++)
        printf("  %-17s %-22s %-4s simulated %9.1f ms; %5.1f%% of requests within\n", name,
               slos[j].text, r->requests == 0 ? "-" : r->slo_met[j] ? "met" : "MISS",
               r->slo_value[j], 100 * r->slo_attainment[j]);
}

static void json_task(cJSON *tasks, const char *name, const struct office_task_result *r,
                      const struct slo *slos, size_t n_slos, const struct basis *b)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToArray(tasks, o);
    cJSON_AddStringToObject(o, "task", name);
    json_add_int(o, "requests", r->requests);
    static const char *const pn[OFFICE_PCTS] = { "p50", "p95", "p99" };
    const struct metric_summary *m[] = { &r->ttft_ms, &r->tpot_ms, &r->itl_ms, &r->e2el_ms };
    static const char *const mn[] = { "ttft", "tpot", "itl", "e2el" };
    char key[32];
    for (size_t k = 0; k < 4; k++) {
        if (k == 2 && m[k]->mean == 0)
            continue; /* ITL kept only when an SLO names it */
        snprintf(key, sizeof key, "mean_%s_ms", mn[k]);
        json_add_fixed(o, key, m[k]->mean, 2);
        for (size_t p = 0; p < OFFICE_PCTS; p++) {
            snprintf(key, sizeof key, "%s_%s_ms", pn[p], mn[k]);
            if (k < 2) /* TTFT and TPOT carry their 80% band */
                basis_add_band_json(o, key, b, k == 0 ? BAND_TTFT : BAND_TPOT, m[k]->pct[p], 2);
            else
                json_add_fixed(o, key, m[k]->pct[p], 2);
        }
    }
    /* vLLM's counters, in tokens (vllm:prefix_cache_queries / _hits) */
    json_add_int(o, "prefix_cache_queries", r->prefix_cache_queries);
    json_add_int(o, "prefix_cache_hits", r->prefix_cache_hits);
    cJSON *arr = cJSON_AddArrayToObject(o, "slo");
    for (size_t j = 0; j < n_slos; j++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, x);
        cJSON_AddStringToObject(x, "slo", slos[j].text);
        json_add_fixed(x, "value_ms", r->slo_value[j], 2);
        cJSON_AddBoolToObject(x, "met", r->slo_met[j]);
        json_add_fixed(x, "attainment", r->slo_attainment[j], 4);
    }
}

static void print_text(const struct scenario *s, const struct deploy *d, const struct office_result *r)
{
    printf("capsim run: %s, %lld employees (%s load), %s (%s, KV cache %s) on %s, seed %lld\n",
           s->name[0] ? s->name : s->file, (long long)r->employees, scenario_load_name(s->load),
           model_name(d->model), dtype_traits(d->precision)->name, kv_dtype_name(d->kv),
           d->profile.name, (long long)s->seed);
    server_print_settings(stdout, &d->settings);
    printf("%lld conversations, %lld requests over %.1f h (%.1f requests/hour); "
           "peak KV cache use %.0f%%, %lld preemptions\n\n",
           (long long)r->conversations, (long long)r->requests, r->duration_s / 3600.0,
           r->achieved_rate * 3600.0, 100 * r->kv_usage_peak, (long long)r->preemptions);
    struct basis b;
    basis_of(d, &b);
    basis_print(stdout, &b);
    putchar('\n');
    printf("%-17s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n", "", "", "TTFT ms", "", "",
           "TPOT ms", "", "", "E2EL s", "", "");
    printf("%-17s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n", "task", "requests", "p50", "p95",
           "p99", "p50", "p95", "p99", "p50", "p95", "p99");
    for (size_t k = 0; k < s->n_tasks; k++)
        print_row(s->tasks[k].name, &r->task[k]);
    print_row("all", &r->all);
    char ttft[64], tpot[64];
    basis_format_band(&b, BAND_TTFT, r->all.ttft_ms.pct[1], ttft, sizeof ttft);
    basis_format_band(&b, BAND_TPOT, r->all.tpot_ms.pct[1], tpot, sizeof tpot);
    printf("all, with 80%% error bands: p95 TTFT %s, p95 TPOT %s\n", ttft, tpot);
    if (d->cfg.enable_prefix_caching) {
        /* vLLM logs "Prefix cache hit rate" over all requests; per task here */
        printf("\nprefix cache hit rate (hit / looked-up prompt tokens):");
        for (size_t k = 0; k <= s->n_tasks; k++) {
            const struct office_task_result *t = k < s->n_tasks ? &r->task[k] : &r->all;
            printf(" %s %.1f%%%s", k < s->n_tasks ? s->tasks[k].name : "all",
                   t->prefix_cache_queries
                       ? 100.0 * (double)t->prefix_cache_hits / (double)t->prefix_cache_queries
                       : 0.0,
                   k < s->n_tasks ? "," : "\n");
        }
    }
    printf("\nSLOs\n");
    for (size_t k = 0; k < s->n_tasks; k++)
        print_slos(s->tasks[k].name, s->tasks[k].slos, s->tasks[k].n_slos, &r->task[k]);
    print_slos("all", s->slos, s->n_slos, &r->all);
    if (r->rejected)
        printf("  %lld requests could never run (longer than max_model_len or the KV cache)\n",
               (long long)r->rejected);
    if (r->overloaded)
        printf("  OVERLOADED: the queue was still draining %.0f min after the last request; "
               "the percentiles grow with the length of the day\n",
               r->drain_s / 60.0);
    printf("%s\n", r->all_slos_met ? "all SLOs met" : "some SLOs missed");
}

static int print_json(const struct scenario *s, const struct deploy *d, const struct office_result *r,
                      struct cs_err *err)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "scenario", s->name);
    cJSON_AddStringToObject(o, "load", scenario_load_name(s->load));
    cJSON_AddStringToObject(o, "model", model_name(d->model));
    cJSON_AddStringToObject(o, "precision", dtype_traits(d->precision)->name);
    cJSON_AddStringToObject(o, "kv_cache_dtype", kv_dtype_name(d->kv));
    cJSON_AddStringToObject(o, "profile", d->profile.name);
    cJSON_AddItemToObject(o, "server", deploy_settings_json(&d->settings));
    json_add_int(o, "employees", r->employees);
    json_add_int(o, "seed", s->seed);
    json_add_int(o, "conversations", r->conversations);
    json_add_int(o, "requests", r->requests);
    json_add_int(o, "rejected", r->rejected);
    json_add_fixed(o, "duration", r->duration_s, 3);
    json_add_fixed(o, "request_throughput", r->achieved_rate, 6);
    cJSON_AddBoolToObject(o, "overloaded", r->overloaded);
    json_add_fixed(o, "drain_s", r->drain_s, 3);
    cJSON_AddBoolToObject(o, "all_slos_met", r->all_slos_met);
    json_add_fixed(o, "kv_cache_usage_peak", r->kv_usage_peak, 4);
    json_add_int(o, "num_preemptions", r->preemptions);
    struct basis b;
    basis_of(d, &b);
    cJSON *tasks = cJSON_AddArrayToObject(o, "tasks");
    for (size_t k = 0; k < s->n_tasks; k++)
        json_task(tasks, s->tasks[k].name, &r->task[k], s->tasks[k].slos, s->tasks[k].n_slos, &b);
    json_task(tasks, "all", &r->all, s->slos, s->n_slos, &b);
    if (basis_add_json(o, &b, err)) {
        cJSON_Delete(o);
        return err->code;
    }
    return json_write(stdout, o, err);
}

static int draw(const struct scenario *s, const struct deploy *d, const struct office_result *r,
                const char *kind, const char *plot, const char *script, struct cs_err *err)
{
    const struct deploy_settings *ds = &d->settings;
    char title[768];
    if (strcmp(kind, "cdf") == 0) {
        double *frac = xmalloc((r->n_lat ? r->n_lat : 1) * sizeof *frac);
        double *e2el_s = xmalloc((r->n_lat ? r->n_lat : 1) * sizeof *e2el_s);
        double *ttft_s = xmalloc((r->n_lat ? r->n_lat : 1) * sizeof *ttft_s);
        for (size_t i = 0; i < r->n_lat; i++) {
            frac[i] = (double)(i + 1) / (double)r->n_lat;
            ttft_s[i] = r->ttft_ms[i] / 1e3;
            e2el_s[i] = r->e2el_ms[i] / 1e3;
        }
        /* CDF: x is the latency, y the share of requests at most that slow */
        struct plot_series ser[2] = { { "TTFT", ttft_s, frac, r->n_lat, false, PLOT_STEPS },
                                      { "E2EL", e2el_s, frac, r->n_lat, false, PLOT_STEPS } };
        snprintf(title, sizeof title, "%s: latency CDF, all requests; %s (%s, KV cache %s) on %s",
                 s->name[0] ? s->name : s->file, ds->model, ds->precision, ds->kv_cache_dtype,
                 ds->hardware);
        struct plot_spec ps = { .title = title, .xlabel = "latency (s, log scale)",
                                .ylabel = "share of requests (0-1)", .series = ser, .n_series = 2,
                                .n = r->n_lat, .logx = true };
        int rc = plot_draw(&ps, plot, script, err);
        free(frac);
        free(ttft_s);
        free(e2el_s);
        return rc;
    }
    double *hours = xmalloc((r->tl_n ? r->tl_n : 1) * sizeof *hours);
    double *kv = xmalloc((r->tl_n ? r->tl_n : 1) * sizeof *kv);
    for (size_t i = 0; i < r->tl_n; i++) {
        hours[i] = r->tl_t[i] / 3600.0;
        kv[i] = 100 * r->tl_kv[i];
    }
    struct plot_series ser[3] = { { "waiting requests", NULL, r->tl_waiting, 0, false, PLOT_LINES },
                                  { "running requests (batch)", NULL, r->tl_running, 0, false, PLOT_LINES },
                                  { "KV cache used (%, right)", NULL, kv, 0, true, PLOT_LINES } };
    snprintf(title, sizeof title,
             "%s: queue, batch, KV cache each minute; %s (%s, KV cache %s) on %s",
             s->name[0] ? s->name : s->file, ds->model, ds->precision, ds->kv_cache_dtype,
             ds->hardware);
    struct plot_spec ps = { .title = title, .xlabel = "hours since opening (h)",
                            .ylabel = "requests (count)",
                            .y2label = "KV cache used (%)", .x = hours, .n = r->tl_n,
                            .series = ser, .n_series = 3 };
    int rc = plot_draw(&ps, plot, script, err);
    free(hours);
    free(kv);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    struct server_flags sf = SERVER_FLAGS_INIT;
    struct scenario_flags scf = SCENARIO_FLAGS_INIT;
    const char *plot = NULL, *plot_script = NULL, *kind = "timeline";
    bool json = false, check = false;
    struct opt table[] = {
        SCENARIO_OPTS(scf),
        SERVER_OPTS(sf),
        { "check", OPT_FLAG, &check, 0, 0, "exit 3 when an SLO is missed (for scripts and CI)", false },
        { "json", OPT_FLAG, &json, 0, 0, "print JSON", false },
        { "plot", OPT_STRING, &plot, 0, 0, "draw FILE.png, FILE.svg or FILE.pdf (gnuplot)", false },
        { "plot-kind", OPT_STRING, &kind, 0, 0, "timeline (queue, batch, KV) or cdf [timeline]", false },
        { "plot-script", OPT_STRING, &plot_script, 0, 0, "write the gnuplot script and data to FILE", false },
    };
    const char *pos[1];
    size_t n_pos = 0;
    struct cs_err err = { 0 };
    int status;
    if (cli_parse("run", "[SCENARIO] [options]", table, CS_ARRAY_LEN(table), argc, argv, pos, 1, &n_pos,
                  &status))
        return status;
    if (strcmp(kind, "timeline") != 0 && strcmp(kind, "cdf") != 0) {
        cs_err_set(&err, CS_EUSAGE, "run: --plot-kind: must be timeline or cdf (got '%s')", kind);
        return cli_fail("run", &err);
    }
    /* a picture name capsim cannot draw fails before the simulation */
    if (plot_check_name(plot, &err))
        return cli_fail("run", &err);
    struct scenario s;
    struct deploy_args da;
    if (scenario_opts_load("run", &scf, n_pos ? pos[0] : NULL, &s, &err))
        return cli_fail("run", &err);
    office_deploy_args(&s, &da);
    if (server_flags_apply(&sf, &da, &err))
        return cli_fail("run", &err);
    struct deploy *d;
    if (office_deploy(&s, &da, &d, &err))
        return cli_fail("run", &err);
    struct office_result r;
    if (office_run(&s, d, scf.employees, s.seed, &r, &err)) {
        deploy_free(d);
        return cli_fail("run", &err);
    }
    int rc = CS_OK;
    if (json)
        rc = print_json(&s, d, &r, &err);
    else
        print_text(&s, d, &r);
    if (!rc && (plot || plot_script))
        rc = draw(&s, d, &r, kind, plot, plot_script, &err);
    bool met = r.all_slos_met;
    office_result_release(&r);
    deploy_free(d);
    if (rc)
        return cli_fail("run", &err);
    return check && !met ? CLI_EXIT_MISSED : 0;
}
