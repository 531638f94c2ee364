/*
 * json.h - reading JSON files people write, with errors that name the file,
 * the place and the value:  "FILE: .path.key: must be > 0 (got -3)".
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

#endif /* CAPSIM_COMMON_JSON_H */
