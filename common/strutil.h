/*
 * strutil.h - small string helpers shared by the CLI and the loaders.
 */
#ifndef CAPSIM_COMMON_STRUTIL_H
#define CAPSIM_COMMON_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The candidate closest to s by edit distance, or NULL if none is close
 * enough to be a plausible typo. Borrowed from cands. */
const char *str_nearest(const char *s, const char *const *cands, size_t n);

/* Strict number parsing: the whole string, finite. false on any junk. */
bool str_to_double(const char *s, double *out);
bool str_to_int64(const char *s, int64_t *out);

bool str_starts_with(const char *s, const char *prefix);

#endif /* CAPSIM_COMMON_STRUTIL_H */
