/*
 * bands.h - error bands from validation residuals. A band is the 10th
 * and 90th percentile of measured / predicted over the cases of its
 * metric groups, so a prediction v has the 80% interval [v lo, v hi].
 * Built from leave-one-model-out predictions it says how far the answer
 * for a model the profile never saw lands. Its honesty is checked the
 * same way: each model's band is built without that model's cases, and
 * coverage counts how many of them fall inside (near 80% if honest).
 *
 * TTFT pools closed-loop mean TTFT and open-loop p50/p95/p99 TTFT; TPOT
 * pools open-loop p50/p95 TPOT and the closed-loop decode rate per user
 * (as time per token). A profile keeps each band as two coefficients
 * (band_*_lo, band_*_hi).
 *
 * Ownership: plain data.
 */
#ifndef CAPSIM_CALIBRATE_BANDS_H
#define CAPSIM_CALIBRATE_BANDS_H

#include <stdio.h>

#include "calibrate/validate.h"
#include "profile/profile.h"

struct band_fit {
    double lo, hi;        /* 10th and 90th percentile of measured / predicted */
    size_t n;             /* cases */
    double coverage;      /* share of cases inside their model-left-out band */
};

const char *band_metric_name(enum band_metric m);
int bands_compute(const struct validation *v, struct band_fit out[BAND_COUNT], struct cs_err *err);
void bands_print(const struct band_fit b[BAND_COUNT], FILE *f);
/* Store the bands in p (band_ttft_lo, ...), their source saying `what`. */
void bands_apply(const struct band_fit b[BAND_COUNT], const char *what, struct profile *p);

#endif /* CAPSIM_CALIBRATE_BANDS_H */
