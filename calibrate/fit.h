/*
 * fit.h - fit a handful of profile coefficients to log-ratio residuals
 * log(predicted / measured) under a soft-L1 or squared loss (GSL multimin
 * simplex, see fit.c for why not gsl_multifit_nlinear). Coefficients are fitted in log space, so they
 * stay positive and a step means a factor, and each is bounded to a
 * physical range (a fitted bandwidth efficiency above 1 would be a bug of
 * the model, not a finding).
 *
 * The caller supplies the residual function: it writes one residual per
 * measurement for the profile it is given. Deterministic: the same
 * residual function and start give the same result.
 *
 * Ownership: plain data; nothing allocated survives fit_profile().
 */
#ifndef CAPSIM_CALIBRATE_FIT_H
#define CAPSIM_CALIBRATE_FIT_H

#include <stddef.h>
#include <stdio.h>

#include "common/err.h"
#include "profile/profile.h"

struct fit_param {
    enum prof_key key;
    double lo, hi;           /* physical bounds, both > 0 */
};

/* Write n_res residuals for profile p into res. Return CS_OK or an error. */
typedef int (*fit_residual_fn)(const struct profile *p, double *res, size_t n_res, void *ud,
                               struct cs_err *err);

struct fit_report {
    size_t n_iter;
    int converged;           /* 1 if the simplex shrank below tolerance */
    double cost_start;       /* 0.5 * sum of squared residuals (whatever the loss) */
    double cost_end;
    double sigma[PROF_COUNT];/* 1-sigma relative uncertainty (in log space) per fitted key */
};

/* Fit params (in place in *p) to minimise the residuals under a soft-L1
 * loss of the given scale (a log error; 0 = plain squares). max_iter bounds
 * the work. A fit that does not converge still returns CS_OK with
 * rep->converged = 0 and the best point; numerical failures give CS_ENUM. */
int fit_profile(struct profile *p, const struct fit_param *params, size_t n_params,
                size_t n_res, fit_residual_fn fn, void *ud, size_t max_iter, double loss_scale,
                struct fit_report *rep, struct cs_err *err);

#endif /* CAPSIM_CALIBRATE_FIT_H */
