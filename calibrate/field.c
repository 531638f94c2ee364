/*
 * field.c - load and check the field set (calibrate/field.h). Every file
 * is checked whole before any case is used: a source without its
 * citation, an unknown key or a figure outside its range is an error,
 * since a wrong number here would silently move the validation table.
 */
#include "calibrate/field.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/embedded.h"
#include "common/json.h"
#include "common/xalloc.h"

#define FIELD_PREFIX "calibrate/field/"

static const char *const metric_names[] = {
    [FM_DECODE_TPS_PER_USER] = "decode_tps_per_user",
    [FM_DECODE_TPS_TOTAL] = "decode_tps_total",
    [FM_OUTPUT_TPS] = "output_tps",
    [FM_PREFILL_TPS] = "prefill_tps",
    [FM_TTFT_MS_MEAN] = "ttft_ms_mean",
    [FM_TTFT_MS_P50] = "ttft_ms_p50",
    [FM_TPOT_MS_MEAN] = "tpot_ms_mean",
    [FM_TPOT_MS_P50] = "tpot_ms_p50",
    [FM_ITL_MS_MEAN] = "itl_ms_mean",
    [FM_ITL_MS_P50] = "itl_ms_p50",
    [FM_E2E_MS_MEAN] = "e2e_ms_mean",
    [FM_GEMM_TFLOPS] = "gemm_tflops",
    [FM_BANDWIDTH_GBS] = "bandwidth_gbs",
};
_Static_assert(CS_ARRAY_LEN(metric_names) == FM_COUNT, "field metric names out of step");

const char *field_metric_name(enum field_metric m)
{
    return (unsigned)m < FM_COUNT ? metric_names[m] : "?";
}

/* Known artefacts of a measurement, flagged per source. */
static const char *const artefact_names[] = {
    "prefix_cache_contamination", /* repeated prompts may have hit the prefix cache */
    "first_run_warmup",           /* the first measurement after boot is in the figures */
    "quantized_aggregate",        /* figures rounded or read off a chart */
    "prior_session",              /* carried over from an earlier session, not re-run */
    "eos_stops",                  /* replies ended at EOS before max_tokens */
    "clock_below_max",            /* the source saw the GPU clock below its ceiling */
    "different_harness",          /* client not one capsim emulates exactly */
    "enforce_eager",              /* no CUDA graphs: capsim prices graph-launched steps */
};

static const char *const top_keys[] = { "source", "setup", "server", "artefacts", "unsupported", "cases" };
static const char *const source_keys[] = { "id", "title", "url", "repo", "path", "commit", "licence",
                                           "retrieved", "trust" };
static const char *const setup_keys[] = { "box", "driver", "cuda", "engine", "engine_version",
                                          "model_id", "model_revision", "capsim_model", "checkpoint",
                                          "checkpoint_repo", "kernel_path", "sm120_fp4_kernels" };
static const char *const server_keys[] = {
    "gpu_memory_utilization", "max_model_len", "max_num_batched_tokens", "max_num_seqs",
    "tensor_parallel_size", "kv_cache_dtype", "linear_backend", "moe_backend",
    "speculative_config", "async_scheduling", "enable_prefix_caching", "enforce_eager",
    "force_fp8_marlin", "env", "other_flags"
};
static const char *const spec_keys[] = { "method", "num_speculative_tokens", "model" };
static const char *const case_keys[] = { "id", "line", "client", "acceptance_length", "acceptance_derived",
                                         "repeats", "measured", "spread", "unsupported", "capsim_model",
                                         "checkpoint", "model_id", "num_speculative_tokens" };
static const char *const client_keys[] = { "kind", "prompt", "prompt_stated", "output", "mean_output",
                                           "concurrency", "num_requests", "prefix_cache_hits",
                                           "unique_prompts", "rate", "tool" };

static char *dup_or_empty(const char *s)
{
    return xstrdup(s ? s : "");
}

static int get_str(const cJSON *o, const char *key, bool required, char **out, const char *file,
                   const char *path, struct cs_err *err)
{
    const char *s = NULL;
    int rc = json_get_string(o, key, required, &s, file, path, err);
    if (rc)
        return rc;
    if (required && !*s)
        return cs_err_set(err, CS_EINPUT, "%s: %s.%s: must not be empty", file, path, key);
    *out = dup_or_empty(s);
    return CS_OK;
}

static int strings_array(const cJSON *a, const char *file, const char *path, struct cs_err *err)
{
    if (!a)
        return CS_OK;
    if (!cJSON_IsArray(a))
        return cs_err_set(err, CS_EINPUT, "%s: %s: must be an array of strings", file, path);
    for (const cJSON *x = a->child; x; x = x->next)
        if (!cJSON_IsString(x))
            return cs_err_set(err, CS_EINPUT, "%s: %s: must be an array of strings", file, path);
    return CS_OK;
}

/* A tri-state flag: -1 when not stated. */
static int get_tristate(const cJSON *o, const char *key, int *out, const char *file, const char *path,
                        struct cs_err *err)
{
    *out = -1;
    if (!cJSON_GetObjectItemCaseSensitive(o, key))
        return CS_OK;
    bool b = false;
    int rc = json_get_bool(o, key, true, &b, file, path, err);
    *out = b;
    return rc;
}

static int parse_metrics(const cJSON *m, double *out, bool required, const char *file, const char *path,
                         struct cs_err *err)
{
    for (int i = 0; i < FM_COUNT; i++)
        out[i] = NAN;
    if (!m) {
        if (required)
            return cs_err_set(err, CS_EINPUT, "%s: %s: needs at least one figure", file, path);
        return CS_OK;
    }
    int rc = json_check_keys(m, metric_names, FM_COUNT, file, path, err);
    if (rc)
        return rc;
    int n = 0;
    for (int i = 0; i < FM_COUNT; i++) {
        if (!cJSON_GetObjectItemCaseSensitive(m, metric_names[i]))
            continue;
        double x = NAN;
        if ((rc = json_get_number(m, metric_names[i], true, 0, 1e9, &x, file, path, err)))
            return rc;
        if (required && !(x > 0))
            return cs_err_set(err, CS_EINPUT, "%s: %s.%s: must be > 0 (got %g)", file, path,
                              metric_names[i], x);
        out[i] = x;
        n++;
    }
    if (required && n == 0)
        return cs_err_set(err, CS_EINPUT, "%s: %s: needs at least one figure", file, path);
    return CS_OK;
}

static int parse_client(const cJSON *cl, struct field_case *c, const char *file, const char *path,
                        struct cs_err *err)
{
    int rc;
    if (!cl)
        return cs_err_set(err, CS_EINPUT, "%s: %s: missing", file, path);
    if ((rc = json_check_keys(cl, client_keys, CS_ARRAY_LEN(client_keys), file, path, err)))
        return rc;
    const char *kind = NULL;
    if ((rc = json_get_string(cl, "kind", true, &kind, file, path, err)))
        return rc;
    static const char *const kinds[] = { "serve", "burst", "single", "kernel" };
    size_t k = 0;
    while (k < CS_ARRAY_LEN(kinds) && strcmp(kind, kinds[k]) != 0)
        k++;
    if (k == CS_ARRAY_LEN(kinds))
        return cs_err_set(err, CS_EINPUT, "%s: %s.kind: must be serve, burst, single or kernel (got %s)",
                          file, path, kind);
    c->client = (enum field_client)k;
    bool needs_shape = c->client != FC_KERNEL;
    c->concurrency = 1;
    c->mean_output = NAN;
    if ((rc = json_get_int(cl, "prompt", needs_shape, 1, 4000000, &c->prompt, file, path, err)) ||
        (rc = json_get_int(cl, "output", needs_shape, 1, 1000000, &c->output, file, path, err)) ||
        (rc = json_get_number(cl, "mean_output", false, 1, 1e6, &c->mean_output, file, path, err)) ||
        (rc = json_get_int(cl, "concurrency", false, 1, 100000, &c->concurrency, file, path, err)) ||
        (rc = json_get_int(cl, "num_requests", false, 1, 1000000, &c->num_requests, file, path, err)) ||
        (rc = json_get_bool(cl, "prefix_cache_hits", false, &c->prefix_cache_hits, file, path, err)))
        return rc;
    c->prompt_stated = true;
    if ((rc = json_get_bool(cl, "prompt_stated", false, &c->prompt_stated, file, path, err)))
        return rc;
    bool unique = true;
    if ((rc = json_get_bool(cl, "unique_prompts", false, &unique, file, path, err)))
        return rc;
    const char *s = NULL;
    if ((rc = json_get_string(cl, "rate", false, &s, file, path, err)) ||
        (rc = json_get_string(cl, "tool", false, &s, file, path, err)))
        return rc;
    if (c->client == FC_SINGLE && c->concurrency != 1)
        return cs_err_set(err, CS_EINPUT, "%s: %s.concurrency: a single request has concurrency 1", file, path);
    if (c->num_requests == 0)
        c->num_requests = c->client == FC_SERVE ? 4 * c->concurrency : c->concurrency;
    if (c->client == FC_SERVE && c->num_requests < c->concurrency)
        return cs_err_set(err, CS_EINPUT, "%s: %s.num_requests: fewer than the concurrency", file, path);
    return CS_OK;
}

static int parse_case(const cJSON *o, struct field_case *c, const char *file, const char *path,
                      struct cs_err *err)
{
    int rc;
    if ((rc = json_check_keys(o, case_keys, CS_ARRAY_LEN(case_keys), file, path, err)))
        return rc;
    c->acceptance_length = NAN;
    c->repeats = 1;
    c->num_speculative_tokens = -1;
    char sub[96];
    snprintf(sub, sizeof sub, "%s.client", path);
    if ((rc = get_str(o, "id", true, &c->id, file, path, err)) ||
        (rc = get_str(o, "line", true, &c->line, file, path, err)) ||
        (rc = get_str(o, "unsupported", false, &c->unsupported, file, path, err)) ||
        (rc = parse_client(cJSON_GetObjectItemCaseSensitive(o, "client"), c, file, sub, err)) ||
        (rc = json_get_number(o, "acceptance_length", false, 1, 64, &c->acceptance_length, file, path, err)) ||
        (rc = json_get_bool(o, "acceptance_derived", false, &c->acceptance_derived, file, path, err)) ||
        (rc = json_get_int(o, "repeats", false, 1, 1000000, &c->repeats, file, path, err)) ||
        (rc = get_str(o, "capsim_model", false, &c->capsim_model, file, path, err)) ||
        (rc = get_str(o, "checkpoint", false, &c->checkpoint, file, path, err)) ||
        (rc = get_str(o, "model_id", false, &c->model_id, file, path, err)) ||
        (rc = json_get_int(o, "num_speculative_tokens", false, 0, 64, &c->num_speculative_tokens, file, path,
                           err)))
        return rc;
    snprintf(sub, sizeof sub, "%s.measured", path);
    if ((rc = parse_metrics(cJSON_GetObjectItemCaseSensitive(o, "measured"), c->measured, true, file, sub, err)))
        return rc;
    snprintf(sub, sizeof sub, "%s.spread", path);
    if ((rc = parse_metrics(cJSON_GetObjectItemCaseSensitive(o, "spread"), c->spread, false, file, sub, err)))
        return rc;
    for (int m = 0; m < FM_COUNT; m++)
        if (!isnan(c->spread[m]) && isnan(c->measured[m]))
            return cs_err_set(err, CS_EINPUT, "%s: %s.spread.%s: no such figure in measured", file, path,
                              metric_names[m]);
    bool kernel_fig = !isnan(c->measured[FM_GEMM_TFLOPS]) || !isnan(c->measured[FM_BANDWIDTH_GBS]);
    if (kernel_fig != (c->client == FC_KERNEL))
        return cs_err_set(err, CS_EINPUT, "%s: %s.measured: kernel figures (gemm_tflops, bandwidth_gbs) "
                          "go with client kind kernel, and only there", file, path);
    return CS_OK;
}

/* A field model's config.json: built in, or next to the source file. */
static int find_model_text(struct field_source *s, const char *dir, struct cs_err *err)
{
    if (strncmp(s->capsim_model, "models/", 7) != 0)
        return CS_OK;
    if (!dir) {
        char name[256];
        snprintf(name, sizeof name, FIELD_PREFIX "%s", s->capsim_model);
        const struct embedded_file *f = embedded_find(name);
        if (!f)
            return cs_err_set(err, CS_EINPUT, "%s: .setup.capsim_model: no built-in %s", s->file, name);
        s->model_text = f->text;
        return CS_OK;
    }
    return CS_OK; /* read at deploy time from dir (model_load takes the path) */
}

static int parse_source(struct field_source *s, const cJSON *root, const char *dir, struct cs_err *err)
{
    const char *file = s->file;
    int rc;
    if (!cJSON_IsObject(root))
        return cs_err_set(err, CS_EINPUT, "%s: .: must be an object", file);
    if ((rc = json_check_keys(root, top_keys, CS_ARRAY_LEN(top_keys), file, "", err)))
        return rc;
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(root, "source");
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(root, "setup");
    const cJSON *srv = cJSON_GetObjectItemCaseSensitive(root, "server");
    if (!src || !set)
        return cs_err_set(err, CS_EINPUT, "%s: .%s: missing", file, src ? "setup" : "source");
    s->trust = 1.0;
    const char *ignored = NULL;
    if ((rc = json_check_keys(src, source_keys, CS_ARRAY_LEN(source_keys), file, ".source", err)) ||
        (rc = get_str(src, "id", true, &s->id, file, ".source", err)) ||
        (rc = get_str(src, "title", true, &s->title, file, ".source", err)) ||
        (rc = get_str(src, "url", true, &s->url, file, ".source", err)) ||
        (rc = get_str(src, "repo", false, &s->repo, file, ".source", err)) ||
        (rc = get_str(src, "path", false, &s->path, file, ".source", err)) ||
        (rc = get_str(src, "commit", false, &s->commit, file, ".source", err)) ||
        (rc = get_str(src, "licence", true, &s->licence, file, ".source", err)) ||
        (rc = json_get_string(src, "retrieved", true, &ignored, file, ".source", err)) ||
        (rc = json_get_number(src, "trust", false, 0, 1, &s->trust, file, ".source", err)))
        return rc;
    /* A repository source is cited down to the commit, so the line can be found again. */
    if (*s->repo && (!*s->path || strlen(s->commit) < 7))
        return cs_err_set(err, CS_EINPUT, "%s: .source: a repo needs its path and commit", file);
    if ((rc = json_check_keys(set, setup_keys, CS_ARRAY_LEN(setup_keys), file, ".setup", err)) ||
        (rc = get_str(set, "box", true, &s->box, file, ".setup", err)) ||
        (rc = get_str(set, "driver", true, &s->driver, file, ".setup", err)) ||
        (rc = json_get_string(set, "cuda", false, &ignored, file, ".setup", err)) ||
        (rc = get_str(set, "engine", true, &s->engine, file, ".setup", err)) ||
        (rc = get_str(set, "engine_version", true, &s->engine_version, file, ".setup", err)) ||
        (rc = get_str(set, "model_id", true, &s->model_id, file, ".setup", err)) ||
        (rc = get_str(set, "model_revision", true, &s->model_revision, file, ".setup", err)) ||
        (rc = get_str(set, "capsim_model", false, &s->capsim_model, file, ".setup", err)) ||
        (rc = get_str(set, "checkpoint", true, &s->checkpoint, file, ".setup", err)) ||
        (rc = json_get_string(set, "checkpoint_repo", false, &ignored, file, ".setup", err)) ||
        (rc = get_str(set, "kernel_path", true, &s->kernel_path, file, ".setup", err)) ||
        (rc = json_get_bool(set, "sm120_fp4_kernels", false, &s->sm120_fp4_kernels, file, ".setup", err)))
        return rc;
    s->async_scheduling = s->enable_prefix_caching = -1;
    s->tensor_parallel_size = 1;
    s->kv_cache_dtype = xstrdup("");
    s->linear_backend = xstrdup("");
    s->moe_backend = xstrdup("");
    s->spec_method = xstrdup("");
    if (srv) {
        const cJSON *spec = cJSON_GetObjectItemCaseSensitive(srv, "speculative_config");
        free(s->kv_cache_dtype);
        free(s->linear_backend);
        free(s->moe_backend);
        s->kv_cache_dtype = s->linear_backend = s->moe_backend = NULL;
        if ((rc = json_check_keys(srv, server_keys, CS_ARRAY_LEN(server_keys), file, ".server", err)) ||
            (rc = json_get_number(srv, "gpu_memory_utilization", false, 0.05, 1, &s->gpu_memory_utilization,
                                  file, ".server", err)) ||
            (rc = json_get_int(srv, "max_model_len", false, 16, 100000000, &s->max_model_len, file, ".server", err)) ||
            (rc = json_get_int(srv, "max_num_batched_tokens", false, 16, 100000000, &s->max_num_batched_tokens,
                               file, ".server", err)) ||
            (rc = json_get_int(srv, "max_num_seqs", false, 1, 100000, &s->max_num_seqs, file, ".server", err)) ||
            (rc = json_get_int(srv, "tensor_parallel_size", false, 1, 64, &s->tensor_parallel_size, file,
                               ".server", err)) ||
            (rc = get_str(srv, "kv_cache_dtype", false, &s->kv_cache_dtype, file, ".server", err)) ||
            (rc = get_str(srv, "linear_backend", false, &s->linear_backend, file, ".server", err)) ||
            (rc = get_str(srv, "moe_backend", false, &s->moe_backend, file, ".server", err)) ||
            (rc = get_tristate(srv, "async_scheduling", &s->async_scheduling, file, ".server", err)) ||
            (rc = get_tristate(srv, "enable_prefix_caching", &s->enable_prefix_caching, file, ".server", err)) ||
            (rc = json_get_bool(srv, "enforce_eager", false, &s->enforce_eager, file, ".server", err)) ||
            (rc = json_get_bool(srv, "force_fp8_marlin", false, &s->force_fp8_marlin, file, ".server", err)) ||
            (rc = strings_array(cJSON_GetObjectItemCaseSensitive(srv, "env"), file, ".server.env", err)) ||
            (rc = strings_array(cJSON_GetObjectItemCaseSensitive(srv, "other_flags"), file, ".server.other_flags",
                                err)))
            return rc;
        if (spec) {
            free(s->spec_method);
            s->spec_method = NULL;
            if ((rc = json_check_keys(spec, spec_keys, CS_ARRAY_LEN(spec_keys), file, ".server.speculative_config",
                                      err)) ||
                (rc = get_str(spec, "method", true, &s->spec_method, file, ".server.speculative_config", err)) ||
                (rc = json_get_int(spec, "num_speculative_tokens", true, 1, 64, &s->num_speculative_tokens, file,
                                   ".server.speculative_config", err)) ||
                (rc = json_get_string(spec, "model", false, &ignored, file, ".server.speculative_config", err)))
                return rc;
        }
    }
    const cJSON *arts = cJSON_GetObjectItemCaseSensitive(root, "artefacts");
    if ((rc = strings_array(arts, file, ".artefacts", err)))
        return rc;
    int n_arts = cJSON_GetArraySize(arts);
    s->artefacts = xcalloc((size_t)n_arts + 1, sizeof *s->artefacts);
    for (const cJSON *a = arts ? arts->child : NULL; a; a = a->next) {
        size_t k = 0;
        while (k < CS_ARRAY_LEN(artefact_names) && strcmp(a->valuestring, artefact_names[k]) != 0)
            k++;
        if (k == CS_ARRAY_LEN(artefact_names))
            return cs_err_set(err, CS_EINPUT, "%s: .artefacts: unknown artefact '%s'", file, a->valuestring);
        s->artefacts[s->n_artefacts++] = xstrdup(a->valuestring);
    }
    if ((rc = get_str(root, "unsupported", false, &s->unsupported, file, "", err)))
        return rc;
    if ((rc = find_model_text(s, dir, err)))
        return rc;
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "cases");
    if (!cJSON_IsArray(cases) || cJSON_GetArraySize(cases) == 0)
        return cs_err_set(err, CS_EINPUT, "%s: .cases: must be a non-empty array", file);
    s->cases = xcalloc((size_t)cJSON_GetArraySize(cases), sizeof *s->cases);
    int i = 0;
    for (const cJSON *c = cases->child; c; c = c->next, i++) {
        char path[64];
        snprintf(path, sizeof path, ".cases[%d]", i);
        if (!cJSON_IsObject(c))
            return cs_err_set(err, CS_EINPUT, "%s: %s: must be an object", file, path);
        rc = parse_case(c, &s->cases[s->n_cases], file, path, err);
        s->n_cases++; /* freed whole even when half parsed */
        if (rc)
            return rc;
        for (size_t j = 0; j + 1 < s->n_cases; j++)
            if (strcmp(s->cases[j].id, s->cases[s->n_cases - 1].id) == 0)
                return cs_err_set(err, CS_EINPUT, "%s: %s.id: '%s' used twice", file, path, s->cases[j].id);
        const struct field_case *fc = &s->cases[s->n_cases - 1];
        /* a prompt the source did not state is assumed short: the TTFT and
         * prefill figures of a case capsim predicts would test the
         * assumption, not capsim */
        const double *x = fc->measured;
        if (!fc->prompt_stated && !*s->unsupported && !*fc->unsupported &&
            (!isnan(x[FM_TTFT_MS_MEAN]) || !isnan(x[FM_TTFT_MS_P50]) || !isnan(x[FM_PREFILL_TPS]) ||
             !isnan(x[FM_E2E_MS_MEAN])))
            return cs_err_set(err, CS_EINPUT, "%s: %s.measured: TTFT, prefill and latency figures need a stated "
                              "prompt (client.prompt_stated is false)", file, path);
        if (!*field_case_model(s, fc) && !*s->unsupported && !*fc->unsupported && fc->client != FC_KERNEL)
            return cs_err_set(err, CS_EINPUT, "%s: %s: no capsim_model (in .setup or the case) and no "
                              "unsupported reason", file, path);
        if (strncmp(fc->capsim_model, "models/", 7) == 0)
            return cs_err_set(err, CS_EINPUT, "%s: %s.capsim_model: a field model goes in .setup", file, path);
    }
    return CS_OK;
}

static void free_source(struct field_source *s)
{
    char **strs[] = { &s->file, &s->id, &s->title, &s->url, &s->repo, &s->path, &s->commit, &s->licence,
                      &s->box, &s->driver, &s->engine, &s->engine_version, &s->model_id,
                      &s->model_revision, &s->capsim_model, &s->checkpoint, &s->kernel_path,
                      &s->kv_cache_dtype, &s->linear_backend, &s->moe_backend, &s->spec_method,
                      &s->unsupported };
    for (size_t i = 0; i < CS_ARRAY_LEN(strs); i++)
        free(*strs[i]);
    for (size_t i = 0; i < s->n_artefacts; i++)
        free(s->artefacts[i]);
    free(s->artefacts);
    for (size_t i = 0; i < s->n_cases; i++) {
        free(s->cases[i].id);
        free(s->cases[i].line);
        free(s->cases[i].unsupported);
        free(s->cases[i].capsim_model);
        free(s->cases[i].checkpoint);
        free(s->cases[i].model_id);
    }
    free(s->cases);
}

static int parse_in(struct field_set *set, const char *file, const char *text, const char *dir,
                    struct cs_err *err)
{
    cJSON *root;
    int rc = json_parse_text(file, text, strlen(text), &root, err);
    if (rc)
        return rc;
    set->sources = xrealloc(set->sources, (set->n_sources + 1) * sizeof *set->sources);
    struct field_source *s = &set->sources[set->n_sources];
    memset(s, 0, sizeof *s);
    s->file = xstrdup(file);
    rc = parse_source(s, root, dir, err);
    cJSON_Delete(root);
    if (!rc) {
        /* the id names the source in tables and in --by-source: one per file */
        for (size_t i = 0; i < set->n_sources && !rc; i++)
            if (strcmp(set->sources[i].id, s->id) == 0)
                rc = cs_err_set(err, CS_EINPUT, "%s: .source.id: '%s' also in %s", file, s->id,
                                set->sources[i].file);
    }
    if (rc) {
        free_source(s);
        return rc;
    }
    set->n_sources++;
    return CS_OK;
}

int field_parse(struct field_set *set, const char *file, const char *text, struct cs_err *err)
{
    return parse_in(set, file, text, NULL, err);
}

void field_free(struct field_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n_sources; i++)
        free_source(&set->sources[i]);
    free(set->sources);
    free(set);
}

int field_load_builtin(struct field_set **out, struct cs_err *err)
{
    struct field_set *set = xcalloc(1, sizeof *set);
    size_t plen = strlen(FIELD_PREFIX);
    for (size_t i = 0; i < embedded_files_count; i++) {
        const char *p = embedded_files[i].path;
        /* the sources only: models/ holds config.json files they point at */
        if (strncmp(p, FIELD_PREFIX, plen) != 0 || strchr(p + plen, '/'))
            continue;
        int rc = parse_in(set, p, embedded_files[i].text, NULL, err);
        if (rc) {
            field_free(set);
            return rc;
        }
    }
    *out = set;
    return CS_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int field_load_dir(const char *dir, struct field_set **out, struct cs_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return cs_err_set(err, CS_EIO, "cannot open the field folder '%s'", dir);
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
            names = xrealloc(names, (n + 1) * sizeof *names);
            names[n++] = xstrdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    struct field_set *set = xcalloc(1, sizeof *set);
    int rc = CS_OK;
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *text = NULL;
        if (!rc && !(rc = json_read_file(path, &text, NULL, err)))
            rc = parse_in(set, path, text, dir, err);
        free(text);
        free(names[i]);
    }
    free(names);
    if (rc) {
        field_free(set);
        return rc;
    }
    if (set->n_sources == 0) {
        field_free(set);
        return cs_err_set(err, CS_EINPUT, "%s: no field source (*.json) in it", dir);
    }
    *out = set;
    return CS_OK;
}

const char *field_case_unsupported(const struct field_source *s, const struct field_case *c)
{
    if (*s->unsupported)
        return s->unsupported;
    if (*c->unsupported)
        return c->unsupported;
    if (strcmp(s->engine, "vllm") != 0)
        return "another engine (capsim simulates vLLM)";
    if (s->tensor_parallel_size > 1)
        return "tensor parallelism over more than one box";
    if (c->client == FC_KERNEL)
        return "a kernel-level figure (no server to simulate)";
    if (c->prefix_cache_hits)
        return "prefix-cache hits on repeated prompts (the field client sends unique prompts only)";
    return "";
}

const char *field_case_model(const struct field_source *s, const struct field_case *c)
{
    return *c->capsim_model ? c->capsim_model : s->capsim_model;
}

const char *field_case_checkpoint(const struct field_source *s, const struct field_case *c)
{
    return *c->checkpoint ? c->checkpoint : s->checkpoint;
}

int64_t field_case_spec_tokens(const struct field_source *s, const struct field_case *c)
{
    return c->num_speculative_tokens >= 0 ? c->num_speculative_tokens : s->num_speculative_tokens;
}

bool field_case_predictable(const struct field_source *s, const struct field_case *c)
{
    if (*field_case_unsupported(s, c))
        return false;
    return !(field_case_spec_tokens(s, c) > 0 && isnan(c->acceptance_length));
}
