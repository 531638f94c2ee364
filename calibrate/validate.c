/*
 * validate.c - arena cases through the emulated clients. One deploy per
 * run is shared by all of that run's cases.
 */
#include "calibrate/validate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "client/benchy.h"
#include "client/deploy.h"
#include "client/serve.h"
#include "common/json.h"
#include "common/stats.h"
#include "common/xalloc.h"

/* Model tokens per GPT-2 token for llama-benchy's English book prompts:
 * the median of derived_prompt_tokens_est / pp over the arena's 8k rows
 * (0.91, range 0.87-1.02, shared/arena/README.md). A tokenizer property. */
#define ARENA_PROMPT_TOKEN_RATIO 0.91

static const char *const vgroup_names[] = {
    [VG_TG_REQ] = "decode tok/s per user (closed)",
    [VG_TG_TOTAL] = "decode tok/s total (closed)",
    [VG_CLOSED_TTFT] = "TTFT mean (closed)",
    [VG_LATENCY] = "latency probe (closed)",
    [VG_P50_TTFT] = "p50 TTFT (open)",
    [VG_P95_TTFT] = "p95 TTFT (open)",
    [VG_P99_TTFT] = "p99 TTFT (open)",
    [VG_P50_TPOT] = "p50 TPOT (open)",
    [VG_P95_TPOT] = "p95 TPOT (open)",
    [VG_REQ_RATE] = "achieved request rate (open)",
};
_Static_assert(CS_ARRAY_LEN(vgroup_names) == VG_COUNT, "vgroup names out of step");

static const enum arena_metric vgroup_metric[] = {
    [VG_TG_REQ] = AM_TG_TPS_REQ_MEAN,       [VG_TG_TOTAL] = AM_TG_TPS_TOTAL_MEAN,
    [VG_CLOSED_TTFT] = AM_PP_TTFR_MS_MEAN,  [VG_LATENCY] = AM_LATENCY_MS,
    [VG_P50_TTFT] = AM_P50_TTFT_MS,
    [VG_P95_TTFT] = AM_P95_TTFT_MS,         [VG_P99_TTFT] = AM_P99_TTFT_MS,
    [VG_P50_TPOT] = AM_P50_TPOT_MS,         [VG_P95_TPOT] = AM_P95_TPOT_MS,
    [VG_REQ_RATE] = AM_REQUEST_THROUGHPUT,
};

const char *vgroup_name(enum vgroup g)
{
    return (unsigned)g < VG_COUNT ? vgroup_names[g] : "?";
}

/* Mean acceptance length (tokens per step, incl. the bonus token) the run
 * measured on a dataset kind; NaN if none. */
static double run_acceptance(const struct arena *a, size_t run, const char *dataset)
{
    double sum = 0;
    int n = 0;
    for (size_t i = 0; i < a->n_open; i++)
        if (a->open[i].run == run && strcmp(a->open[i].dataset_name, dataset) == 0 &&
            !isnan(a->open[i].spec_acceptance_length)) {
            sum += a->open[i].spec_acceptance_length;
            n++;
        }
    return n ? sum / n : NAN;
}

int validate_run_deploy(const struct arena *a, size_t run, const struct profile *p,
                        double accept_len, struct deploy **out, struct cs_err *err)
{
    const struct arena_run *r = &a->runs[run];
    struct deploy_args da;
    deploy_args_init(&da);
    da.model = *r->hf_model ? r->hf_model : r->model;
    /* The checkpoint the run loaded (its Hugging Face id) decides the
     * weights, not the folder name: the "bf16" Ministral-3 runs load FP8
     * repos (shared/models/README.md note 3). */
    da.precision = NULL;
    da.kv_cache_dtype = r->kv_cache_dtype;
    da.gpu_memory_utilization = r->gpu_memory_utilization;
    da.max_model_len = (uint32_t)r->max_model_len;
    da.max_num_batched_tokens = (uint32_t)r->max_num_batched_tokens;
    da.max_num_seqs = (uint32_t)r->max_num_seqs;
    da.async_scheduling = r->async_scheduling;
    /* The arena ran with it off (runs.json server_config). */
    da.enable_prefix_caching = r->enable_prefix_caching;
    da.language_model_only = r->language_model_only;
    /* A backend name capsim does not know (vLLM adds kernels often) is
     * taken as vLLM's default rather than losing the run. */
    enum kernel_backend kb;
    da.linear_backend = kernel_backend_parse(r->linear_backend, "", &kb, NULL) ? NULL : r->linear_backend;
    da.moe_backend = kernel_backend_parse(r->moe_backend, "", &kb, NULL) ? NULL : r->moe_backend;
    da.force_fp8_marlin = r->force_fp8_marlin;
    da.profile = p;
    if (r->num_speculative_tokens > 0) {
        da.num_speculative_tokens = (uint32_t)r->num_speculative_tokens;
        da.spec_mean_accepted = isnan(accept_len) ? 0.0 : fmax(0.0, accept_len - 1.0);
        /* A method capsim does not know runs unpriced, as the backends above. */
        if (spec_method_parse(r->spec_method, "", &da.spec_method, NULL))
            da.spec_method = SPEC_OTHER;
        da.mamba_cache_fp32 = da.spec_method == SPEC_MTP;
    }
    int rc = deploy_new(&da, out, err);
    if (rc)
        cs_err_prefix(err, "%s", r->id);
    return rc;
}

static void predict_closed(const struct deploy *d, const struct arena_closed *c, double *pred,
                           struct cs_err *err, bool *ok)
{
    struct benchy_args b;
    benchy_args_init(&b);
    b.pp = c->pp;
    b.tg = c->tg;
    b.depth = c->depth;
    b.concurrency = c->concurrency;
    b.runs = c->runs;
    benchy_latency_parse(c->latency_mode, &b.latency_mode, err); /* checked by arena_load */
    b.delta_user = isnan(c->warmup_user_delta) ? 0 : c->warmup_user_delta;
    b.delta_context = isnan(c->warmup_context_delta) ? b.delta_user : c->warmup_context_delta;
    b.prompt_token_ratio = ARENA_PROMPT_TOKEN_RATIO;
    struct benchy_row row;
    *ok = benchy_run(d, &b, &row, err) == CS_OK;
    if (!*ok)
        return;
    pred[AM_TG_TPS_REQ_MEAN] = row.tg_tps_req.mean;
    pred[AM_TG_TPS_TOTAL_MEAN] = row.tg_tps_total.mean;
    pred[AM_TG_PEAK_TPS_MEAN] = row.tg_peak_tps.mean;
    pred[AM_PP_TPS_REQ_MEAN] = row.pp_tps_req.mean;
    pred[AM_PP_TPS_TOTAL_MEAN] = row.pp_tps_total.mean;
    pred[AM_PP_TTFR_MS_MEAN] = row.ttfr_ms.mean;
    pred[AM_PP_EST_PPT_MS_MEAN] = row.est_ppt_ms.mean;
    pred[AM_PP_E2E_TTFT_MS_MEAN] = row.e2e_ttft_ms.mean;
    pred[AM_LATENCY_MS] = row.latency_ms;
}

/* Mean client-side prompt and reply length the workload draws. */
static void workload_means(const struct serve_args *s, double *in, double *out)
{
    size_t n = (size_t)s->num_prompts;
    struct workload_req *w = xcalloc(n, sizeof *w);
    int rc = s->dataset == DATASET_RANDOM ? workload_random(&s->random, s->seed, n, w, NULL)
                                          : workload_sharegpt_builtin(s->seed, n, w, NULL);
    double si = 0, so = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        si += w[i].n_prompt;
        so += w[i].n_output;
    }
    *in = si / n;
    *out = so / n;
    free(w);
}

static void predict_open(const struct deploy *d, const struct arena_open *o,
                         const struct validate_filter *f, double *pred, struct cs_err *err, bool *ok)
{
    struct serve_args s;
    serve_args_init(&s);
    s.skip_itl = f->skip_itl;
    s.dataset = strcmp(o->dataset_name, "sharegpt") == 0 ? DATASET_SHAREGPT : DATASET_RANDOM;
    s.random.input_len = o->random_input_len ? o->random_input_len : 1024;
    s.random.output_len = o->random_output_len ? o->random_output_len : 128;
    s.random.range_ratio = o->random_range_ratio;
    s.random.prefix_len = o->random_prefix_len;
    s.num_prompts = o->num_prompts;
    s.request_rate = o->request_rate;
    s.burstiness = o->burstiness;
    s.max_concurrency = o->max_concurrency;
    s.seed = o->seed;
    const double pcts[] = { 50, 90, 95, 99 };
    memcpy(s.pcts, pcts, sizeof pcts);
    s.n_pcts = 4;
    /* Server-side prompt = client prompt + the chat template; replies as
     * long as the model made them (EOS before max_tokens for some). */
    double in, out;
    workload_means(&s, &in, &out);
    if (!isnan(o->mean_input_tokens))
        s.chat_template_tokens = fmax(0.0, o->mean_input_tokens - in);
    if (!isnan(o->mean_output_tokens) && out > 0)
        s.output_scale = fmin(1.0, o->mean_output_tokens / out);
    struct serve_result r;
    *ok = serve_run_seeds(d, &s, f->seeds > 0 ? f->seeds : 1, &r, err) == CS_OK;
    if (!*ok)
        return;
    pred[AM_MEAN_TTFT_MS] = r.ttft_ms.mean;
    pred[AM_P50_TTFT_MS] = r.ttft_ms.pct[0];
    pred[AM_P90_TTFT_MS] = r.ttft_ms.pct[1];
    pred[AM_P95_TTFT_MS] = r.ttft_ms.pct[2];
    pred[AM_P99_TTFT_MS] = r.ttft_ms.pct[3];
    pred[AM_MEAN_TPOT_MS] = r.tpot_ms.mean;
    pred[AM_P50_TPOT_MS] = r.tpot_ms.pct[0];
    pred[AM_P90_TPOT_MS] = r.tpot_ms.pct[1];
    pred[AM_P95_TPOT_MS] = r.tpot_ms.pct[2];
    pred[AM_P99_TPOT_MS] = r.tpot_ms.pct[3];
    if (!f->skip_itl) {
        pred[AM_MEAN_ITL_MS] = r.itl_ms.mean;
        pred[AM_P50_ITL_MS] = r.itl_ms.pct[0];
        pred[AM_P99_ITL_MS] = r.itl_ms.pct[3];
    }
    pred[AM_MEAN_E2EL_MS] = r.e2el_ms.mean;
    pred[AM_P50_E2EL_MS] = r.e2el_ms.pct[0];
    pred[AM_P99_E2EL_MS] = r.e2el_ms.pct[3];
    pred[AM_REQUEST_THROUGHPUT] = r.request_throughput;
    pred[AM_OUTPUT_THROUGHPUT] = r.output_throughput;
    pred[AM_DURATION] = r.duration;
    pred[AM_MAX_CONCURRENT_REQUESTS] = (double)r.max_concurrent_requests;
}

static bool wanted(const struct arena *a, size_t run, const struct validate_filter *f)
{
    if (!f->model)
        return true;
    bool same = strcmp(a->runs[run].model, f->model) == 0;
    return f->exclude ? !same : same;
}

int validate_run(const struct arena *a, const struct profile *p, const struct validate_filter *f,
                 struct validation **out, struct cs_err *err)
{
    struct validation *v = xcalloc(1, sizeof *v);
    v->arena = a;
    v->closed = xmalloc((a->n_closed ? a->n_closed : 1) * sizeof *v->closed);
    v->open = xmalloc((a->n_open ? a->n_open : 1) * sizeof *v->open);
    v->closed_ok = xcalloc(a->n_closed + 1, sizeof *v->closed_ok);
    v->open_ok = xcalloc(a->n_open + 1, sizeof *v->open_ok);
    v->run_err = xcalloc(a->n_runs + 1, sizeof *v->run_err);
    for (size_t i = 0; i < a->n_closed; i++)
        for (int m = 0; m < AM_COUNT; m++)
            v->closed[i][m] = NAN;
    for (size_t i = 0; i < a->n_open; i++)
        for (int m = 0; m < AM_COUNT; m++)
            v->open[i][m] = NAN;
    for (size_t run = 0; run < a->n_runs; run++) {
        if (!wanted(a, run, f))
            continue;
        /* Book text (closed loop) is predictable like ShareGPT chat, random
         * token prompts are not: acceptance per dataset kind. */
        double acc_text = run_acceptance(a, run, "sharegpt");
        double acc_random = run_acceptance(a, run, "random");
        struct deploy *d_text = NULL, *d_random = NULL;
        int rc = validate_run_deploy(a, run, p, acc_text, &d_text, err);
        if (!rc)
            rc = validate_run_deploy(a, run, p, acc_random, &d_random, err);
        if (rc) {
            v->run_err[run] = *err;
            deploy_free(d_text);
            deploy_free(d_random);
            continue;
        }
        struct cs_err case_err;
        if (f->closed)
            for (size_t i = 0; i < a->n_closed; i++)
                if (a->closed[i].run == run)
                    predict_closed(d_text, &a->closed[i], v->closed[i], &case_err, &v->closed_ok[i]);
        if (f->open)
            for (size_t i = 0; i < a->n_open; i++)
                if (a->open[i].run == run) {
                    const struct deploy *d =
                        strcmp(a->open[i].dataset_name, "sharegpt") == 0 ? d_text : d_random;
                    predict_open(d, &a->open[i], f, v->open[i], &case_err, &v->open_ok[i]);
                }
        deploy_free(d_text);
        deploy_free(d_random);
    }
    *out = v;
    return CS_OK;
}

void validate_free(struct validation *v)
{
    if (!v)
        return;
    free(v->closed);
    free(v->open);
    free(v->closed_ok);
    free(v->open_ok);
    free(v->run_err);
    free(v);
}

/* ---------------------------------------------------------------- output */

static void put_metrics(cJSON *o, const char *name, const double *x, int from, int to)
{
    cJSON *m = cJSON_AddObjectToObject(o, name);
    for (int k = from; k < to; k++)
        if (!isnan(x[k]))
            json_add_sig(m, arena_metric_name(k), x[k], 6);
}

int validate_write_jsonl(const struct validation *v, FILE *f, struct cs_err *err)
{
    const struct arena *a = v->arena;
    int rc = CS_OK;
    for (size_t i = 0; i < a->n_closed && !rc; i++) {
        if (!v->closed_ok[i])
            continue;
        const struct arena_closed *c = &a->closed[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "run_id", a->runs[c->run].id);
        cJSON_AddStringToObject(o, "test", c->test);
        json_add_int(o, "pp", c->pp);
        json_add_int(o, "tg", c->tg);
        json_add_int(o, "depth", c->depth);
        json_add_int(o, "concurrency", c->concurrency);
        put_metrics(o, "predicted", v->closed[i], 0, AM_FIRST_OPEN);
        put_metrics(o, "measured", c->measured, 0, AM_FIRST_OPEN);
        rc = json_write_line(f, o, err);
    }
    for (size_t i = 0; i < a->n_open && !rc; i++) {
        if (!v->open_ok[i])
            continue;
        const struct arena_open *op = &a->open[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "run_id", a->runs[op->run].id);
        cJSON_AddStringToObject(o, "test", op->test);
        json_add_sig(o, "step_rate", op->step_rate, 6); /* NaN (no step): null */
        put_metrics(o, "predicted", v->open[i], AM_FIRST_OPEN, AM_COUNT);
        put_metrics(o, "measured", op->measured, AM_FIRST_OPEN, AM_COUNT);
        rc = json_write_line(f, o, err);
    }
    return rc ? cs_err_prefix(err, "validate") : CS_OK;
}

static void get_metrics(const cJSON *o, double *x, int from, int to)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "predicted");
    for (int k = from; k < to; k++) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(m, arena_metric_name(k));
        x[k] = cJSON_IsNumber(e) ? e->valuedouble : NAN;
    }
}

static bool same_int(const cJSON *o, const char *key, int64_t want)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(e) && (int64_t)e->valuedouble == want;
}

int validate_read_jsonl(struct validation *v, const char *path, struct cs_err *err)
{
    const struct arena *a = v->arena;
    char *text;
    size_t len;
    int rc = json_read_file(path, &text, &len, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < a->n_closed; i++)
        v->closed_ok[i] = false;
    for (size_t i = 0; i < a->n_open; i++)
        v->open_ok[i] = false;
    size_t line = 0;
    for (char *p = text, *nl; *p && !rc; p = nl ? nl + 1 : p + strlen(p)) {
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        line++;
        if (!*p)
            continue;
        cJSON *o = cJSON_Parse(p);
        const cJSON *run = cJSON_GetObjectItemCaseSensitive(o, "run_id");
        const cJSON *test = cJSON_GetObjectItemCaseSensitive(o, "test");
        if (!cJSON_IsString(run) || !cJSON_IsString(test)) {
            cJSON_Delete(o);
            rc = cs_err_set(err, CS_EINPUT, "%s:%zu: want a JSON object with run_id and test", path, line);
            break;
        }
        bool found = false;
        if (cJSON_GetObjectItemCaseSensitive(o, "pp")) {
            for (size_t i = 0; i < a->n_closed && !found; i++) {
                const struct arena_closed *c = &a->closed[i];
                if (strcmp(a->runs[c->run].id, run->valuestring) || strcmp(c->test, test->valuestring) ||
                    !same_int(o, "pp", c->pp) || !same_int(o, "tg", c->tg) ||
                    !same_int(o, "depth", c->depth) || !same_int(o, "concurrency", c->concurrency))
                    continue;
                get_metrics(o, v->closed[i], 0, AM_FIRST_OPEN);
                v->closed_ok[i] = found = true;
            }
        } else {
            const cJSON *sr = cJSON_GetObjectItemCaseSensitive(o, "step_rate");
            double step = cJSON_IsNumber(sr) ? sr->valuedouble : NAN;
            for (size_t i = 0; i < a->n_open && !found; i++) {
                const struct arena_open *op = &a->open[i];
                bool same_step = isnan(step) ? isnan(op->step_rate) : fabs(op->step_rate - step) < 1e-9;
                if (strcmp(a->runs[op->run].id, run->valuestring) || strcmp(op->test, test->valuestring) ||
                    !same_step)
                    continue;
                get_metrics(o, v->open[i], AM_FIRST_OPEN, AM_COUNT);
                v->open_ok[i] = found = true;
            }
        }
        cJSON_Delete(o);
        if (!found)
            rc = cs_err_set(err, CS_EINPUT, "%s:%zu: no such case in %s (run %s, test %s)", path, line, a->dir,
                            run->valuestring, test->valuestring);
    }
    free(text);
    return rc;
}

/* Cases whose measurement is trustworthy for the metric: open-loop runs
 * with failed requests, or replies cut well short of their sampled
 * length, are left out (shared/arena/README.md caveats). */
bool validate_open_usable(const struct arena_open *o)
{
    if (o->failed > 0)
        return false;
    if (!isnan(o->output_vs_sampled) && o->output_vs_sampled < 0.9)
        return false;
    return true;
}

size_t validate_run_errors(const struct validation *v, enum vgroup g, size_t run, double *out)
{
    const struct arena *a = v->arena;
    enum arena_metric m = vgroup_metric[g];
    size_t n = 0;
    if (m < AM_FIRST_OPEN) {
        for (size_t i = 0; i < a->n_closed; i++) {
            double p = v->closed[i][m], x = a->closed[i].measured[m];
            if ((run == VALIDATE_ALL_RUNS || a->closed[i].run == run) && v->closed_ok[i] &&
                !isnan(p) && !isnan(x) && x > 0)
                out[n++] = (p / x - 1.0) * 100.0;
        }
    } else {
        for (size_t i = 0; i < a->n_open; i++) {
            double p = v->open[i][m], x = a->open[i].measured[m];
            if ((run == VALIDATE_ALL_RUNS || a->open[i].run == run) && v->open_ok[i] &&
                validate_open_usable(&a->open[i]) && !isnan(p) && !isnan(x) && x > 0)
                out[n++] = (p / x - 1.0) * 100.0;
        }
    }
    return n;
}

size_t validate_group_errors(const struct validation *v, enum vgroup g, double *out)
{
    size_t n = validate_run_errors(v, g, VALIDATE_ALL_RUNS, out);
    for (size_t i = 0; i < n; i++)
        out[i] = fabs(out[i]);
    return n;
}

void validate_capacity(const struct validation *v, int *n_cases, int *n_within)
{
    const struct arena *a = v->arena;
    static const double limits_ms[] = { 2000, 5000, 10000 };
    *n_cases = *n_within = 0;
    for (size_t run = 0; run < a->n_runs; run++) {
        /* the run's sweep steps in rate order */
        double rate[16], meas[16], pred[16];
        int n = 0;
        for (size_t i = 0; i < a->n_open && n < 16; i++) {
            const struct arena_open *o = &a->open[i];
            if (o->run != run || isnan(o->step_rate) || !v->open_ok[i])
                continue;
            rate[n] = o->step_rate;
            meas[n] = o->measured[AM_P95_TTFT_MS];
            pred[n] = v->open[i][AM_P95_TTFT_MS];
            n++;
        }
        if (n < 2)
            continue;
        for (int l = 0; l < 3; l++) {
            int im = -1, ip = -1; /* highest passing step index, -1 = none */
            for (int k = 0; k < n; k++) {
                if (meas[k] <= limits_ms[l])
                    im = k;
                if (pred[k] <= limits_ms[l])
                    ip = k;
            }
            (void)rate;
            (*n_cases)++;
            if (abs(im - ip) <= 1)
                (*n_within)++;
        }
    }
}

void validate_print_by_run(const struct validation *v, FILE *f)
{
    static const enum vgroup cols[] = { VG_TG_REQ,   VG_CLOSED_TTFT, VG_P50_TTFT,
                                        VG_P95_TTFT, VG_P50_TPOT,    VG_P95_TPOT };
    static const char *const head[] = { "decode/user", "TTFT closed", "p50 TTFT",
                                        "p95 TTFT",    "p50 TPOT",    "p95 TPOT" };
    const struct arena *a = v->arena;
    double *e = xmalloc((a->n_closed + a->n_open + 1) * sizeof *e);
    fprintf(f, "median signed error per run, %% (predicted/measured - 1; + = capsim says slower "
               "or longer)\n%-46s", "run");
    for (size_t c = 0; c < CS_ARRAY_LEN(cols); c++)
        fprintf(f, " %11s", head[c]);
    fputc('\n', f);
    for (size_t run = 0; run < a->n_runs; run++) {
        char cell[CS_ARRAY_LEN(cols)][16];
        bool any = false;
        for (size_t c = 0; c < CS_ARRAY_LEN(cols); c++) {
            size_t n = validate_run_errors(v, cols[c], run, e);
            /* a decode rate that is too high means a step predicted too
             * fast: flip its sign so + always reads "capsim is slower" */
            if (cols[c] == VG_TG_REQ)
                for (size_t i = 0; i < n; i++)
                    e[i] = -e[i];
            if (n) {
                snprintf(cell[c], sizeof cell[c], "%+.0f", stats_percentile(e, n, 50));
                any = true;
            } else {
                snprintf(cell[c], sizeof cell[c], "-");
            }
        }
        if (!any)
            continue;
        fprintf(f, "%-46s", a->runs[run].id);
        for (size_t c = 0; c < CS_ARRAY_LEN(cols); c++)
            fprintf(f, " %11s", cell[c]);
        fputc('\n', f);
    }
    free(e);
}

void validate_print_table(const struct validation *v, FILE *f)
{
    size_t cap = v->arena->n_closed + v->arena->n_open + 1;
    double *e = xmalloc(cap * sizeof *e);
    fprintf(f, "%-32s %6s %10s %10s\n", "metric", "cases", "median APE", "p90 APE");
    for (int g = 0; g < VG_COUNT; g++) {
        size_t n = validate_group_errors(v, (enum vgroup)g, e);
        if (n == 0)
            continue;
        stats_sort(e, n);
        fprintf(f, "%-32s %6zu %9.1f%% %9.1f%%\n", vgroup_name((enum vgroup)g), n,
                stats_percentile_sorted(e, n, 50), stats_percentile_sorted(e, n, 90));
    }
    int nc, nw;
    validate_capacity(v, &nc, &nw);
    if (nc)
        fprintf(f, "%-32s %6d %9.0f%% within one sweep step\n", "capacity (p95 TTFT 2/5/10 s)",
                nc, 100.0 * nw / nc);
    free(e);
}
