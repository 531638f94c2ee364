/*
 * loo.h - leave-one-out refits: for each model, the profile fitted to
 * every other model's runs (or, for the field set, each source left out
 * of a joint fit), starting from one profile. With jobs > 1
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
#include "calibrate/field.h"
#include "common/err.h"
#include "profile/profile.h"

/* `open_loop`: each fold fits open-loop tests too (calibrate_arena). */
int loo_fit_profiles(const struct arena *a, const char *const *models, size_t n_models,
                     const struct profile *start, bool open_loop, size_t max_iter, int jobs,
                     struct profile *out, struct cs_err *err);

/* Leave one field source out: for each source, the profile fitted to the
 * arena and every other field source (calibrate_joint), from `start`. */
int loo_fit_profiles_field(const struct arena *a, const struct field_set *fs, const char *const *sources,
                           size_t n_sources, const struct profile *start, size_t max_iter, int jobs,
                           struct profile *out, struct cs_err *err);

#endif /* CAPSIM_CALIBRATE_LOO_H */
