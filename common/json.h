/*
 * json.h - reading JSON files people write, with errors that name the file,
 * the place and the value:  "FILE: .path.key: must be > 0 (got -3)"; and
 * writing capsim's JSON output through a cJSON tree, so that escaping and
 * structure come from one place and cannot drift between commands.
 *
 * cJSON is used directly by loaders (model/, profile/, scenarios/,
 * calibrate/, kernels/host/); sim/ never sees it. A cJSON tree never
 * outlives its loader: parse, copy into plain structs, cJSON_Delete().
 *
 * Ownership: json_load_file()/json_parse_text() give the caller a tree to
 * release with cJSON_Delete(). Getters borrow.
 */
#ifndef CAPSIM_COMMON_JSON_H
#define CAPSIM_COMMON_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cJSON.h>

#include "common/err.h"

/* Read and parse FILE. Malformed JSON gives "FILE:LINE:COL: malformed JSON". */
int json_load_file(const char *path, cJSON **out, struct cs_err *err);
/* Parse text; `name` stands for the file in messages. */
int json_parse_text(const char *name, const char *text, size_t len, cJSON **out,
                    struct cs_err *err);

/* Read a whole file into a NUL-terminated buffer you free(). */
int json_read_file(const char *path, char **out, size_t *len, struct cs_err *err);

/*
 * Typed getters. `file` and `path` locate obj for messages (path like
 * ".engine"; "" for the root). A missing key: if `required`, an error;
 * otherwise *out keeps its value (the default) and CS_OK is returned.
 * Numbers must be finite and within [min, max].
 */
int json_get_number(const cJSON *obj, const char *key, bool required, double min,
                    double max, double *out, const char *file, const char *path,
                    struct cs_err *err);
int json_get_int(const cJSON *obj, const char *key, bool required, int64_t min,
                 int64_t max, int64_t *out, const char *file, const char *path,
                 struct cs_err *err);
int json_get_bool(const cJSON *obj, const char *key, bool required, bool *out,
                  const char *file, const char *path, struct cs_err *err);
/* *out borrows from the tree. */
int json_get_string(const cJSON *obj, const char *key, bool required, const char **out,
                    const char *file, const char *path, struct cs_err *err);

/* Every key of obj must be in `allowed` (keys starting with '_' are
 * comments and pass); otherwise "unknown key 'x' (did you mean 'y'?)". */
int json_check_keys(const cJSON *obj, const char *const *allowed, size_t n_allowed,
                    const char *file, const char *path, struct cs_err *err);

/*
 * Writing. Numbers go in as raw text, so a command keeps the rounding its
 * output always had; a value that is not finite becomes null (JSON has no
 * inf or nan). Each adder returns the item it added (NULL on allocation
 * failure, which cJSON_Print then reports).
 */
/* The shortest "%.{15,16,17}g" that reads back to v: exact round trip
 * (cJSON's own "%1.15g" loses the last digits). */
cJSON *json_add_number(cJSON *o, const char *key, double v);
/* v with `decimals` digits after the point ("%.*f"). */
cJSON *json_add_fixed(cJSON *o, const char *key, double v, int decimals);
/* v with `digits` significant digits ("%.*g"). */
cJSON *json_add_sig(cJSON *o, const char *key, double v, int digits);
cJSON *json_add_int(cJSON *o, const char *key, int64_t v);
/* The same as array elements. */
cJSON *json_push_number(cJSON *arr, double v);
cJSON *json_push_fixed(cJSON *arr, double v, int decimals);
cJSON *json_push_int(cJSON *arr, int64_t v);

/* Print root and a newline to f, then delete root. Keys keep their
 * insertion order, so the output is deterministic. The layout is the one
 * capsim's output always had: an object one member a line, indented by
 * two spaces; an array of objects one element a line; everything else on
 * one line with ", " and ": " (Python's json.dump separators). */
int json_write(FILE *f, cJSON *root, struct cs_err *err);
/* All on one line, as Python's json.dump writes it (vllm bench serve's
 * result file; a JSON Lines record). */
int json_write_line(FILE *f, cJSON *root, struct cs_err *err);

#endif /* CAPSIM_COMMON_JSON_H */
