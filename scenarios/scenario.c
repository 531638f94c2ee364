/*
 * scenario.c - read and check a scenario file. Every key is known (an
 * unknown one is an error with a did-you-mean), every number
 * range-checked, and every message ends with the value found.
 */
#include "scenarios/scenario.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/embedded.h"
#include "common/json.h"
#include "common/strutil.h"
#include "model/work.h"
#include "profile/profile.h"

static const char *const load_names[] = { "open", "closed", "trace" };
_Static_assert(CS_ARRAY_LEN(load_names) == SCEN_LOAD_COUNT, "one name per load mode");

const char *scenario_load_name(enum scenario_load_mode m)
{
    return load_names[m];
}

/* The json helpers say "must be an integer" on a wrong type; add the value
 * found, as every scenario message does. */
static int with_got(int rc, const cJSON *o, const char *key, struct cs_err *err)
{
    if (!rc || !err || strstr(err->msg, "(got "))
        return rc;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v)
        return rc;
    char *txt = cJSON_PrintUnformatted(v);
    if (txt) {
        size_t len = strlen(err->msg);
        snprintf(err->msg + len, sizeof err->msg - len, " (got %.60s%s)", txt,
                 strlen(txt) > 60 ? "..." : "");
        free(txt);
    }
    return rc;
}

static int get_num(const cJSON *o, const char *key, bool req, double lo, double hi, double *out,
                   const char *file, const char *path, struct cs_err *err)
{
    return with_got(json_get_number(o, key, req, lo, hi, out, file, path, err), o, key, err);
}

static int get_int(const cJSON *o, const char *key, bool req, int64_t lo, int64_t hi,
                   int64_t *out, const char *file, const char *path, struct cs_err *err)
{
    return with_got(json_get_int(o, key, req, lo, hi, out, file, path, err), o, key, err);
}

/* Names go to tables and JSON unescaped, so keep them plain. */
static bool plain_name(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr(" ._:/+-", *s)))
            return false;
    return true;
}

static int get_str(const cJSON *o, const char *key, bool req, char *dst, size_t n,
                   const char *file, const char *path, struct cs_err *err)
{
    const char *s = NULL;
    int rc = with_got(json_get_string(o, key, req, &s, file, path, err), o, key, err);
    if (rc || !s)
        return rc;
    if (strlen(s) >= n)
        return cs_err_set(err, CS_EINPUT, "%s: %s.%s: longer than %zu characters (got \"%.40s...\")",
                          file, path, key, n - 1, s);
    if (strcmp(key, "description") != 0 && strcmp(key, "trace") != 0 && !plain_name(s))
        return cs_err_set(err, CS_EINPUT,
                          "%s: %s.%s: use letters, digits and ' ._:/+-' only (got \"%s\")", file,
                          path, key, s);
    snprintf(dst, n, "%s", s);
    return CS_OK;
}

static int parse_slos(const cJSON *o, struct slo *slos, size_t *n, const char *file,
                      const char *path, struct cs_err *err)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "slo");
    if (!arr)
        return CS_OK;
    if (!cJSON_IsArray(arr)) {
        char *txt = cJSON_PrintUnformatted(arr);
        int rc = cs_err_set(err, CS_EINPUT,
                            "%s: %s.slo: must be an array of strings like \"p95_ttft_ms<=5000\" (got %.40s)",
                            file, path, txt ? txt : "?");
        free(txt);
        return rc;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        char where[400];
        snprintf(where, sizeof where, "%s: %s.slo[%zu]", file, path, *n);
        if (!cJSON_IsString(it)) {
            char *txt = cJSON_PrintUnformatted(it);
            int rc = cs_err_set(err, CS_EINPUT,
                                "%s: must be a string like \"p95_ttft_ms<=5000\" (got %.40s)", where,
                                txt ? txt : "?");
            free(txt);
            return rc;
        }
        if (*n >= SLO_MAX)
            return cs_err_set(err, CS_EINPUT, "%s: at most %d SLOs (got %d)", where, SLO_MAX,
                              cJSON_GetArraySize(arr));
        if (slo_parse(it->valuestring, &slos[*n], where, err)) {
            err->code = CS_EINPUT; /* in a file, not on the command line */
            return CS_EINPUT;
        }
        (*n)++;
    }
    return CS_OK;
}

/* A check shared with the command line words its message for a flag
 * ("--precision: unknown precision 'FP8' (...)"); in a file, the message
 * names the file and the key instead. */
static int in_file(int rc, const char *file, const char *key, struct cs_err *err)
{
    if (!rc || !err)
        return rc;
    char msg[sizeof err->msg];
    const char *m = err->msg, *colon = strstr(m, ": ");
    if (m[0] == '-' && m[1] == '-' && colon)
        m = colon + 2;
    snprintf(msg, sizeof msg, "%s", m);
    return cs_err_set(err, CS_EINPUT, "%s: .server.%s: %s", file, key, msg);
}

/* The server's names are checked here, where the message can name the
 * file; a flag given on the command line is checked when it is used. */
static int check_server_names(const struct scenario *s, const char *file, struct cs_err *err)
{
    enum dtype d;
    enum kv_dtype kv;
    struct profile p;
    int rc;
    if (s->precision[0] && (rc = in_file(dtype_parse(s->precision, &d, err), file, "precision", err)))
        return rc;
    if (s->kv_cache_dtype[0] &&
        (rc = in_file(kv_dtype_parse(s->kv_cache_dtype, &kv, err), file, "kv_cache_dtype", err)))
        return rc;
    if (s->hardware[0] &&
        (rc = in_file(profile_load_builtin(s->hardware, &p, err), file, "hardware", err)))
        return rc;
    if (s->model[0]) {
        struct model *m = NULL;
        rc = in_file(model_load(s->model, &m, err), file, "model", err);
        model_free(m);
    }
    return rc;
}

static int parse_server(const cJSON *o, struct scenario *s, const char *file, struct cs_err *err)
{
    static const char *const keys[] = { "model", "precision", "kv_cache_dtype",
                                        "gpu_memory_utilization", "max_num_batched_tokens",
                                        "max_num_seqs", "max_model_len", "hardware",
                                        "linear_backend", "moe_backend", "speculative_config",
                                        "spec_acceptance", "async_scheduling",
                                        "language_model_only", "enable_prefix_caching" };
    const char *p = ".server";
    int rc;
    if ((rc = json_check_keys(o, keys, CS_ARRAY_LEN(keys), file, p, err)) ||
        (rc = get_str(o, "model", false, s->model, sizeof s->model, file, p, err)) ||
        (rc = get_str(o, "precision", false, s->precision, sizeof s->precision, file, p, err)) ||
        (rc = get_str(o, "kv_cache_dtype", false, s->kv_cache_dtype, sizeof s->kv_cache_dtype, file,
                      p, err)) ||
        (rc = get_str(o, "hardware", false, s->hardware, sizeof s->hardware, file, p, err)) ||
        (rc = get_num(o, "gpu_memory_utilization", false, 0.01, 1.0, &s->gpu_memory_utilization,
                      file, p, err)) ||
        (rc = get_int(o, "max_num_batched_tokens", false, 1, 10000000, &s->max_num_batched_tokens,
                      file, p, err)) ||
        (rc = get_int(o, "max_num_seqs", false, 1, 1000000, &s->max_num_seqs, file, p, err)) ||
        (rc = get_int(o, "max_model_len", false, 1, 100000000, &s->max_model_len, file, p, err)) ||
        (rc = get_str(o, "linear_backend", false, s->linear_backend, sizeof s->linear_backend, file,
                      p, err)) ||
        (rc = get_str(o, "moe_backend", false, s->moe_backend, sizeof s->moe_backend, file, p, err)) ||
        (rc = get_num(o, "spec_acceptance", false, 0.0, 64.0, &s->spec_acceptance, file, p, err)) ||
        (rc = json_get_bool(o, "language_model_only", false, &s->language_model_only, file, p, err)))
        return rc;
    if (cJSON_GetObjectItemCaseSensitive(o, "async_scheduling")) {
        bool on = true;
        if ((rc = json_get_bool(o, "async_scheduling", true, &on, file, p, err)))
            return rc;
        s->async_scheduling = on;
    }
    if (cJSON_GetObjectItemCaseSensitive(o, "enable_prefix_caching")) {
        bool on = true;
        if ((rc = json_get_bool(o, "enable_prefix_caching", true, &on, file, p, err)))
            return rc;
        s->enable_prefix_caching = on;
    }
    if ((rc = check_server_names(s, file, err)))
        return rc;
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(o, "speculative_config");
    struct spec_options opt = { false, -1.0 };
    if (spec && (rc = spec_config_parse(spec, file, ".server.speculative_config", &s->spec_method,
                                        &s->num_speculative_tokens, &opt, err))) {
        err->code = CS_EINPUT; /* in a file, not on the command line */
        return CS_EINPUT;
    }
    s->spec_parallel_drafting = opt.parallel_drafting;
    if (opt.accepted >= 0 && !cJSON_GetObjectItemCaseSensitive(o, "spec_acceptance"))
        s->spec_acceptance = opt.accepted;
    if (s->spec_acceptance > s->num_speculative_tokens)
        return cs_err_set(err, CS_EINPUT,
                          "%s: .server.spec_acceptance: at most the draft tokens per step, "
                          "speculative_config.num_speculative_tokens (%u; got %g)",
                          file, s->num_speculative_tokens, s->spec_acceptance);
    /* Check the names here, where the message can name the file. */
    char field[320];
    enum kernel_backend kb;
    snprintf(field, sizeof field, "%s: .server.linear_backend", file);
    if (kernel_backend_parse(s->linear_backend, field, &kb, err) == CS_OK) {
        snprintf(field, sizeof field, "%s: .server.moe_backend", file);
        if (kernel_backend_parse(s->moe_backend, field, &kb, err) == CS_OK)
            return CS_OK;
    }
    err->code = CS_EINPUT; /* in a file, not on the command line */
    return CS_EINPUT;
}

static int parse_task(const cJSON *o, struct scenario_task *t, const char *file, const char *path,
                      struct cs_err *err)
{
    static const char *const keys[] = { "name", "share", "input_tokens", "output_tokens",
                                        "range_ratio", "turns", "think_time_s", "slo",
                                        "system_prompt_tokens", "documents", "document_tokens",
                                        "document_zipf" };
    int rc;
    t->turns = 1;
    t->document_zipf = 1.0;
    if ((rc = json_check_keys(o, keys, CS_ARRAY_LEN(keys), file, path, err)) ||
        (rc = get_str(o, "name", true, t->name, sizeof t->name, file, path, err)) ||
        (rc = get_num(o, "share", true, 0.0, 1.0, &t->share, file, path, err)) ||
        (rc = get_num(o, "input_tokens", true, 1, 1e7, &t->input_tokens, file, path, err)) ||
        (rc = get_num(o, "output_tokens", true, 1, 1e6, &t->output_tokens, file, path, err)) ||
        (rc = get_num(o, "range_ratio", false, 0, 0.99, &t->range_ratio, file, path, err)) ||
        (rc = get_int(o, "turns", false, 1, 100, &t->turns, file, path, err)) ||
        (rc = get_num(o, "think_time_s", false, 0, 86400, &t->think_time_s, file, path, err)) ||
        (rc = get_num(o, "system_prompt_tokens", false, 0, 1e7, &t->system_prompt_tokens, file, path,
                      err)) ||
        (rc = get_int(o, "documents", false, 0, 10000000, &t->documents, file, path, err)) ||
        (rc = get_num(o, "document_tokens", false, 0, 1e7, &t->document_tokens, file, path, err)) ||
        (rc = get_num(o, "document_zipf", false, 0, 10, &t->document_zipf, file, path, err)))
        return rc;
    if ((t->documents > 0) != (t->document_tokens > 0))
        return cs_err_set(err, CS_EINPUT, "%s: %s: documents and document_tokens go together "
                          "(got %lld documents of %g tokens)", file, path, (long long)t->documents,
                          t->document_tokens);
    return parse_slos(o, t->slos, &t->n_slos, file, path, err);
}

/* A relative trace path is tried from the working directory, then from
 * the scenario file's folder. */
static void resolve_trace(const char *file, const char *trace, char *out, size_t n)
{
    snprintf(out, n, "%s", trace);
    if (trace[0] == '/' || access(trace, R_OK) == 0)
        return;
    const char *slash = strrchr(file, '/');
    if (slash) {
        char cand[512];
        snprintf(cand, sizeof cand, "%.*s/%s", (int)(slash - file), file, trace);
        if (access(cand, R_OK) == 0 && strlen(cand) < n)
            memcpy(out, cand, strlen(cand) + 1);
    }
}

static int parse_root(const cJSON *root, const char *file, struct scenario *s, struct cs_err *err)
{
    static const char *const top[] = { "name", "description", "server", "load", "employees",
                                       "start_hour", "active_share", "requests_per_active_hour",
                                       "burstiness", "user_think_time_s", "trace", "tasks",
                                       "slo", "seed" };
    int rc;
    char mode[16] = "open", trace[256] = "";
    if ((rc = json_check_keys(root, top, CS_ARRAY_LEN(top), file, "", err)) ||
        (rc = get_str(root, "name", false, s->name, sizeof s->name, file, "", err)) ||
        (rc = get_str(root, "description", false, s->description, sizeof s->description, file, "",
                      err)) ||
        (rc = get_str(root, "load", false, mode, sizeof mode, file, "", err)) ||
        (rc = get_str(root, "trace", false, trace, sizeof trace, file, "", err)) ||
        (rc = get_int(root, "employees", true, 1, 1000000, &s->employees, file, "", err)) ||
        (rc = get_int(root, "start_hour", false, 0, 23, &s->start_hour, file, "", err)) ||
        (rc = get_num(root, "burstiness", false, 1e-3, 1e3, &s->burstiness, file, "", err)) ||
        (rc = get_num(root, "user_think_time_s", false, 0, 86400, &s->user_think_time_s, file, "",
                      err)) ||
        (rc = get_int(root, "seed", false, 0, 4294967295LL, &s->seed, file, "", err)))
        return rc;
    int m = -1;
    for (int i = 0; i < SCEN_LOAD_COUNT; i++)
        if (strcmp(mode, load_names[i]) == 0)
            m = i;
    if (m < 0) {
        const char *near = str_nearest(mode, load_names, SCEN_LOAD_COUNT);
        return cs_err_set(err, CS_EINPUT, "%s: .load: must be open, closed or trace (got \"%s\"%s%s%s)",
                          file, mode, near ? "; did you mean '" : "", near ? near : "",
                          near ? "'?" : "");
    }
    s->load = (enum scenario_load_mode)m;
    if ((rc = get_num(root, "requests_per_active_hour", s->load == SCEN_OPEN, 1e-6, 1e5,
                      &s->requests_per_active_hour, file, "", err)))
        return rc;
    if (s->load == SCEN_TRACE && !trace[0])
        return cs_err_set(err, CS_EINPUT, "%s: .trace: missing (\"load\": \"trace\" needs a CSV path)",
                          file);
    if (s->load != SCEN_TRACE && trace[0])
        return cs_err_set(err, CS_EINPUT, "%s: .trace: only with \"load\": \"trace\" (got \"%s\")",
                          file, mode);
    if (trace[0])
        resolve_trace(file, trace, s->trace, sizeof s->trace);
    const cJSON *srv = cJSON_GetObjectItemCaseSensitive(root, "server");
    if (srv && (rc = parse_server(srv, s, file, err)))
        return rc;
    const cJSON *hours = cJSON_GetObjectItemCaseSensitive(root, "active_share");
    if (hours || s->load != SCEN_TRACE) {
        if (!cJSON_IsArray(hours) || cJSON_GetArraySize(hours) < 1 ||
            cJSON_GetArraySize(hours) > SCEN_MAX_HOURS)
            return cs_err_set(err, CS_EINPUT,
                              "%s: .active_share: must be an array of 1 to %d hourly shares (got %s)",
                              file, SCEN_MAX_HOURS,
                              !hours ? "nothing" : cJSON_IsArray(hours) ? "another length" : "no array");
        const cJSON *it;
        cJSON_ArrayForEach(it, hours)
        {
            if (!cJSON_IsNumber(it) || !(it->valuedouble >= 0 && it->valuedouble <= 1)) {
                char *txt = cJSON_PrintUnformatted(it);
                rc = cs_err_set(err, CS_EINPUT,
                                "%s: .active_share[%zu]: must be a share between 0 and 1 (got %.40s)",
                                file, s->n_hours, txt ? txt : "?");
                free(txt);
                return rc;
            }
            s->active_share[s->n_hours++] = it->valuedouble;
        }
    }
    const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(root, "tasks");
    if (tasks || s->load != SCEN_TRACE) {
        if (!cJSON_IsArray(tasks) || cJSON_GetArraySize(tasks) < 1)
            return cs_err_set(err, CS_EINPUT, "%s: .tasks: must be a non-empty array (got %s)", file,
                              !tasks ? "nothing" : cJSON_IsArray(tasks) ? "[]" : "no array");
        if (cJSON_GetArraySize(tasks) > SCEN_MAX_TASKS)
            return cs_err_set(err, CS_EINPUT, "%s: .tasks: at most %d task types (got %d)", file,
                              SCEN_MAX_TASKS, cJSON_GetArraySize(tasks));
        double share = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, tasks)
        {
            char path[32];
            snprintf(path, sizeof path, ".tasks[%zu]", s->n_tasks);
            if ((rc = parse_task(it, &s->tasks[s->n_tasks], file, path, err)))
                return rc;
            /* results are reported per task name: two tasks of one name
             * would print as one */
            for (size_t j = 0; j < s->n_tasks; j++)
                if (strcmp(s->tasks[j].name, s->tasks[s->n_tasks].name) == 0)
                    return cs_err_set(err, CS_EINPUT,
                                      "%s: %s.name: already the name of .tasks[%zu] (got \"%s\")",
                                      file, path, j, s->tasks[j].name);
            share += s->tasks[s->n_tasks].share;
            s->n_tasks++;
        }
        /* 0.01: shares written with two decimals that round, as people do */
        if (fabs(share - 1.0) > 0.01)
            return cs_err_set(err, CS_EINPUT, "%s: .tasks: shares must add up to 1 (got %g)", file,
                              share);
    }
    return parse_slos(root, s->slos, &s->n_slos, file, "", err);
}

int scenario_parse(const char *file, const char *text, struct scenario *s, struct cs_err *err)
{
    cJSON *root;
    memset(s, 0, sizeof *s);
    int rc = json_parse_text(file, text, strlen(text), &root, err);
    if (rc)
        return rc;
    snprintf(s->file, sizeof s->file, "%s", file);
    s->async_scheduling = -1;
    s->burstiness = 1.0;
    s->enable_prefix_caching = -1;
    s->start_hour = 9;
    s->user_think_time_s = 600; /* ten minutes between conversations */
    rc = parse_root(root, file, s, err);
    cJSON_Delete(root);
    return rc;
}

int scenario_load(const char *name, struct scenario *out, struct cs_err *err)
{
    char path[160];
    snprintf(path, sizeof path, "scenarios/%.120s%s", name, strstr(name, ".json") ? "" : ".json");
    bool bare = !strchr(name, '/') && !strstr(name, ".json");
    const struct embedded_file *f = strchr(name, '/') ? NULL : embedded_find(path);
    if (f && (bare || access(name, R_OK) != 0))
        return scenario_parse(path, f->text, out, err);
    if (bare && access(name, R_OK) != 0) {
        const char *cands[32];
        char stems[32][64];
        size_t n = 0;
        for (size_t i = 0; i < embedded_files_count && n < 32; i++)
            if (str_starts_with(embedded_files[i].path, "scenarios/")) {
                snprintf(stems[n], sizeof stems[n], "%.*s",
                         (int)(strlen(embedded_files[i].path) - strlen("scenarios/") - 5),
                         embedded_files[i].path + strlen("scenarios/"));
                cands[n] = stems[n];
                n++;
            }
        const char *near = str_nearest(name, cands, n);
        return cs_err_set(err, CS_EINPUT, "unknown scenario '%s'%s%s%s", name,
                          near ? " (did you mean '" : " (see 'capsim list scenarios')",
                          near ? near : "", near ? "'?)" : "");
    }
    char *text;
    int rc = json_read_file(name, &text, NULL, err);
    if (rc)
        return rc;
    rc = scenario_parse(name, text, out, err);
    free(text);
    return rc;
}

double scenario_task_max_context(const struct scenario_task *t)
{
    /* the last turn: first prompt, follow-ups and every reply so far, each
     * at the top of its length range (office.c draws ceil(mean*(1+r))) */
    double hi = 1.0 + t->range_ratio;
    double turns = (double)t->turns;
    return round(t->system_prompt_tokens) + round(t->document_tokens) +
           ceil(t->input_tokens * hi) +
           (turns - 1) * ceil(t->input_tokens * SCEN_FOLLOWUP_SHARE * hi) +
           turns * ceil(t->output_tokens * hi);
}

double scenario_max_context(const struct scenario *s)
{
    double m = 0;
    for (size_t k = 0; k < s->n_tasks; k++)
        m = fmax(m, scenario_task_max_context(&s->tasks[k]));
    return m;
}

int scenario_check_context(const struct scenario *s, uint32_t max_model_len, struct cs_err *err)
{
    for (size_t k = 0; k < s->n_tasks; k++) {
        double ctx = scenario_task_max_context(&s->tasks[k]);
        if (ctx > max_model_len)
            return cs_err_set(err, CS_EINPUT,
                              "%s: .tasks[%zu]: context longer than max_model_len %u (got %.0f "
                              "tokens for '%s')",
                              s->file, k, max_model_len, ctx, s->tasks[k].name);
    }
    return CS_OK;
}
