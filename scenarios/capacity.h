/*
 * capacity.h - the largest load that still passes: bracket by doubling,
 * then bisect on integers. The predicate must be monotone for the answer
 * to be exact; with common random numbers (scenarios/office.h) it is in
 * practice, and repeating over seeds gives a spread.
 *
 * Ownership: the curve of evaluated points is written into caller arrays.
 */
#ifndef CAPSIM_SCENARIOS_CAPACITY_H
#define CAPSIM_SCENARIOS_CAPACITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Return CS_OK and set *pass; `value` gets the binding metric for the curve. */
typedef int (*capacity_pred)(int64_t load, void *ud, bool *pass, double *value,
                             struct cs_err *err);

#define CAPACITY_MAX_POINTS 64

struct capacity_curve {
    int64_t load[CAPACITY_MAX_POINTS];
    double value[CAPACITY_MAX_POINTS];
    bool pass[CAPACITY_MAX_POINTS];
    size_t n;
};

/* Largest load in [1, max_load] that passes (0 if even 1 fails). */
int capacity_search(capacity_pred pred, void *ud, int64_t start, int64_t max_load,
                    int64_t *best, struct capacity_curve *curve, struct cs_err *err);

#endif /* CAPSIM_SCENARIOS_CAPACITY_H */
