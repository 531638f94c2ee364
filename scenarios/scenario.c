/*
 * scenario.c - read and check a scenario file. Every key is known (an
 * unknown one is an error with a did-you-mean), every number range-checked.
 */
#include "scenarios/scenario.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/embedded.h"
#include "common/json.h"
#include "common/strutil.h"

static int get_str(const cJSON *o, const char *key, char *dst, size_t n, const char *file,
                   const char *path, struct cs_err *err)
{
    const char *s = NULL;
    int rc = json_get_string(o, key, false, &s, file, path, err);
    if (!rc && s)
        snprintf(dst, n, "%s", s);
    return rc;
}

static int parse_server(const cJSON *o, struct scenario *s, const char *file, struct cs_err *err)
{
    static const char *const keys[] = { "model", "precision", "kv_cache_dtype",
                                        "gpu_memory_utilization", "max_num_batched_tokens",
                                        "max_num_seqs", "max_model_len", "hardware" };
    int rc;
    if ((rc = json_check_keys(o, keys, CS_ARRAY_LEN(keys), file, ".server", err)) ||
        (rc = get_str(o, "model", s->model, sizeof s->model, file, ".server", err)) ||
        (rc = get_str(o, "precision", s->precision, sizeof s->precision, file, ".server", err)) ||
        (rc = get_str(o, "kv_cache_dtype", s->kv_cache_dtype, sizeof s->kv_cache_dtype, file, ".server", err)) ||
        (rc = get_str(o, "hardware", s->hardware, sizeof s->hardware, file, ".server", err)) ||
        (rc = json_get_number(o, "gpu_memory_utilization", false, 0.01, 1.0,
                              &s->gpu_memory_utilization, file, ".server", err)) ||
        (rc = json_get_int(o, "max_num_batched_tokens", false, 1, 10000000,
                           &s->max_num_batched_tokens, file, ".server", err)) ||
        (rc = json_get_int(o, "max_num_seqs", false, 1, 1000000, &s->max_num_seqs, file, ".server", err)) ||
        (rc = json_get_int(o, "max_model_len", false, 1, 100000000, &s->max_model_len, file, ".server", err)))
        return rc;
    return CS_OK;
}

static int parse_task(const cJSON *o, struct scenario_task *t, const char *file, const char *path,
                      struct cs_err *err)
{
    static const char *const keys[] = { "name", "share", "input_tokens", "output_tokens",
                                        "range_ratio", "turns", "think_time_s", "slo" };
    int rc;
    t->turns = 1;
    if ((rc = json_check_keys(o, keys, CS_ARRAY_LEN(keys), file, path, err)))
        return rc;
    const char *name = NULL;
    if ((rc = json_get_string(o, "name", true, &name, file, path, err)))
        return rc;
    snprintf(t->name, sizeof t->name, "%s", name);
    if ((rc = json_get_number(o, "share", true, 0.0, 1.0, &t->share, file, path, err)) ||
        (rc = json_get_number(o, "input_tokens", true, 1, 1e7, &t->input_tokens, file, path, err)) ||
        (rc = json_get_number(o, "output_tokens", true, 1, 1e6, &t->output_tokens, file, path, err)) ||
        (rc = json_get_number(o, "range_ratio", false, 0, 0.99, &t->range_ratio, file, path, err)) ||
        (rc = json_get_int(o, "turns", false, 1, 100, &t->turns, file, path, err)) ||
        (rc = json_get_number(o, "think_time_s", false, 0, 86400, &t->think_time_s, file, path, err)))
        return rc;
    const cJSON *slos = cJSON_GetObjectItemCaseSensitive(o, "slo");
    if (slos) {
        if (!cJSON_IsArray(slos))
            return cs_err_set(err, CS_EINPUT, "%s: %s.slo: must be an array of strings like \"p95_ttft_ms<=5000\"",
                              file, path);
        const cJSON *it;
        cJSON_ArrayForEach(it, slos)
        {
            char where[600];
            snprintf(where, sizeof where, "%s: %s.slo[%zu]", file, path, t->n_slos);
            if (!cJSON_IsString(it))
                return cs_err_set(err, CS_EINPUT, "%s: must be a string like \"p95_ttft_ms<=5000\"", where);
            if (t->n_slos >= SLO_MAX)
                return cs_err_set(err, CS_EINPUT, "%s: at most %d SLOs per task", where, SLO_MAX);
            if ((rc = slo_parse(it->valuestring, &t->slos[t->n_slos], where, err))) {
                err->code = CS_EINPUT;
                return CS_EINPUT;
            }
            t->n_slos++;
        }
    }
    return CS_OK;
}

int scenario_parse(const char *file, const char *text, struct scenario *s, struct cs_err *err)
{
    cJSON *root;
    int rc = json_parse_text(file, text, strlen(text), &root, err);
    if (rc)
        return rc;
    memset(s, 0, sizeof *s);
    snprintf(s->file, sizeof s->file, "%s", file);
    snprintf(s->model, sizeof s->model, "gemma-4-26b-a4b-it");
    snprintf(s->hardware, sizeof s->hardware, "gb10");
    s->burstiness = 1.0;
    s->start_hour = 9;
    static const char *const top[] = { "name", "description", "server", "employees", "start_hour",
                                       "active_share", "requests_per_active_hour", "burstiness",
                                       "tasks", "seed" };
    if ((rc = json_check_keys(root, top, CS_ARRAY_LEN(top), file, "", err)))
        goto out;
    if ((rc = get_str(root, "name", s->name, sizeof s->name, file, "", err)) ||
        (rc = get_str(root, "description", s->description, sizeof s->description, file, "", err)) ||
        (rc = json_get_int(root, "employees", true, 1, 1000000, &s->employees, file, "", err)) ||
        (rc = json_get_int(root, "start_hour", false, 0, 23, &s->start_hour, file, "", err)) ||
        (rc = json_get_number(root, "requests_per_active_hour", true, 1e-6, 1e5,
                              &s->requests_per_active_hour, file, "", err)) ||
        (rc = json_get_number(root, "burstiness", false, 1e-3, 1e3, &s->burstiness, file, "", err)) ||
        (rc = json_get_int(root, "seed", false, 0, 4294967295LL, &s->seed, file, "", err)))
        goto out;
    const cJSON *srv = cJSON_GetObjectItemCaseSensitive(root, "server");
    if (srv && (rc = parse_server(srv, s, file, err)))
        goto out;
    const cJSON *hours = cJSON_GetObjectItemCaseSensitive(root, "active_share");
    if (!cJSON_IsArray(hours) || cJSON_GetArraySize(hours) < 1 ||
        cJSON_GetArraySize(hours) > SCEN_MAX_HOURS) {
        rc = cs_err_set(err, CS_EINPUT, "%s: .active_share: must be an array of 1 to %d hourly shares",
                        file, SCEN_MAX_HOURS);
        goto out;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, hours)
    {
        if (!cJSON_IsNumber(it) || !(it->valuedouble >= 0 && it->valuedouble <= 1)) {
            rc = cs_err_set(err, CS_EINPUT, "%s: .active_share[%zu]: must be a share between 0 and 1",
                            file, s->n_hours);
            goto out;
        }
        s->active_share[s->n_hours++] = it->valuedouble;
    }
    const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(root, "tasks");
    if (!cJSON_IsArray(tasks) || cJSON_GetArraySize(tasks) < 1) {
        rc = cs_err_set(err, CS_EINPUT, "%s: .tasks: must be a non-empty array", file);
        goto out;
    }
    double share = 0;
    cJSON_ArrayForEach(it, tasks)
    {
        char path[32];
        snprintf(path, sizeof path, ".tasks[%zu]", s->n_tasks);
        if (s->n_tasks >= SCEN_MAX_TASKS) {
            rc = cs_err_set(err, CS_EINPUT, "%s: .tasks: at most %d task types", file, SCEN_MAX_TASKS);
            goto out;
        }
        if ((rc = parse_task(it, &s->tasks[s->n_tasks], file, path, err)))
            goto out;
        share += s->tasks[s->n_tasks].share;
        s->n_tasks++;
    }
    if (fabs(share - 1.0) > 0.01) {
        rc = cs_err_set(err, CS_EINPUT, "%s: .tasks: shares must add up to 1 (got %g)", file, share);
        goto out;
    }
out:
    cJSON_Delete(root);
    return rc;
}

int scenario_load(const char *name, struct scenario *out, struct cs_err *err)
{
    char path[160];
    snprintf(path, sizeof path, "scenarios/%s%s", name, strstr(name, ".json") ? "" : ".json");
    const struct embedded_file *f = strchr(name, '/') ? NULL : embedded_find(path);
    if (f)
        return scenario_parse(path, f->text, out, err);
    if (!strchr(name, '/') && !strstr(name, ".json")) {
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
                          near ? " (did you mean '" : " (see 'capsim list scenarios')", near ? near : "",
                          near ? "'?)" : "");
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
    double hi = 1.0 + t->range_ratio;
    return (t->input_tokens * hi + t->output_tokens * hi) * (double)t->turns;
}

int scenario_check_context(const struct scenario *s, uint32_t max_model_len, struct cs_err *err)
{
    for (size_t k = 0; k < s->n_tasks; k++) {
        double ctx = scenario_task_max_context(&s->tasks[k]);
        if (ctx > max_model_len)
            return cs_err_set(err, CS_EINPUT,
                              "%s: .tasks[%zu]: '%s' reaches %.0f tokens of context, more than "
                              "max_model_len %u",
                              s->file, k, s->tasks[k].name, ctx, max_model_len);
    }
    return CS_OK;
}
