/*
 * calibrate.h - fit a hardware profile to an arena folder: the profile's
 * free coefficients are chosen to minimise log(predicted / measured) over
 * the closed-loop measurements (llama-benchy rows: decode rate per user and
 * in total, time to first token), each case simulated by the same engine
 * and clients `capsim validate` uses. With `open_loop`, also the p50 TTFT
 * and p50 TPOT of the open-loop tests (vllm bench serve); by default they
 * stay out, an independent check, and a fit costs a third of the time.
 *
 * Ownership: plain data.
 */
#ifndef CAPSIM_CALIBRATE_CALIBRATE_H
#define CAPSIM_CALIBRATE_CALIBRATE_H

#include <stdbool.h>
#include <stdio.h>

#include "calibrate/arena.h"
#include "calibrate/field.h"
#include "calibrate/fit.h"
#include "profile/profile.h"

/* The coefficients the fit moves, with their physical bounds. */
extern const struct fit_param calibrate_params[];
extern const size_t calibrate_n_params;

/* Simplex iterations of the committed fit (make profile) and of each
 * leave-one-out fold: the simplex does not converge in 300 or 600, and
 * more iterations lower the objective without lowering the medians
 * (docs/validation.md). */
#define CALIBRATE_DEFAULT_ITER 300

/* Fit *p (in place) to the arena's runs, leaving out the runs of model
 * `exclude` (NULL: none). `report` (may be NULL) gets the fit report. */
int calibrate_arena(const struct arena *a, const char *exclude, bool open_loop, struct profile *p,
                    size_t max_iter, FILE *report, struct cs_err *err);

/* The arena and the field set together: every predictable field figure
 * (calibrate/field.h) adds a residual log(predicted / measured), weighted
 * by its source's trust and by its repeat count (sqrt(min(repeats, 10) /
 * 10): one published number weighs a third of a figure averaged over ten
 * requests or more). exclude_source (NULL: none) leaves one field source
 * out, for leave-one-source-out. fs may be NULL (arena only). */
int calibrate_joint(const struct arena *a, const char *exclude, const struct field_set *fs,
                    const char *exclude_source, bool open_loop, struct profile *p, size_t max_iter,
                    FILE *report, struct cs_err *err);

#endif /* CAPSIM_CALIBRATE_CALIBRATE_H */
