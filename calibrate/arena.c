/*
 * arena.c - load an arena folder. runs.json is one JSON array; the two
 * .jsonl files hold one JSON object per line. Every row is checked for the
 * fields simulation needs; measured metrics may be absent (NaN).
 */
#include "calibrate/arena.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/benchy.h"
#include "common/json.h"
#include "common/xalloc.h"

static const char *const arena_metric_names[] = {
    [AM_TG_TPS_REQ_MEAN] = "tg_tps_req_mean",
    [AM_TG_TPS_TOTAL_MEAN] = "tg_tps_total_mean",
    [AM_TG_PEAK_TPS_MEAN] = "tg_peak_tps_mean",
    [AM_PP_TPS_REQ_MEAN] = "pp_tps_req_mean",
    [AM_PP_TPS_TOTAL_MEAN] = "pp_tps_total_mean",
    [AM_PP_TTFR_MS_MEAN] = "pp_ttfr_ms_mean",
    [AM_PP_EST_PPT_MS_MEAN] = "pp_est_ppt_ms_mean",
    [AM_PP_E2E_TTFT_MS_MEAN] = "pp_e2e_ttft_ms_mean",
    [AM_LATENCY_MS] = "latency_ms",
    [AM_MEAN_TTFT_MS] = "mean_ttft_ms",
    [AM_P50_TTFT_MS] = "p50_ttft_ms",
    [AM_P90_TTFT_MS] = "p90_ttft_ms",
    [AM_P95_TTFT_MS] = "p95_ttft_ms",
    [AM_P99_TTFT_MS] = "p99_ttft_ms",
    [AM_MEAN_TPOT_MS] = "mean_tpot_ms",
    [AM_P50_TPOT_MS] = "p50_tpot_ms",
    [AM_P90_TPOT_MS] = "p90_tpot_ms",
    [AM_P95_TPOT_MS] = "p95_tpot_ms",
    [AM_P99_TPOT_MS] = "p99_tpot_ms",
    [AM_MEAN_ITL_MS] = "mean_itl_ms",
    [AM_P50_ITL_MS] = "p50_itl_ms",
    [AM_P99_ITL_MS] = "p99_itl_ms",
    [AM_MEAN_E2EL_MS] = "mean_e2el_ms",
    [AM_P50_E2EL_MS] = "p50_e2el_ms",
    [AM_P99_E2EL_MS] = "p99_e2el_ms",
    [AM_REQUEST_THROUGHPUT] = "request_throughput",
    [AM_OUTPUT_THROUGHPUT] = "output_throughput",
    [AM_DURATION] = "duration",
    [AM_MAX_CONCURRENT_REQUESTS] = "max_concurrent_requests",
};
_Static_assert(CS_ARRAY_LEN(arena_metric_names) == AM_COUNT, "arena_metric_names out of step");

const char *arena_metric_name(enum arena_metric m)
{
    return (unsigned)m < AM_COUNT ? arena_metric_names[m] : "?";
}

/* ---------------------------------------------------------------- helpers */

struct where {
    char file[600];
    char path[160];
};

static int get_str(const cJSON *o, const char *key, bool required, char **out,
                   const struct where *w, struct cs_err *err)
{
    const char *s = NULL;
    int rc = json_get_string(o, key, required, &s, w->file, w->path, err);
    if (rc)
        return rc;
    *out = xstrdup(s ? s : "");
    return CS_OK;
}

static int get_int(const cJSON *o, const char *key, bool required, int64_t min, int64_t *out,
                   const struct where *w, struct cs_err *err)
{
    return json_get_int(o, key, required, min, INT64_MAX / 2, out, w->file, w->path, err);
}

/* A measured value: absent or null is NaN; otherwise it must be a finite number. */
static int get_measured(const cJSON *o, const char *key, double *out, const struct where *w,
                        struct cs_err *err)
{
    *out = NAN;
    return json_get_number(o, key, false, -1e300, 1e300, out, w->file, w->path, err);
}

/* ---------------------------------------------------------------- runs */

static int load_run(const cJSON *o, struct arena_run *r, const struct where *w,
                    struct cs_err *err)
{
    int rc;
    if (!cJSON_IsObject(o))
        return cs_err_set(err, CS_EINPUT, "%s: %s: must be an object", w->file, w->path);
    if ((rc = get_str(o, "id", true, &r->id, w, err)) ||
        (rc = get_str(o, "model", true, &r->model, w, err)) ||
        (rc = get_str(o, "precision", true, &r->precision, w, err)) ||
        (rc = get_str(o, "hf_model", false, &r->hf_model, w, err)) ||
        (rc = get_str(o, "kv_cache_dtype", false, &r->kv_cache_dtype, w, err)))
        return rc;
    if (!*r->kv_cache_dtype) {
        free(r->kv_cache_dtype);
        r->kv_cache_dtype = xstrdup("auto");
    }
    r->gpu_memory_utilization = 0.9;
    if ((rc = json_get_number(o, "gpu_memory_utilization", false, 0.01, 1.0,
                              &r->gpu_memory_utilization, w->file, w->path, err)))
        return rc;
    if ((rc = get_int(o, "max_model_len", false, 1, &r->max_model_len, w, err)) ||
        (rc = get_int(o, "max_num_batched_tokens_effective", false, 1,
                      &r->max_num_batched_tokens, w, err)) ||
        (rc = get_int(o, "max_num_seqs_effective", false, 1, &r->max_num_seqs, w, err)))
        return rc;
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(o, "server_config");
    r->async_scheduling = true;
    if (cJSON_IsObject(sc)) {
        struct where ws = *w;
        snprintf(ws.path, sizeof ws.path, "%.100s.server_config", w->path);
        if ((rc = json_get_bool(sc, "async_scheduling", false, &r->async_scheduling, ws.file,
                                ws.path, err)) ||
            (rc = json_get_bool(sc, "enable_prefix_caching", false, &r->enable_prefix_caching,
                                ws.file, ws.path, err)))
            return rc;
        const cJSON *ea = cJSON_GetObjectItemCaseSensitive(sc, "extra_args");
        if (cJSON_IsObject(ea))
            r->language_model_only =
                cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ea, "language_model_only"));
        const cJSON *env = cJSON_GetObjectItemCaseSensitive(sc, "env_vars");
        const cJSON *force = cJSON_IsObject(env)
                                 ? cJSON_GetObjectItemCaseSensitive(env, "VLLM_TEST_FORCE_FP8_MARLIN")
                                 : NULL;
        r->force_fp8_marlin = cJSON_IsString(force) && strcmp(force->valuestring, "1") == 0;
    }
    if ((rc = get_str(o, "linear_backend", false, &r->linear_backend, w, err)) ||
        (rc = get_str(o, "moe_backend", false, &r->moe_backend, w, err)))
        return rc;
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(o, "speculative_config");
    if (cJSON_IsObject(spec)) {
        struct where ws = *w;
        snprintf(ws.path, sizeof ws.path, "%.100s.speculative_config", w->path);
        if ((rc = get_str(spec, "method", true, &r->spec_method, &ws, err)) ||
            (rc = get_int(spec, "num_speculative_tokens", true, 0, &r->num_speculative_tokens,
                          &ws, err)))
            return rc;
    } else {
        r->spec_method = xstrdup("");
    }
    return CS_OK;
}

static void run_release(struct arena_run *r)
{
    free(r->id);
    free(r->model);
    free(r->precision);
    free(r->hf_model);
    free(r->kv_cache_dtype);
    free(r->spec_method);
    free(r->linear_backend);
    free(r->moe_backend);
}

/* ---------------------------------------------------------------- rows */

static int find_run_of_row(const struct arena *a, const cJSON *o, size_t *run,
                           const struct where *w, struct cs_err *err)
{
    const char *id = NULL;
    int rc = json_get_string(o, "run_id", true, &id, w->file, w->path, err);
    if (rc)
        return rc;
    *run = arena_find_run(a, id);
    if (*run == (size_t)-1)
        return cs_err_set(err, CS_EINPUT, "%s: %s.run_id: no such run in runs.json (got '%s')",
                          w->file, w->path, id);
    return CS_OK;
}

static int load_closed(const struct arena *a, const cJSON *o, struct arena_closed *c,
                       const struct where *w, struct cs_err *err)
{
    int rc;
    if ((rc = find_run_of_row(a, o, &c->run, w, err)) ||
        (rc = get_str(o, "test", true, &c->test, w, err)) ||
        (rc = get_int(o, "pp", true, 0, &c->pp, w, err)) ||
        (rc = get_int(o, "tg", true, 1, &c->tg, w, err)) ||
        (rc = get_int(o, "depth", true, 0, &c->depth, w, err)) ||
        (rc = get_int(o, "concurrency", true, 1, &c->concurrency, w, err)))
        return rc;
    c->runs = 3; /* llama-benchy default */
    if ((rc = get_int(o, "runs", false, 1, &c->runs, w, err)) ||
        (rc = get_str(o, "latency_mode", false, &c->latency_mode, w, err)) ||
        (rc = get_measured(o, "warmup_user_delta", &c->warmup_user_delta, w, err)) ||
        (rc = get_measured(o, "warmup_context_delta", &c->warmup_context_delta, w, err)))
        return rc;
    if (!c->latency_mode[0]) {
        free(c->latency_mode);
        c->latency_mode = xstrdup("api");
    }
    enum benchy_latency lm;
    if (benchy_latency_parse(c->latency_mode, &lm, err))
        return cs_err_set(err, CS_EINPUT, "%s: %s.latency_mode: must be api, generation or none "
                          "(got '%s')", w->file, w->path, c->latency_mode);
    for (int m = 0; m < AM_COUNT; m++) {
        c->measured[m] = NAN;
        if (m < AM_FIRST_OPEN &&
            (rc = get_measured(o, arena_metric_names[m], &c->measured[m], w, err)))
            return rc;
    }
    return CS_OK;
}

static int load_open(const struct arena *a, const cJSON *o, struct arena_open *p,
                     const struct where *w, struct cs_err *err)
{
    int rc;
    if ((rc = find_run_of_row(a, o, &p->run, w, err)) ||
        (rc = get_str(o, "test", true, &p->test, w, err)) ||
        (rc = get_measured(o, "step_rate", &p->step_rate, w, err)) ||
        (rc = get_str(o, "arg_dataset_name", true, &p->dataset_name, w, err)) ||
        (rc = get_int(o, "arg_num_prompts", true, 1, &p->num_prompts, w, err)))
        return rc;
    /* request_rate may be the string "inf" in vLLM's JSON. */
    const cJSON *rr = cJSON_GetObjectItemCaseSensitive(o, "arg_request_rate");
    if (cJSON_IsString(rr) && strcmp(rr->valuestring, "inf") == 0)
        p->request_rate = INFINITY;
    else if ((rc = json_get_number(o, "arg_request_rate", true, 1e-9, 1e9, &p->request_rate,
                                   w->file, w->path, err)))
        return rc;
    p->burstiness = 1.0;
    if ((rc = json_get_number(o, "arg_burstiness", false, 1e-6, 1e6, &p->burstiness, w->file,
                              w->path, err)) ||
        (rc = get_int(o, "arg_max_concurrency", false, 1, &p->max_concurrency, w, err)) ||
        (rc = get_int(o, "arg_random_input_len", false, 1, &p->random_input_len, w, err)) ||
        (rc = get_int(o, "arg_random_output_len", false, 1, &p->random_output_len, w, err)) ||
        (rc = get_int(o, "arg_random_prefix_len", false, 0, &p->random_prefix_len, w, err)) ||
        (rc = json_get_number(o, "arg_random_range_ratio", false, 0.0, 1.0,
                              &p->random_range_ratio, w->file, w->path, err)) ||
        (rc = get_int(o, "arg_seed", false, INT64_MIN / 2, &p->seed, w, err)) ||
        (rc = get_int(o, "completed", false, 0, &p->completed, w, err)) ||
        (rc = get_int(o, "failed", false, 0, &p->failed, w, err)) ||
        (rc = get_measured(o, "derived_mean_input_tokens", &p->mean_input_tokens, w, err)) ||
        (rc = get_measured(o, "derived_mean_output_tokens", &p->mean_output_tokens, w, err)) ||
        (rc = get_measured(o, "derived_output_vs_sampled", &p->output_vs_sampled, w, err)) ||
        (rc = get_measured(o, "spec_decode_acceptance_length", &p->spec_acceptance_length, w,
                           err)))
        return rc;
    for (int m = 0; m < AM_COUNT; m++) {
        p->measured[m] = NAN;
        if (m >= AM_FIRST_OPEN &&
            (rc = get_measured(o, arena_metric_names[m], &p->measured[m], w, err)))
            return rc;
    }
    return CS_OK;
}

/* Call fn for each non-empty line of a JSON-lines file. */
typedef int (*line_fn)(struct arena *a, const cJSON *o, const struct where *w,
                       struct cs_err *err);

static int for_each_line(struct arena *a, const char *name, line_fn fn, struct cs_err *err)
{
    struct where w;
    snprintf(w.file, sizeof w.file, "%s/%s", a->dir, name);
    char *text;
    size_t len;
    int rc = json_read_file(w.file, &text, &len, err);
    if (rc)
        return rc;
    size_t line = 0;
    for (char *p = text, *nl; p < text + len; p = nl + 1) {
        nl = strchr(p, '\n');
        if (!nl)
            nl = text + len;
        line++;
        size_t n = (size_t)(nl - p);
        if (n == 0 || (n == 1 && p[0] == '\r'))
            continue;
        cJSON *o;
        rc = json_parse_text(w.file, p, n, &o, err);
        if (rc) {
            cs_err_set(err, CS_EINPUT, "%s:%zu: malformed JSON line", w.file, line);
            break;
        }
        snprintf(w.path, sizeof w.path, "line %zu", line);
        rc = fn(a, o, &w, err);
        cJSON_Delete(o);
        if (rc)
            break;
    }
    free(text);
    return rc;
}


static int add_closed(struct arena *a, const cJSON *o, const struct where *w,
                      struct cs_err *err)
{
    size_t cap = a->n_closed; /* grow one at a time in chunks of 64 */
    if (a->n_closed % 64 == 0)
        a->closed = xrealloc(a->closed, (cap + 64) * sizeof *a->closed);
    struct arena_closed *c = &a->closed[a->n_closed];
    memset(c, 0, sizeof *c);
    int rc = load_closed(a, o, c, w, err);
    /* llama-benchy measures its latency probe once per call (test) and
     * prints it on every row of the call: it is a measurement of the
     * call's first row only, and the others' copies are not kept. */
    bool first_of_test = true;
    c->first_of_run = true;
    for (size_t j = 0; !rc && j < a->n_closed; j++)
        if (a->closed[j].run == c->run) {
            c->first_of_run = false;
            if (strcmp(a->closed[j].test, c->test) == 0)
                first_of_test = false;
        }
    if (!first_of_test)
        c->measured[AM_LATENCY_MS] = NAN;
    a->n_closed++; /* counted even on error so arena_free releases it */
    return rc;
}

static int add_open(struct arena *a, const cJSON *o, const struct where *w,
                    struct cs_err *err)
{
    size_t cap = a->n_open;
    if (a->n_open % 64 == 0)
        a->open = xrealloc(a->open, (cap + 64) * sizeof *a->open);
    struct arena_open *p = &a->open[a->n_open];
    memset(p, 0, sizeof *p);
    int rc = load_open(a, o, p, w, err);
    a->n_open++;
    return rc;
}

int arena_load(const char *dir, struct arena **out, struct cs_err *err)
{
    struct arena *a = xcalloc(1, sizeof *a);
    a->dir = xstrdup(dir);
    struct where w;
    snprintf(w.file, sizeof w.file, "%s/runs.json", dir);
    w.path[0] = '\0';
    cJSON *root;
    int rc = json_load_file(w.file, &root, err);
    if (rc) {
        arena_free(a);
        return rc;
    }
    if (!cJSON_IsArray(root)) {
        cJSON_Delete(root);
        arena_free(a);
        return cs_err_set(err, CS_EINPUT, "%s: .: must be an array of runs", w.file);
    }
    size_t n = (size_t)cJSON_GetArraySize(root);
    a->runs = xcalloc(n ? n : 1, sizeof *a->runs);
    const cJSON *it;
    cJSON_ArrayForEach(it, root)
    {
        snprintf(w.path, sizeof w.path, "[%zu]", a->n_runs);
        rc = load_run(it, &a->runs[a->n_runs], &w, err);
        a->n_runs++;
        if (rc)
            break;
    }
    cJSON_Delete(root);
    if (!rc)
        rc = for_each_line(a, "closed_loop.jsonl", add_closed, err);
    if (!rc)
        rc = for_each_line(a, "open_loop.jsonl", add_open, err);
    if (rc) {
        arena_free(a);
        return rc;
    }
    *out = a;
    return CS_OK;
}

void arena_free(struct arena *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n_runs; i++)
        run_release(&a->runs[i]);
    for (size_t i = 0; i < a->n_closed; i++) {
        free(a->closed[i].test);
        free(a->closed[i].latency_mode);
    }
    for (size_t i = 0; i < a->n_open; i++) {
        free(a->open[i].test);
        free(a->open[i].dataset_name);
    }
    free(a->runs);
    free(a->closed);
    free(a->open);
    free(a->dir);
    free(a);
}

size_t arena_find_run(const struct arena *a, const char *id)
{
    for (size_t i = 0; i < a->n_runs; i++)
        if (a->runs[i].id && strcmp(a->runs[i].id, id) == 0)
            return i;
    return (size_t)-1;
}
