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

#include <stdbool.h>
#include <stddef.h>

#include "calibrate/arena.h"
#include "common/err.h"
#include "profile/profile.h"

/* `open_loop`: each fold fits open-loop tests too (calibrate_arena). */
int loo_fit_profiles(const struct arena *a, const char *const *models, size_t n_models,
                     const struct profile *start, bool open_loop, size_t max_iter, int jobs,
                     struct profile *out, struct cs_err *err);

#endif /* CAPSIM_CALIBRATE_LOO_H */
