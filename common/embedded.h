/*
 * embedded.h - data files compiled into the binary by scripts/embed.sh:
 * the model catalog (model/catalog/NAME.json), profiles (profiles/NAME.json),
 * their fit start points (calibrate/start/NAME-start.json) and scenario
 * presets (scenarios/NAME.json).
 *
 * Ownership: everything here is static and read-only.
 */
#ifndef CAPSIM_COMMON_EMBEDDED_H
#define CAPSIM_COMMON_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
    const char *path;   /* repository-relative, e.g. "profile/gb10.json" */
    const char *text;   /* NUL-terminated contents */
};

extern const struct embedded_file embedded_files[];
extern const size_t embedded_files_count;

/* The embedded file at `path`, or NULL. */
const struct embedded_file *embedded_find(const char *path);

#endif /* CAPSIM_COMMON_EMBEDDED_H */
