/*
 * kernels_fit.h - profile coefficients from capsim-kbench records: each
 * benchmark family sets the coefficient it stands for (docs/kernels.md).
 * A record's time is modelled as a roofline plus a launch cost,
 *     t = max(bytes / (bw x eff_mem), flops / (peak x eff_compute)) + t0,
 * t0 and the bandwidth efficiency from a least-squares line through the
 * read-bandwidth records, each other efficiency from the envelope (the
 * best record of its family, which is the one on its roofline).
 *
 * Ownership: plain data; writes the report to the FILE given (may be NULL).
 */
#ifndef CAPSIM_CALIBRATE_KERNELS_FIT_H
#define CAPSIM_CALIBRATE_KERNELS_FIT_H

#include <stdio.h>

#include "kernels/host/kbench.h"
#include "profile/profile.h"

int kernels_fit(const struct kb_record *r, size_t n, struct profile *p, const char *source_file,
                FILE *report, struct cs_err *err);

#endif /* CAPSIM_CALIBRATE_KERNELS_FIT_H */
