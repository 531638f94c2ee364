#include "cli/opts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/strutil.h"

const struct opt *opts_find(const struct opt *table, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

static int bad_value(const char *cmd, const struct opt *o, const char *val, const char *what,
                     struct cs_err *err)
{
    return cs_err_set(err, CS_EUSAGE, "%s: --%s: %s (got '%s')", cmd, o->name, what, val);
}

static int set_number(const char *cmd, struct opt *o, const char *val, double *out,
                      struct cs_err *err)
{
    double d;
    if (o->max == INFINITY && (strcmp(val, "inf") == 0 || strcmp(val, "Infinity") == 0)) {
        d = INFINITY;
    } else if (!str_to_double(val, &d)) {
        return bad_value(cmd, o, val, "must be a number", err);
    }
    if (o->type == OPT_INT && d != floor(d))
        return bad_value(cmd, o, val, "must be an integer", err);
    if (d < o->min || d > o->max) {
        if (o->min > 0 && o->min < 1e-6)
            return cs_err_set(err, CS_EUSAGE, "%s: --%s: must be > 0 (got %s)", cmd, o->name, val);
        if (o->max == INFINITY || o->max >= 1e15)
            return cs_err_set(err, CS_EUSAGE, "%s: --%s: must be >= %g (got %s)", cmd, o->name,
                              o->min, val);
        return cs_err_set(err, CS_EUSAGE, "%s: --%s: must be between %g and %g (got %s)", cmd,
                          o->name, o->min, o->max, val);
    }
    *out = d;
    return CS_OK;
}

static int add_list_items(const char *cmd, struct opt *o, const char *val, struct cs_err *err)
{
    struct opt_list *l = o->target;
    char buf[512];
    if (strlen(val) >= sizeof buf)
        return bad_value(cmd, o, val, "list too long", err);
    strcpy(buf, val);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (l->n >= OPT_LIST_MAX)
            return cs_err_set(err, CS_EUSAGE, "%s: --%s: at most %d values", cmd, o->name,
                              OPT_LIST_MAX);
        double d;
        int rc = set_number(cmd, o, tok, &d, err);
        if (rc)
            return rc;
        l->v[l->n++] = d;
    }
    return CS_OK;
}

/* argparse's nargs="+": the values of a list run until the next option. */
static bool next_is_value(int i, int argc, char **argv)
{
    return i + 1 < argc && !(argv[i + 1][0] == '-' && argv[i + 1][1] == '-');
}

int opts_parse(const char *cmd, struct opt *table, size_t n, int argc, char **argv,
               const char **pos, size_t max_pos, size_t *n_pos, bool *help,
               struct cs_err *err)
{
    size_t np = 0;
    *help = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            *help = true;
            return CS_OK;
        }
        if (a[0] != '-' || a[1] != '-' || a[2] == '\0') {
            if (np >= max_pos)
                return cs_err_set(err, CS_EUSAGE, "%s: unexpected argument '%s'", cmd, a);
            pos[np++] = a;
            continue;
        }
        char name[128];
        const char *eq = strchr(a + 2, '=');
        size_t len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
        if (len >= sizeof name)
            return cs_err_set(err, CS_EUSAGE, "%s: unknown option '%.60s...'", cmd, a);
        memcpy(name, a + 2, len);
        name[len] = '\0';
        /* Accept snake_case spellings of the same flag (scenario key names). */
        for (char *p = name; *p; p++)
            if (*p == '_')
                *p = '-';
        struct opt *o = (struct opt *)opts_find(table, n, name);
        /* vLLM's own flags for what capsim calls the precision: point at
         * the capsim flag rather than at the nearest spelling */
        if (!o && (strcmp(name, "quantization") == 0 || strcmp(name, "dtype") == 0) &&
            opts_find(table, n, "precision")) {
            bool list = opts_find(table, n, "precisions") != NULL; /* compare */
            return cs_err_set(err, CS_EUSAGE,
                              "%s: --%s is vllm serve's; capsim takes the weights' precision "
                              "as %s", cmd, name,
                              list ? "--precisions bf16,fp8,nvfp4" : "--precision bf16|fp8|nvfp4|mxfp4");
        }
        if (!o) {
            const char *names[256];
            size_t k = 0;
            for (size_t j = 0; j < n && k < 256; j++)
                names[k++] = table[j].name;
            const char *near = str_nearest(name, names, k);
            if (near)
                return cs_err_set(err, CS_EUSAGE,
                                  "%s: unknown option '--%s' (did you mean '--%s'?)", cmd,
                                  name, near);
            return cs_err_set(err, CS_EUSAGE, "%s: unknown option '--%s'", cmd, name);
        }
        o->seen = true;
        if (o->type == OPT_FLAG) {
            if (eq)
                return cs_err_set(err, CS_EUSAGE, "%s: --%s takes no value", cmd, o->name);
            *(bool *)o->target = true;
            continue;
        }
        const char *val = eq ? eq + 1 : NULL;
        if (!val) {
            if (i + 1 >= argc)
                return cs_err_set(err, CS_EUSAGE, "%s: --%s needs a value", cmd, o->name);
            val = argv[++i];
        }
        int rc = CS_OK;
        double d;
        switch (o->type) {
        case OPT_INT:
            rc = set_number(cmd, o, val, &d, err);
            if (!rc)
                *(int64_t *)o->target = (int64_t)d;
            break;
        case OPT_DOUBLE:
            rc = set_number(cmd, o, val, &d, err);
            if (!rc)
                *(double *)o->target = d;
            break;
        case OPT_STRING:
            if (!*val)
                return cs_err_set(err, CS_EUSAGE, "%s: --%s: must not be empty", cmd, o->name);
            *(const char **)o->target = val;
            break;
        case OPT_LIST:
            ((struct opt_list *)o->target)->n = 0;
            rc = add_list_items(cmd, o, val, err);
            /* nargs="+": keep taking values until the next option. */
            while (!rc && !eq && next_is_value(i, argc, argv))
                rc = add_list_items(cmd, o, argv[++i], err);
            break;
        case OPT_STRINGS: {
            struct opt_strings *l = o->target;
            if (l->n >= OPT_STRINGS_MAX)
                return cs_err_set(err, CS_EUSAGE, "%s: --%s: at most %d times", cmd, o->name,
                                  OPT_STRINGS_MAX);
            l->v[l->n++] = val;
            break;
        }
        case OPT_WORDS: {
            struct opt_strings *l = o->target;
            l->n = 0;
            for (;;) {
                if (l->n >= OPT_STRINGS_MAX)
                    return cs_err_set(err, CS_EUSAGE, "%s: --%s: at most %d values", cmd,
                                      o->name, OPT_STRINGS_MAX);
                l->v[l->n++] = val;
                if (eq || !next_is_value(i, argc, argv))
                    break;
                val = argv[++i];
            }
            break;
        }
        case OPT_IGNORED:
            fprintf(stderr, "capsim %s: ignoring --%s (meaningful only against a real server)\n",
                    cmd, o->name);
            break;
        case OPT_FLAG:
            break;
        }
        if (rc)
            return rc;
    }
    *n_pos = np;
    return CS_OK;
}

void opts_usage(FILE *f, const char *cmd, const char *synopsis, const struct opt *table,
                size_t n)
{
    fprintf(f, "usage: capsim %s %s\n\noptions:\n", cmd, synopsis);
    for (size_t i = 0; i < n; i++) {
        if (table[i].type == OPT_IGNORED)
            continue;
        const char *arg = "";
        switch (table[i].type) {
        case OPT_INT: arg = " N"; break;
        case OPT_DOUBLE: arg = " X"; break;
        case OPT_STRING: arg = " S"; break;
        case OPT_STRINGS: arg = " S (repeatable)"; break;
        case OPT_LIST: arg = " N [N ...]"; break;
        case OPT_WORDS: arg = " S [S ...]"; break;
        default: break;
        }
        char left[64];
        snprintf(left, sizeof left, "--%s%s", table[i].name, arg);
        fprintf(f, "  %-32s %s\n", left, table[i].help);
    }
    fprintf(f, "  %-32s %s\n", "--help", "show this help");
    fprintf(f, "\nexit status: 0 done; 1 bad input (a file, a model, a value); 2 bad usage%s\n",
            opts_find(table, n, "check") ? "; 3 with --check, an objective missed" : "");
}
