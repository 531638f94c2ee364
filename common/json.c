#include "common/json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strutil.h"
#include "common/xalloc.h"

int json_read_file(const char *path, char **out, size_t *len, struct cs_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cs_err_set(err, CS_EIO, "cannot open '%s': %s", path, strerror(errno));
    size_t cap = 0, n = 0;
    char *buf = NULL;
    for (;;) {
        xgrow((void **)&buf, &cap, n + 65536 + 1, 1);
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return cs_err_set(err, CS_EIO, "cannot read '%s'", path);
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return CS_OK;
}

int json_parse_text(const char *name, const char *text, size_t len, cJSON **out,
                    struct cs_err *err)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (!root) {
        /* Locate the failure by line and column from cJSON's end pointer. */
        size_t line = 1, col = 1;
        const char *stop = end ? end : text + len;
        if (stop > text + len)
            stop = text + len;
        for (const char *p = text; p < stop; p++) {
            if (*p == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        if (len == 0)
            return cs_err_set(err, CS_EINPUT, "%s: malformed JSON: empty file", name);
        return cs_err_set(err, CS_EINPUT, "%s:%zu:%zu: malformed JSON", name, line, col);
    }
    /* Trailing junk after the value is an error too. */
    const char *p = end;
    while (p && p < text + len && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    if (p && p < text + len && *p != '\0') {
        cJSON_Delete(root);
        return cs_err_set(err, CS_EINPUT, "%s: malformed JSON: trailing characters after the value",
                          name);
    }
    *out = root;
    return CS_OK;
}

int json_load_file(const char *path, cJSON **out, struct cs_err *err)
{
    char *text;
    size_t len;
    int rc = json_read_file(path, &text, &len, err);
    if (rc)
        return rc;
    rc = json_parse_text(path, text, len, out, err);
    free(text);
    return rc;
}

static const cJSON *member(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

int json_get_number(const cJSON *obj, const char *key, bool required, double min,
                    double max, double *out, const char *file, const char *path,
                    struct cs_err *err)
{
    const cJSON *v = member(obj, key);
    if (!v || cJSON_IsNull(v)) {
        if (required)
            return cs_err_set(err, CS_EINPUT, "%s: %s.%s: missing (a number is required)",
                              file, path, key);
        return CS_OK;
    }
    if (!cJSON_IsNumber(v))
        return cs_err_set(err, CS_EINPUT, "%s: %s.%s: must be a number", file, path, key);
    double d = v->valuedouble;
    if (!isfinite(d))
        return cs_err_set(err, CS_EINPUT, "%s: %s.%s: must be finite", file, path, key);
    if (d < min || d > max)
        return cs_err_set(err, CS_EINPUT, "%s: %s.%s: must be between %g and %g (got %g)",
                          file, path, key, min, max, d);
    *out = d;
    return CS_OK;
}

int json_get_int(const cJSON *obj, const char *key, bool required, int64_t min,
                 int64_t max, int64_t *out, const char *file, const char *path,
                 struct cs_err *err)
{
    const cJSON *v = member(obj, key);
    if (!v || cJSON_IsNull(v)) {
        if (required)
            return cs_err_set(err, CS_EINPUT, "%s: %s.%s: missing (an integer is required)",
                              file, path, key);
        return CS_OK;
    }
    if (!cJSON_IsNumber(v))
        return cs_err_set(err, CS_EINPUT, "%s: %s.%s: must be an integer", file, path, key);
    double d = v->valuedouble;
    if (!isfinite(d) || d != floor(d) || fabs(d) > 9.0e15)
        return cs_err_set(err, CS_EINPUT, "%s: %s.%s: must be an integer (got %g)", file, path,
                          key, d);
    if (d < (double)min || d > (double)max)
        return cs_err_set(err, CS_EINPUT,
                          "%s: %s.%s: must be between %lld and %lld (got %.0f)", file, path,
                          key, (long long)min, (long long)max, d);
    *out = (int64_t)d;
    return CS_OK;
}

int json_get_bool(const cJSON *obj, const char *key, bool required, bool *out,
                  const char *file, const char *path, struct cs_err *err)
{
    const cJSON *v = member(obj, key);
    if (!v || cJSON_IsNull(v)) {
        if (required)
            return cs_err_set(err, CS_EINPUT, "%s: %s.%s: missing (true or false is required)",
                              file, path, key);
        return CS_OK;
    }
    if (!cJSON_IsBool(v))
        return cs_err_set(err, CS_EINPUT, "%s: %s.%s: must be true or false", file, path, key);
    *out = cJSON_IsTrue(v);
    return CS_OK;
}

int json_get_string(const cJSON *obj, const char *key, bool required, const char **out,
                    const char *file, const char *path, struct cs_err *err)
{
    const cJSON *v = member(obj, key);
    if (!v || cJSON_IsNull(v)) {
        if (required)
            return cs_err_set(err, CS_EINPUT, "%s: %s.%s: missing (a string is required)",
                              file, path, key);
        return CS_OK;
    }
    if (!cJSON_IsString(v))
        return cs_err_set(err, CS_EINPUT, "%s: %s.%s: must be a string", file, path, key);
    *out = v->valuestring;
    return CS_OK;
}

int json_check_keys(const cJSON *obj, const char *const *allowed, size_t n_allowed,
                    const char *file, const char *path, struct cs_err *err)
{
    if (!cJSON_IsObject(obj))
        return cs_err_set(err, CS_EINPUT, "%s: %s: must be an object", file,
                          *path ? path : ".");
    for (const cJSON *c = obj->child; c; c = c->next) {
        if (!c->string || c->string[0] == '_')
            continue;
        bool ok = false;
        for (size_t i = 0; i < n_allowed && !ok; i++)
            ok = strcmp(c->string, allowed[i]) == 0;
        if (ok)
            continue;
        const char *near = str_nearest(c->string, allowed, n_allowed);
        if (near)
            return cs_err_set(err, CS_EINPUT, "%s: %s.%s: unknown key (did you mean '%s'?)",
                              file, path, c->string, near);
        return cs_err_set(err, CS_EINPUT, "%s: %s.%s: unknown key", file, path, c->string);
    }
    return CS_OK;
}
