/*
 * records.c - benchmark shapes from catalog models, and the JSON-lines
 * records capsim-kbench writes and `capsim calibrate --kernels` reads.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/embedded.h"
#include "common/json.h"
#include "common/stats.h"
#include "common/xalloc.h"
#include "kernels/host/kbench.h"

double kb_median(double *v, size_t n)
{
    return stats_percentile(v, n, 50);
}

static int64_t key_int(const cJSON *o, const char *k, int64_t def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : def;
}

size_t kb_model_shapes(const char *model, struct kb_shape *out, size_t max, struct cs_err *err)
{
    char path[160];
    snprintf(path, sizeof path, "model/catalog/%s.json", model);
    const struct embedded_file *f = embedded_find(path);
    if (!f) {
        cs_err_set(err, CS_EINPUT, "unknown model '%s' (see 'capsim list models')", model);
        return 0;
    }
    cJSON *c;
    if (json_parse_text(path, f->text, strlen(f->text), &c, err))
        return 0;
    int64_t H = key_int(c, "hidden_size", 0), nq = key_int(c, "num_attention_heads", 1);
    int64_t nkv = key_int(c, "num_key_value_heads", nq), hd = key_int(c, "head_dim", H / nq);
    int64_t I = key_int(c, "intermediate_size", 0), V = key_int(c, "vocab_size", 0);
    int64_t Ie = key_int(c, "moe_intermediate_size", 0);
    cJSON_Delete(c);
    struct kb_shape all[] = {
        { "qkv_proj", nq * hd + 2 * nkv * hd, H },
        { "o_proj", H, nq * hd },
        { "mlp_up", 2 * I, H },
        { "mlp_down", H, I },
        { "expert_up", 2 * Ie, H },
        { "expert_down", H, Ie },
        { "lm_head", V, H },
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof all / sizeof all[0] && n < max; i++)
        if (all[i].n > 0 && all[i].k > 0)
            out[n++] = all[i];
    return n;
}

int kb_write_record(FILE *f, const struct kb_record *r)
{
    double s = r->time_us * 1e-6;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "bench", r->bench);
    cJSON_AddStringToObject(o, "dtype", r->dtype);
    json_add_int(o, "m", r->m);
    json_add_int(o, "n", r->n);
    json_add_int(o, "k", r->k);
    json_add_int(o, "batch", r->batch);
    json_add_int(o, "ctx", r->ctx);
    json_add_sig(o, "time_us", r->time_us, 6);
    json_add_sig(o, "bytes", r->bytes, 17);
    json_add_sig(o, "flops", r->flops, 17);
    json_add_sig(o, "gbps", s > 0 ? r->bytes / s / 1e9 : 0.0, 6);
    json_add_sig(o, "tflops", s > 0 ? r->flops / s / 1e12 : 0.0, 6);
    cJSON_AddStringToObject(o, "status", r->status);
    cJSON_AddStringToObject(o, "device", r->device);
    if (r->sm[0]) {
        cJSON_AddStringToObject(o, "sm", r->sm);
        json_add_int(o, "clock_mhz", r->clock_mhz);
        json_add_int(o, "driver", r->driver);
        json_add_int(o, "runtime", r->runtime);
    }
    if (r->message[0]) /* CUDA's error strings, escaped by cJSON */
        cJSON_AddStringToObject(o, "message", r->message);
    if (r->synthetic)
        cJSON_AddTrueToObject(o, "synthetic");
    struct cs_err err;
    return json_write_line(f, o, &err);
}

static int read_one(const cJSON *o, struct kb_record *r, const char *file, size_t line,
                    struct cs_err *err)
{
    char where[32];
    snprintf(where, sizeof where, "line %zu", line);
    static const char *const keys[] = { "bench", "dtype", "m", "n", "k", "batch", "ctx", "time_us",
                                        "bytes", "flops", "gbps", "tflops", "status", "device",
                                        "synthetic", "generator", "message", "sm", "clock_mhz",
                                        "driver", "runtime" };
    int rc = json_check_keys(o, keys, sizeof keys / sizeof keys[0], file, where, err);
    if (rc)
        return rc;
    memset(r, 0, sizeof *r);
    const char *s = NULL;
    if ((rc = json_get_string(o, "bench", true, &s, file, where, err)))
        return rc;
    snprintf(r->bench, sizeof r->bench, "%s", s);
    s = "";
    if ((rc = json_get_string(o, "dtype", false, &s, file, where, err)))
        return rc;
    snprintf(r->dtype, sizeof r->dtype, "%s", s);
    s = "ok";
    if ((rc = json_get_string(o, "status", false, &s, file, where, err)))
        return rc;
    snprintf(r->status, sizeof r->status, "%s", s);
    s = "";
    if ((rc = json_get_string(o, "device", false, &s, file, where, err)))
        return rc;
    snprintf(r->device, sizeof r->device, "%s", s);
    s = "";
    if ((rc = json_get_string(o, "sm", false, &s, file, where, err)))
        return rc;
    snprintf(r->sm, sizeof r->sm, "%s", s);
    s = "";
    if ((rc = json_get_string(o, "message", false, &s, file, where, err)))
        return rc;
    snprintf(r->message, sizeof r->message, "%s", s);
    if ((rc = json_get_int(o, "m", false, 0, INT64_MAX / 4, &r->m, file, where, err)) ||
        (rc = json_get_int(o, "n", false, 0, INT64_MAX / 4, &r->n, file, where, err)) ||
        (rc = json_get_int(o, "k", false, 0, INT64_MAX / 4, &r->k, file, where, err)) ||
        (rc = json_get_int(o, "batch", false, 0, INT64_MAX / 4, &r->batch, file, where, err)) ||
        (rc = json_get_int(o, "ctx", false, 0, INT64_MAX / 4, &r->ctx, file, where, err)) ||
        (rc = json_get_int(o, "clock_mhz", false, 0, 1000000, &r->clock_mhz, file, where, err)) ||
        (rc = json_get_int(o, "driver", false, 0, INT32_MAX, &r->driver, file, where, err)) ||
        (rc = json_get_int(o, "runtime", false, 0, INT32_MAX, &r->runtime, file, where, err)) ||
        (rc = json_get_bool(o, "synthetic", false, &r->synthetic, file, where, err)))
        return rc;
    bool ok = strcmp(r->status, "ok") == 0;
    if ((rc = json_get_number(o, "time_us", ok, ok ? 1e-6 : 0, 1e12, &r->time_us, file, where, err)) ||
        (rc = json_get_number(o, "bytes", false, 0, 1e18, &r->bytes, file, where, err)) ||
        (rc = json_get_number(o, "flops", false, 0, 1e21, &r->flops, file, where, err)))
        return rc;
    return CS_OK;
}

int kb_read_file(const char *path, struct kb_record **out, size_t *n_out, struct cs_err *err)
{
    char *text;
    size_t len;
    int rc = json_read_file(path, &text, &len, err);
    if (rc)
        return rc;
    struct kb_record *v = NULL;
    size_t n = 0, cap = 0, line = 0;
    for (char *p = text, *nl; p < text + len && !rc; p = nl + 1) {
        nl = strchr(p, '\n');
        if (!nl)
            nl = text + len;
        line++;
        size_t sz = (size_t)(nl - p);
        if (sz == 0)
            continue;
        cJSON *o;
        if (json_parse_text(path, p, sz, &o, err)) {
            rc = cs_err_set(err, CS_EINPUT, "%s:%zu: malformed JSON line", path, line);
            break;
        }
        xgrow((void **)&v, &cap, n + 1, sizeof *v);
        rc = read_one(o, &v[n], path, line, err);
        cJSON_Delete(o);
        if (!rc)
            n++;
    }
    free(text);
    if (!rc && n == 0)
        rc = cs_err_set(err, CS_EINPUT, "%s: no records", path);
    if (rc) {
        free(v);
        return rc;
    }
    *out = v;
    *n_out = n;
    return CS_OK;
}
