/*
 * coverage.h - what a profile's calibration data covers: which kernel
 * paths (for linears and for experts) and which architecture kinds the
 * arena's runs exercise, with the runs behind each, and which profile
 * coefficients no run constrains (their source says "prior:"). A
 * prediction that leans on an uncovered path or kind is an estimate.
 *
 * Ownership: writes to the FILE given; allocates nothing that outlives a call.
 */
#ifndef CAPSIM_CALIBRATE_COVERAGE_H
#define CAPSIM_CALIBRATE_COVERAGE_H

#include <stdio.h>

#include "calibrate/arena.h"
#include "profile/profile.h"

/* Architecture kinds a cost term is specific to. ORDER ARCH: arch_names[]. */
enum arch_kind {
    ARCH_DENSE, ARCH_MOE, ARCH_HYBRID_RECURRENT, ARCH_SLIDING_WINDOW, ARCH_MLA,
    ARCH_SPEC_MTP, ARCH_SPEC_DFLASH, ARCH_COUNT
};
const char *coverage_arch_name(enum arch_kind k);

int coverage_print(const struct arena *a, const struct profile *p, FILE *f, struct cs_err *err);

#endif /* CAPSIM_CALIBRATE_COVERAGE_H */
