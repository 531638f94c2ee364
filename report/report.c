/*
 * report.c - output formats. The text block follows vllm bench serve's
 * print statements ("{:<40} {:<10}" rows, "=" and "-" centred headers of
 * 50 columns); the JSON uses its flat keys in a fixed order, capsim's own
 * keys prefixed "capsim_".
 */
#include "report/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

/* cJSON prints "%1.15g" unless that is within its epsilon of the value,
 * which loses the last digits; print the shortest "%.{15,16,17}g" that
 * reads back to the same double, so JSON numbers round-trip exactly.
 * Non-finite values become null (JSON has no inf/nan). */
static void add_num(cJSON *o, const char *key, double v)
{
    if (!isfinite(v)) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    char buf[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    cJSON_AddRawToObject(o, key, buf);
}

static void header(FILE *f, const char *s, char fill)
{
    /* Python's "{:c^50}": the extra fill character goes to the right. */
    int len = (int)strlen(s), pad = 50 - len;
    int left = pad > 0 ? pad / 2 : 0, right = pad > 0 ? pad - left : 0;
    for (int i = 0; i < left; i++)
        fputc(fill, f);
    fputs(s, f);
    for (int i = 0; i < right; i++)
        fputc(fill, f);
    fputc('\n', f);
}

static void row_i(FILE *f, const char *label, long long v)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", v);
    fprintf(f, "%-40s %-10s\n", label, num);
}

static void row_f(FILE *f, const char *label, double v)
{
    char num[64];
    snprintf(num, sizeof num, "%.2f", v);
    fprintf(f, "%-40s %-10s\n", label, num);
}

/* "99" for 99.0, "99.9" otherwise, as vLLM names percentiles. */
static void pct_word(char *out, size_t n, double p)
{
    if (p == floor(p))
        snprintf(out, n, "%d", (int)p);
    else
        snprintf(out, n, "%g", p);
}

static void metric_block(FILE *f, const char *title, const char *name,
                         const struct metric_summary *m, const struct serve_args *a)
{
    header(f, title, '-');
    char label[64], pw[16];
    snprintf(label, sizeof label, "Mean %s (ms):", name);
    row_f(f, label, m->mean);
    snprintf(label, sizeof label, "Median %s (ms):", name);
    row_f(f, label, m->median);
    for (size_t i = 0; i < a->n_pcts; i++) {
        pct_word(pw, sizeof pw, a->pcts[i]);
        snprintf(label, sizeof label, "P%s %s (ms):", pw, name);
        row_f(f, label, m->pct[i]);
    }
}

void report_serve_text(FILE *f, const struct serve_result *r, const struct serve_args *a,
                       const struct serve_echo *e)
{
    header(f, " Simulated Serving Result ", '=');
    row_i(f, "Successful requests:", r->completed);
    row_i(f, "Failed requests:", r->failed);
    if (a->max_concurrency > 0)
        row_i(f, "Maximum request concurrency:", a->max_concurrency);
    if (isfinite(a->request_rate))
        row_f(f, "Request rate configured (RPS):", a->request_rate);
    else
        fprintf(f, "%-40s %-10s\n", "Request rate configured (RPS):", "inf");
    row_f(f, "Benchmark duration (s):", r->duration);
    row_i(f, "Total input tokens:", r->total_input_tokens);
    row_i(f, "Total generated tokens:", r->total_output_tokens);
    row_f(f, "Request throughput (req/s):", r->request_throughput);
    row_f(f, "Output token throughput (tok/s):", r->output_throughput);
    row_f(f, "Peak output token throughput (tok/s):", r->max_output_tokens_per_s);
    row_f(f, "Peak concurrent requests:", (double)r->max_concurrent_requests);
    row_f(f, "Total Token throughput (tok/s):", r->total_token_throughput);
    metric_block(f, "Time to First Token", "TTFT", &r->ttft_ms, a);
    metric_block(f, "Time per Output Token (excl. 1st token)", "TPOT", &r->tpot_ms, a);
    metric_block(f, "Inter-token Latency", "ITL", &r->itl_ms, a);
    metric_block(f, "End-to-end Latency", "E2EL", &r->e2el_ms, a);
    header(f, "", '=');
    fprintf(f, "simulated by capsim: %s, %s, profile %s, seed %lld", e->model_id, e->precision,
            e->profile, (long long)e->seed);
    if (e->seeds > 1)
        fprintf(f, " (mean of %d seeds)", e->seeds);
    fputc('\n', f);
    if (r->overloaded)
        fprintf(f, "overloaded: requests arrive faster than the server completes them; "
                   "latencies grow with the run's length\n");
}

static void add_summary(cJSON *o, const char *metric, const struct metric_summary *m,
                        const struct serve_args *a)
{
    char key[64], pw[16];
    snprintf(key, sizeof key, "mean_%s_ms", metric);
    add_num(o, key, m->mean);
    snprintf(key, sizeof key, "median_%s_ms", metric);
    add_num(o, key, m->median);
    snprintf(key, sizeof key, "std_%s_ms", metric);
    add_num(o, key, m->std);
    for (size_t i = 0; i < a->n_pcts; i++) {
        pct_word(pw, sizeof pw, a->pcts[i]);
        snprintf(key, sizeof key, "p%s_%s_ms", pw, metric);
        add_num(o, key, m->pct[i]);
    }
}

static int print_json(FILE *f, cJSON *o, struct cs_err *err)
{
    char *s = cJSON_Print(o);
    cJSON_Delete(o);
    if (!s)
        return cs_err_set(err, CS_EIO, "cannot format the result as JSON");
    fputs(s, f);
    fputc('\n', f);
    cJSON_free(s);
    return ferror(f) ? cs_err_set(err, CS_EIO, "cannot write the result") : CS_OK;
}

int report_serve_json(FILE *f, const struct serve_result *r, const struct serve_args *a,
                      const struct serve_echo *e, struct cs_err *err)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "backend", "capsim");
    cJSON_AddStringToObject(o, "model_id", e->model_id);
    add_num(o, "num_prompts", (double)e->num_prompts);
    if (isfinite(e->request_rate))
        add_num(o, "request_rate", e->request_rate);
    else
        cJSON_AddStringToObject(o, "request_rate", "inf");
    add_num(o, "burstiness", e->burstiness);
    if (e->max_concurrency > 0)
        add_num(o, "max_concurrency", (double)e->max_concurrency);
    else
        cJSON_AddNullToObject(o, "max_concurrency");
    add_num(o, "duration", r->duration);
    add_num(o, "completed", (double)r->completed);
    add_num(o, "failed", (double)r->failed);
    add_num(o, "total_input_tokens", (double)r->total_input_tokens);
    add_num(o, "total_output_tokens", (double)r->total_output_tokens);
    add_num(o, "request_throughput", r->request_throughput);
    cJSON_AddNullToObject(o, "request_goodput");
    add_num(o, "output_throughput", r->output_throughput);
    add_num(o, "total_token_throughput", r->total_token_throughput);
    add_num(o, "max_output_tokens_per_s", r->max_output_tokens_per_s);
    add_num(o, "max_concurrent_requests", (double)r->max_concurrent_requests);
    add_summary(o, "ttft", &r->ttft_ms, a);
    add_summary(o, "tpot", &r->tpot_ms, a);
    add_summary(o, "itl", &r->itl_ms, a);
    add_summary(o, "e2el", &r->e2el_ms, a);
    cJSON_AddStringToObject(o, "capsim_version", CAPSIM_VERSION);
    cJSON_AddStringToObject(o, "capsim_precision", e->precision);
    cJSON_AddStringToObject(o, "capsim_profile", e->profile);
    add_num(o, "capsim_seed", (double)e->seed);
    add_num(o, "capsim_seeds", e->seeds);
    add_num(o, "capsim_num_preemptions", (double)r->num_preemptions);
    add_num(o, "capsim_kv_cache_usage_peak", r->kv_cache_usage_peak);
    add_num(o, "capsim_peak_running", (double)r->peak_running);
    cJSON_AddBoolToObject(o, "capsim_overloaded", r->overloaded);
    return print_json(f, o, err);
}

static void cell(char *out, size_t n, struct mean_std m)
{
    snprintf(out, n, "%.2f ± %.2f", m.mean, m.std);
}

static void test_name(char *out, size_t n, const char *kind, int64_t v, int64_t depth,
                      int64_t c, int64_t max_c)
{
    int k = snprintf(out, n, "%s%lld", kind, (long long)v);
    if (depth > 0)
        k += snprintf(out + k, n - (size_t)k, " @ d%lld", (long long)depth);
    if (max_c > 1)
        snprintf(out + k, n - (size_t)k, " (c%lld)", (long long)c);
}

void report_benchy_md(FILE *f, const char *model, const char *latency_mode,
                      const struct benchy_point *pts, size_t n, int64_t max_c)
{
    fprintf(f, "| model | test | %s | t/s (req) | peak t/s | peak t/s (req) | ttfr (ms) | "
               "est_ppt (ms) | e2e_ttft (ms) |\n",
            max_c > 1 ? "t/s (total)" : "t/s");
    fprintf(f, "|:---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t i = 0; i < n; i++) {
        const struct benchy_point *p = &pts[i];
        const struct benchy_row *r = &p->row;
        char name[64], a[48], b[48], c[48], d[48], e[48], g[48], h[48];
        test_name(name, sizeof name, "pp", p->pp, p->depth, p->concurrency, max_c);
        cell(a, sizeof a, r->pp_tps_total);
        cell(b, sizeof b, r->pp_tps_req);
        cell(c, sizeof c, r->ttfr_ms);
        cell(d, sizeof d, r->est_ppt_ms);
        cell(e, sizeof e, r->e2e_ttft_ms);
        fprintf(f, "| %s | %s | %s | %s |  |  | %s | %s | %s |\n", model, name, a, b, c, d, e);
        test_name(name, sizeof name, "tg", p->tg, p->depth, p->concurrency, max_c);
        cell(a, sizeof a, r->tg_tps_total);
        cell(b, sizeof b, r->tg_tps_req);
        cell(g, sizeof g, r->tg_peak_tps);
        cell(h, sizeof h, r->tg_peak_tps_req);
        fprintf(f, "| %s | %s | %s | %s | %s | %s |  |  |  |\n", model, name, a, b, g, h);
    }
    fprintf(f, "\ncapsim %s (simulated llama-benchy 0.4.0) | latency mode: %s\n",
            CAPSIM_VERSION, latency_mode);
}

static void add_ms(cJSON *o, const char *key, struct mean_std m)
{
    cJSON *x = cJSON_AddObjectToObject(o, key);
    add_num(x, "mean", m.mean);
    add_num(x, "std", m.std);
}

int report_benchy_json(FILE *f, const char *model, const char *latency_mode,
                       const struct benchy_point *pts, size_t n, int64_t max_c,
                       struct cs_err *err)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "version", "capsim " CAPSIM_VERSION " (simulated llama-benchy 0.4.0)");
    cJSON_AddStringToObject(o, "model", model);
    cJSON_AddStringToObject(o, "latency_mode", latency_mode);
    add_num(o, "latency_ms", n ? pts[0].row.latency_ms : 0);
    cJSON_AddBoolToObject(o, "prefix_caching_enabled", 0);
    add_num(o, "max_concurrency", (double)max_c);
    cJSON *arr = cJSON_AddArrayToObject(o, "benchmarks");
    for (size_t i = 0; i < n; i++) {
        const struct benchy_point *p = &pts[i];
        cJSON *b = cJSON_CreateObject();
        add_num(b, "concurrency", (double)p->concurrency);
        add_num(b, "context_size", (double)p->depth);
        add_num(b, "prompt_size", (double)p->pp);
        add_num(b, "response_size", (double)p->tg);
        cJSON_AddBoolToObject(b, "is_context_prefill_phase", 0);
        add_num(b, "latency_ms", p->row.latency_ms);
        add_ms(b, "pp_throughput", p->row.pp_tps_total);
        add_ms(b, "pp_req_throughput", p->row.pp_tps_req);
        add_ms(b, "tg_throughput", p->row.tg_tps_total);
        add_ms(b, "tg_req_throughput", p->row.tg_tps_req);
        add_ms(b, "peak_throughput", p->row.tg_peak_tps);
        add_ms(b, "peak_req_throughput", p->row.tg_peak_tps_req);
        add_ms(b, "ttfr", p->row.ttfr_ms);
        add_ms(b, "est_ppt", p->row.est_ppt_ms);
        add_ms(b, "e2e_ttft", p->row.e2e_ttft_ms);
        cJSON_AddItemToArray(arr, b);
    }
    return print_json(f, o, err);
}
