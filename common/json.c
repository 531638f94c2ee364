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

/* ---------------------------------------------------------------- writing */

static cJSON *raw_or_null(const char *buf, bool finite)
{
    return finite ? cJSON_CreateRaw(buf) : cJSON_CreateNull();
}

static cJSON *number_item(double v)
{
    char buf[40] = "null";
    if (isfinite(v))
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, v);
            if (strtod(buf, NULL) == v)
                break;
        }
    return raw_or_null(buf, isfinite(v));
}

static cJSON *fixed_item(double v, int decimals)
{
    char buf[400]; /* "%.0f" of DBL_MAX has 309 digits */
    snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return raw_or_null(buf, isfinite(v));
}

static cJSON *sig_item(double v, int digits)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.*g", digits, v);
    return raw_or_null(buf, isfinite(v));
}

static cJSON *int_item(int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    return cJSON_CreateRaw(buf);
}

static cJSON *add(cJSON *o, const char *key, cJSON *item)
{
    if (item && !cJSON_AddItemToObject(o, key, item)) {
        cJSON_Delete(item);
        return NULL;
    }
    return item;
}

static cJSON *push(cJSON *arr, cJSON *item)
{
    if (item && !cJSON_AddItemToArray(arr, item)) {
        cJSON_Delete(item);
        return NULL;
    }
    return item;
}

cJSON *json_add_number(cJSON *o, const char *key, double v) { return add(o, key, number_item(v)); }
cJSON *json_add_fixed(cJSON *o, const char *key, double v, int decimals)
{
    return add(o, key, fixed_item(v, decimals));
}
cJSON *json_add_sig(cJSON *o, const char *key, double v, int digits)
{
    return add(o, key, sig_item(v, digits));
}
cJSON *json_add_int(cJSON *o, const char *key, int64_t v) { return add(o, key, int_item(v)); }
cJSON *json_push_number(cJSON *arr, double v) { return push(arr, number_item(v)); }
cJSON *json_push_fixed(cJSON *arr, double v, int decimals)
{
    return push(arr, fixed_item(v, decimals));
}
cJSON *json_push_int(cJSON *arr, int64_t v) { return push(arr, int_item(v)); }

/* A leaf (or a key, as a string item) in cJSON's own spelling: escaping
 * is cJSON's, never ours. */
static bool put_leaf(FILE *f, const cJSON *item)
{
    char *s = cJSON_PrintUnformatted(item);
    if (!s)
        return false;
    fputs(s, f);
    cJSON_free(s);
    return true;
}

static bool put_key(FILE *f, const char *key)
{
    cJSON *k = cJSON_CreateString(key);
    bool ok = k && put_leaf(f, k);
    cJSON_Delete(k);
    return ok;
}

/* On one line with Python's json.dump separators ", " and ": ". */
static bool put_inline(FILE *f, const cJSON *v)
{
    bool obj = cJSON_IsObject(v);
    if (!obj && !cJSON_IsArray(v))
        return put_leaf(f, v);
    fputc(obj ? '{' : '[', f);
    for (const cJSON *c = v->child; c; c = c->next) {
        if (obj && !(put_key(f, c->string) && fputs(": ", f) >= 0))
            return false;
        if (!put_inline(f, c))
            return false;
        if (c->next)
            fputs(", ", f);
    }
    fputc(obj ? '}' : ']', f);
    return true;
}

static bool has_object(const cJSON *arr)
{
    for (const cJSON *c = arr->child; c; c = c->next)
        if (cJSON_IsObject(c) || cJSON_IsArray(c))
            return true;
    return false;
}

/* An object one member a line; an array of objects one element a line
 * (each on one line); anything else on one line. */
static bool put_block(FILE *f, const cJSON *v, int indent)
{
    if (cJSON_IsArray(v) && v->child && has_object(v)) {
        fputs("[\n", f);
        for (const cJSON *c = v->child; c; c = c->next) {
            fprintf(f, "%*s", indent + 2, "");
            if (!put_inline(f, c))
                return false;
            fputs(c->next ? ",\n" : "\n", f);
        }
        fprintf(f, "%*s]", indent, "");
        return true;
    }
    if (!cJSON_IsObject(v) || !v->child)
        return put_inline(f, v);
    fputs("{\n", f);
    for (const cJSON *c = v->child; c; c = c->next) {
        fprintf(f, "%*s", indent + 2, "");
        if (!(put_key(f, c->string) && fputs(": ", f) >= 0 && put_block(f, c, indent + 2)))
            return false;
        fputs(c->next ? ",\n" : "\n", f);
    }
    fprintf(f, "%*s}", indent, "");
    return true;
}

static int print(FILE *f, cJSON *root, bool block, struct cs_err *err)
{
    bool ok = root && (block ? put_block(f, root, 0) : put_inline(f, root));
    cJSON_Delete(root);
    if (!ok)
        return cs_err_set(err, CS_EIO, "cannot format the output as JSON");
    fputc('\n', f);
    return ferror(f) ? cs_err_set(err, CS_EIO, "cannot write the output") : CS_OK;
}

int json_write(FILE *f, cJSON *root, struct cs_err *err) { return print(f, root, true, err); }
int json_write_line(FILE *f, cJSON *root, struct cs_err *err) { return print(f, root, false, err); }
