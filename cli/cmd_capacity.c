/*
 * cmd_capacity.c - capsim capacity: the most employees a scenario's office
 * can have while every SLO holds, by bracketing and bisection with common
 * random numbers (each seed's request stream is the same at every load,
 * only scaled), repeated over seeds for a confidence interval.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>

#include "cli/commands.h"
#include "cli/scenario_opts.h"
#include "cli/server_opts.h"
#include "common/json.h"
#include "report/basis.h"
#include "common/stats.h"
#include "plots/plot.h"
#include "scenarios/capacity.h"
#include "scenarios/office.h"

#define MAX_SEEDS 100

/* One evaluated load, for the curve of the first seed. */
struct cap_point {
    int64_t employees;
    double req_per_hour, ttft[OFFICE_PCTS], tpot[OFFICE_PCTS];
    bool pass, overloaded;
    char binding[96];
};

struct cap_ctx {
    const struct scenario *s;
    const struct deploy *d;
    int64_t seed, k, n_seeds;
    bool progress;
    struct cap_point pts[CAPACITY_MAX_POINTS];
    size_t n_pts;
};

static int pred(int64_t employees, void *ud, bool *pass, double *value, struct cs_err *err)
{
    struct cap_ctx *c = ud;
    if (c->progress)
        fprintf(stderr, "\rcapsim capacity: seed %lld of %lld, trying %lld employees...      ",
                (long long)c->k + 1, (long long)c->n_seeds, (long long)employees);
    struct office_result r;
    int rc = office_run(c->s, c->d, employees, c->seed, &r, err);
    if (rc)
        return rc;
    *pass = r.all_slos_met;
    *value = r.all.ttft_ms.pct[1];
    if (c->n_pts < CAPACITY_MAX_POINTS) {
        struct cap_point *p = &c->pts[c->n_pts++];
        p->employees = employees;
        p->req_per_hour = r.achieved_rate * 3600.0;
        for (size_t i = 0; i < OFFICE_PCTS; i++) {
            p->ttft[i] = r.all.ttft_ms.pct[i];
            p->tpot[i] = r.all.tpot_ms.pct[i];
        }
        p->pass = *pass;
        p->overloaded = r.overloaded;
        office_binding(c->s, &r, p->binding, sizeof p->binding);
    }
    office_result_release(&r);
    return CS_OK;
}

static const struct cap_point *point_at(const struct cap_ctx *c, int64_t employees)
{
    for (size_t i = 0; i < c->n_pts; i++)
        if (c->pts[i].employees == employees)
            return &c->pts[i];
    return NULL;
}

static int draw(const struct capacity_curve *cv, const struct cap_ctx *c, const struct scenario *s,
                int64_t best, const char *plot, const char *script, struct cs_err *err)
{
    double x[CAPACITY_MAX_POINTS], y[4][CAPACITY_MAX_POINTS];
    for (size_t i = 0; i < cv->n; i++) {
        const struct cap_point *p = point_at(c, cv->load[i]);
        x[i] = (double)cv->load[i];
        y[0][i] = p ? p->ttft[0] : 0;
        y[1][i] = p ? p->ttft[1] : 0;
        y[2][i] = p ? p->ttft[2] : 0;
        y[3][i] = p ? p->tpot[1] : 0;
    }
    struct plot_series ser[4] = { { "p50 TTFT", NULL, y[0], 0, false, PLOT_LINESPOINTS },
                                  { "p95 TTFT", NULL, y[1], 0, false, PLOT_LINESPOINTS },
                                  { "p99 TTFT", NULL, y[2], 0, false, PLOT_LINESPOINTS },
                                  { "p95 TPOT (right)", NULL, y[3], 0, true, PLOT_LINESPOINTS } };
    double limits[SLO_MAX];
    const char *limit_names[SLO_MAX];
    size_t nl = 0;
    for (size_t j = 0; j < s->n_slos; j++)
        if (s->slos[j].metric == SLO_TTFT) {
            limits[nl] = s->slos[j].limit_ms;
            limit_names[nl++] = s->slos[j].text;
        }
    const struct deploy_settings *d = &c->d->settings;
    char title[512];
    snprintf(title, sizeof title,
             "%s: %s (%s, KV cache %s) on %s; capacity %lld employees (seed %lld)", s->name,
             d->model, d->precision, d->kv_cache_dtype, d->hardware, (long long)best,
             (long long)c->seed);
    struct plot_spec ps = { .title = title, .xlabel = "employees (people in the office)",
                            .ylabel = "TTFT (ms)", .y2label = "TPOT (ms)", .x = x, .n = cv->n,
                            .series = ser, .n_series = 4, .hlines = limits,
                            .hline_labels = limit_names, .n_hlines = nl };
    return plot_draw(&ps, plot, script, err);
}

int cmd_capacity(int argc, char **argv)
{
    struct server_flags sf = SERVER_FLAGS_INIT;
    struct scenario_flags scf = SCENARIO_FLAGS_INIT;
    const char *plot = NULL, *script = NULL;
    int64_t seeds = 3, max_emp = 5000;
    bool json = false, check = false;
    struct opt table[] = {
        SCENARIO_OPTS(scf),
        SERVER_OPTS(sf),
        { "seeds", OPT_INT, &seeds, 1, MAX_SEEDS, "repeat the search over N seeds from --seed [3]", false },
        { "max-employees", OPT_INT, &max_emp, 1, 1e6, "search no further [5000]", false },
        { "check", OPT_FLAG, &check, 0, 0,
          "exit 3 when any seed carries fewer than the office's employees (for scripts and CI)", false },
        { "json", OPT_FLAG, &json, 0, 0, "print JSON", false },
        { "plot", OPT_STRING, &plot, 0, 0, "latency against load, FILE.png, FILE.svg or FILE.pdf", false },
        { "plot-script", OPT_STRING, &script, 0, 0, "write the gnuplot script and data to FILE", false },
    };
    const char *pos[1];
    size_t n_pos = 0;
    struct cs_err err = { 0 };
    int status;
    if (cli_parse("capacity", "[SCENARIO] [--slo 'p95_ttft_ms<=5000' ...] [options]", table,
                  CS_ARRAY_LEN(table), argc, argv, pos, 1, &n_pos, &status))
        return status;
    /* a picture name capsim cannot draw fails before the simulation */
    if (plot_check_name(plot, &err))
        return cli_fail("capacity", &err);
    struct scenario s;
    struct deploy_args da;
    if (scenario_opts_load("capacity", &scf, n_pos ? pos[0] : NULL, &s, &err))
        return cli_fail("capacity", &err);
    office_deploy_args(&s, &da);
    if (server_flags_apply(&sf, &da, &err))
        return cli_fail("capacity", &err);
    struct deploy *d;
    if (office_deploy(&s, &da, &d, &err))
        return cli_fail("capacity", &err);
    int64_t office = scf.employees > 0 ? scf.employees : s.employees;
    int64_t first = s.seed;
    double best[MAX_SEEDS];
    struct cap_ctx c0 = { .n_pts = 0 }; /* the first seed's curve and points */
    struct capacity_curve curve = { .n = 0 };
    int rc = CS_OK;
    bool progress = isatty(STDERR_FILENO);
    for (int64_t k = 0; k < seeds && !rc; k++) {
        struct cap_ctx c;
        memset(&c, 0, sizeof c);
        c.s = &s, c.d = d, c.seed = first + k, c.k = k, c.n_seeds = seeds, c.progress = progress;
        int64_t b = 0;
        struct capacity_curve cv;
        rc = capacity_search(pred, &c, office, max_emp, &b, &cv, &err);
        best[k] = (double)b;
        if (k == 0) {
            curve = cv;
            c0 = c;
        }
    }
    /* The answer's 80% range on the first seed: each SLO limit over the
     * error band's ends (basis_scale_slos), the pessimistic end first. */
    struct basis basis;
    basis_of(d, &basis);
    int64_t band[2] = { 0, 0 };
    for (int end = 0; end < 2 && !rc; end++) {
        struct scenario sb = s;
        basis_scale_slos(&basis, sb.slos, sb.n_slos, end);
        for (size_t k = 0; k < sb.n_tasks; k++)
            basis_scale_slos(&basis, sb.tasks[k].slos, sb.tasks[k].n_slos, end);
        struct cap_ctx c;
        memset(&c, 0, sizeof c);
        c.s = &sb, c.d = d, c.seed = first, c.n_seeds = 1, c.progress = progress;
        struct capacity_curve cv;
        rc = capacity_search(pred, &c, office, max_emp, &band[end], &cv, &err);
    }
    /* The same office with vLLM's prefix cache the other way round (the
     * first seed): how much the cache changes the answer. */
    int64_t other = 0;
    if (!rc) {
        struct deploy *d_other = NULL;
        struct deploy_args da_other = da;
        da_other.enable_prefix_caching = d->cfg.enable_prefix_caching ? 0 : 1;
        rc = office_deploy(&s, &da_other, &d_other, &err);
        if (!rc) {
            struct cap_ctx c;
            memset(&c, 0, sizeof c);
            c.s = &s, c.d = d_other, c.seed = first, c.k = 0, c.n_seeds = 1, c.progress = progress;
            struct capacity_curve cv;
            rc = capacity_search(pred, &c, office, max_emp, &other, &cv, &err);
        }
        deploy_free(d_other);
    }
    if (progress)
        fprintf(stderr, "\r%70s\r", "");
    if (rc) {
        deploy_free(d);
        return cli_fail("capacity", &err);
    }
    size_t ns = (size_t)seeds;
    double mean = stats_mean(best, ns), sd = 0, half = 0;
    if (ns > 1) { /* Student t interval on the mean over seeds (sample std) */
        sd = stats_pstd(best, ns) * sqrt((double)ns / (double)(ns - 1));
        half = gsl_cdf_tdist_Pinv(0.975, (double)(ns - 1)) * sd / sqrt((double)ns);
    }
    double sorted[MAX_SEEDS];
    memcpy(sorted, best, ns * sizeof *best);
    stats_sort(sorted, ns);
    int64_t cap0 = (int64_t)best[0];
    const struct cap_point *at = point_at(&c0, cap0), *above = point_at(&c0, cap0 + 1);
    const char *binding = above ? above->binding : cap0 >= max_emp ? "none up to --max-employees" : "";
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "scenario", s.name);
        cJSON_AddStringToObject(o, "load", scenario_load_name(s.load));
        cJSON_AddStringToObject(o, "model", model_name(d->model));
        cJSON_AddStringToObject(o, "precision", dtype_traits(d->precision)->name);
        cJSON_AddStringToObject(o, "kv_cache_dtype", kv_dtype_name(d->kv));
        cJSON *slo = cJSON_AddArrayToObject(o, "slo");
        for (size_t j = 0; j < s.n_slos; j++)
            cJSON_AddItemToArray(slo, cJSON_CreateString(s.slos[j].text));
        cJSON_AddItemToObject(o, "server", deploy_settings_json(&d->settings));
        json_add_int(o, "employees", office);
        cJSON *sd_arr = cJSON_AddArrayToObject(o, "seeds");
        for (size_t k = 0; k < ns; k++)
            json_push_int(sd_arr, first + (int64_t)k);
        cJSON *cap = cJSON_AddArrayToObject(o, "capacity_employees");
        for (size_t k = 0; k < ns; k++)
            json_push_fixed(cap, best[k], 0);
        json_add_fixed(o, "capacity_employees_mean", mean, 2);
        json_add_int(o, "capacity_employees_lo", band[0]);
        json_add_int(o, "capacity_employees_hi", band[1]);
        if (basis_add_json(o, &basis, &err)) {
            cJSON_Delete(o);
            deploy_free(d);
            return cli_fail("capacity", &err);
        }
        cJSON *ci = cJSON_AddArrayToObject(o, "capacity_employees_ci95");
        json_push_fixed(ci, mean - half, 2);
        json_push_fixed(ci, mean + half, 2);
        json_add_fixed(o, "requests_per_hour_at_capacity", at ? at->req_per_hour : 0.0, 1);
        cJSON_AddStringToObject(o, "binding", binding);
        cJSON_AddBoolToObject(o, "prefix_caching", d->cfg.enable_prefix_caching);
        json_add_int(o, d->cfg.enable_prefix_caching ? "capacity_employees_without_prefix_caching"
                                                     : "capacity_employees_with_prefix_caching",
                     other);
        cJSON *cv = cJSON_AddArrayToObject(o, "curve");
        for (size_t i = 0; i < curve.n; i++) {
            const struct cap_point *p = point_at(&c0, curve.load[i]);
            cJSON *x = cJSON_CreateObject();
            cJSON_AddItemToArray(cv, x);
            json_add_int(x, "employees", curve.load[i]);
            json_add_fixed(x, "requests_per_hour", p->req_per_hour, 1);
            json_add_fixed(x, "p50_ttft_ms", p->ttft[0], 2);
            json_add_fixed(x, "p95_ttft_ms", p->ttft[1], 2);
            json_add_fixed(x, "p99_ttft_ms", p->ttft[2], 2);
            json_add_fixed(x, "p95_tpot_ms", p->tpot[1], 2);
            cJSON_AddBoolToObject(x, "overloaded", p->overloaded);
            cJSON_AddBoolToObject(x, "pass", p->pass);
        }
        rc = json_write(stdout, o, &err);
    } else {
        printf("capsim capacity: %s (%s load) with %s (%s, KV cache %s) on %s\n", s.name,
               scenario_load_name(s.load), model_name(d->model), dtype_traits(d->precision)->name,
               kv_dtype_name(d->kv), d->profile.name);
        server_print_settings(stdout, &d->settings);
        basis_print(stdout, &basis);
        bool per_task = false;
        for (size_t k = 0; k < s.n_tasks; k++)
            per_task = per_task || s.tasks[k].n_slos > 0;
        printf("SLOs: %s", per_task ? "the scenario's per task type" : "");
        for (size_t j = 0; j < s.n_slos; j++)
            printf("%s%s", j ? ", " : per_task ? ", and " : "", s.slos[j].text);
        if (!per_task && !s.n_slos)
            printf("none (only overload and rejections count)");
        if (s.n_slos)
            printf(" over all requests");
        printf("\n\nmost employees meeting every SLO: %.0f (80%% band %lld-%lld)", best[0], (long long)band[0],
               (long long)band[1]);
        if (ns > 1)
            printf(" (seed %lld); over %zu seeds mean %.1f, 95%% CI %.1f-%.1f, range %.0f-%.0f",
                   (long long)first, ns, mean, mean - half, mean + half, sorted[0], sorted[ns - 1]);
        printf("\n");
        if (at)
            printf("at that load: %.0f requests/hour, p95 TTFT %.0f ms, p95 TPOT %.1f ms\n",
                   at->req_per_hour, at->ttft[1], at->tpot[1]);
        printf("binding: %s\n", binding[0] ? binding : "-");
        printf("with the prefix cache %s: %lld (seed %lld)%s\n",
               d->cfg.enable_prefix_caching ? "off" : "on", (long long)other, (long long)first,
               other == cap0 ? ", the same" : "");
        printf("the office's %lld employees: %s\n\n", (long long)office,
               sorted[0] >= (double)office ? "within every SLO" :
               ns > 1 ? "past an SLO on at least one seed" : "past an SLO");
        printf("curve (seed %lld)\n%10s %10s %9s %9s %9s %9s %5s  %s\n", (long long)first,
               "employees", "req/hour", "TTFT p50", "p95", "p99 ms", "TPOT p95", "pass",
               "binding (closest to or past its limit)");
        for (size_t i = 0; i < curve.n; i++) {
            const struct cap_point *p = point_at(&c0, curve.load[i]);
            printf("%10lld %10.0f %9.0f %9.0f %9.0f %9.1f %5s  %s\n", (long long)curve.load[i],
                   p->req_per_hour, p->ttft[0], p->ttft[1], p->ttft[2], p->tpot[1],
                   p->pass ? "yes" : "no", p->binding);
        }
    }
    if (!rc && (plot || script))
        rc = draw(&curve, &c0, &s, cap0, plot, script, &err);
    deploy_free(d);
    if (rc)
        return cli_fail("capacity", &err);
    return check && sorted[0] < (double)office ? CLI_EXIT_MISSED : 0;
}
