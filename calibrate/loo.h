/*
 * loo.h - leave-one-model-out refits: for each model, the profile fitted
 * to every other model's runs, starting from one profile. With jobs > 1
 * the folds run in child processes (fork), `jobs` at a time; each fold is
 * the same deterministic fit, so the profiles do not depend on `jobs`.
 *
 * Ownership: the caller owns `out`, an array of n_models profiles.
 */
#ifndef CAPSIM_CALIBRATE_LOO_H
#define CAPSIM_CALIBRATE_LOO_H

#include <stddef.h>

#include "calibrate/arena.h"
#include "common/err.h"
#include "profile/profile.h"

int loo_fit_profiles(const struct arena *a, const char *const *models, size_t n_models,
                     const struct profile *start, size_t max_iter, int jobs,
                     struct profile *out, struct cs_err *err);

#endif /* CAPSIM_CALIBRATE_LOO_H */
