/*
 * xalloc.h - allocation that cannot fail: on exhaustion print one line and
 * exit 1 (git's xmalloc, Redis zmalloc). Keeps call sites free of NULL checks.
 * Memory from these is released with free(3).
 */
#ifndef CAPSIM_COMMON_XALLOC_H
#define CAPSIM_COMMON_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Grow *p (array of elem_size items, capacity *cap) to hold at least `need`. */
void xgrow(void **p, size_t *cap, size_t need, size_t elem_size);

#endif /* CAPSIM_COMMON_XALLOC_H */
