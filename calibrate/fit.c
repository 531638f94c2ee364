#include "calibrate/fit.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>

struct fit_ctx {
    struct profile base;
    const struct fit_param *params;
    size_t n_params;
    fit_residual_fn fn;
    void *ud;
    struct cs_err *err;
    int failed;
};

/* Parameter x_i is log(value / lo) / log(hi / lo) squashed through a
 * smooth clamp, so the solver works unconstrained while the value stays in
 * [lo, hi]: value = lo * (hi/lo)^(0.5 + atan(x)/pi). */
static double to_value(const struct fit_param *fp, double x)
{
    double u = 0.5 + atan(x) / M_PI;
    return fp->lo * pow(fp->hi / fp->lo, u);
}

static double to_x(const struct fit_param *fp, double v)
{
    if (v <= fp->lo)
        v = fp->lo * 1.0001;
    if (v >= fp->hi)
        v = fp->hi * 0.9999;
    double u = log(v / fp->lo) / log(fp->hi / fp->lo);
    return tan((u - 0.5) * M_PI);
}

static void apply(struct fit_ctx *c, const gsl_vector *x, struct profile *p)
{
    *p = c->base;
    for (size_t i = 0; i < c->n_params; i++)
        p->v[c->params[i].key] = to_value(&c->params[i], gsl_vector_get(x, i));
}

static int residual_f(const gsl_vector *x, void *data, gsl_vector *f)
{
    struct fit_ctx *c = data;
    struct profile p;
    apply(c, x, &p);
    int rc = c->fn(&p, f->data, f->size, c->ud, c->err);
    if (rc) {
        c->failed = rc;
        return GSL_EFAILED;
    }
    for (size_t i = 0; i < f->size; i++)
        if (!isfinite(f->data[i])) {
            c->failed = CS_ENUM;
            return GSL_EFAILED;
        }
    return GSL_SUCCESS;
}

static double half_sumsq(const gsl_vector *f)
{
    double s;
    gsl_blas_ddot(f, f, &s);
    return 0.5 * s;
}

/* Soft-L1 loss (scipy's least_squares loss='soft_l1'): quadratic for
 * residuals well below `scale`, linear beyond. A few runs carry effects no
 * global model can have (a JIT compile inside a timed repetition, a
 * tokenizer's fixed cost); under squares they would pull every coefficient
 * towards themselves, and the fitted model would miss the typical case,
 * which the median errors in docs/validation.md measure. scale 0 = squares. */
static double loss(const gsl_vector *f, double scale)
{
    if (scale <= 0)
        return half_sumsq(f);
    double s = 0.0;
    for (size_t i = 0; i < f->size; i++) {
        double z = gsl_vector_get(f, i) / scale;
        s += sqrt(1.0 + z * z) - 1.0;
    }
    return s * scale * scale;
}

/* The fit: Nelder-Mead simplex (GSL multimin nmsimplex2) on the loss of
 * the residuals (soft-L1, or half the sum of squares at scale 0).
 * Simulated metrics are piecewise constant in the coefficients at fine
 * scales (a step either fits in a batch or not), so derivative-based least
 * squares (gsl_multifit_nlinear) takes finite-difference steps into noise;
 * the simplex works on the same objective without derivatives. Uncertainty comes from a
 * central-difference Jacobian at the optimum with steps large enough to
 * see past that noise. */
struct mm_ctx {
    struct fit_ctx *c;
    gsl_vector *f;
    double loss_scale;
};

static double objective(const gsl_vector *x, void *data)
{
    struct mm_ctx *m = data;
    if (m->c->failed)
        return GSL_POSINF;
    if (residual_f(x, m->c, m->f) != GSL_SUCCESS)
        return GSL_POSINF;
    return loss(m->f, m->loss_scale);
}

static void estimate_sigma(struct fit_ctx *c, const gsl_vector *xopt, size_t n_res,
                           double cost, struct fit_report *rep)
{
    size_t np = c->n_params;
    gsl_matrix *J = gsl_matrix_alloc(n_res, np);
    gsl_vector *fp = gsl_vector_alloc(n_res), *fm = gsl_vector_alloc(n_res);
    gsl_vector *x = gsl_vector_alloc(np);
    const double h = 0.05;
    int ok = 1;
    for (size_t j = 0; j < np && ok; j++) {
        gsl_vector_memcpy(x, xopt);
        gsl_vector_set(x, j, gsl_vector_get(xopt, j) + h);
        ok = residual_f(x, c, fp) == GSL_SUCCESS;
        gsl_vector_set(x, j, gsl_vector_get(xopt, j) - h);
        ok = ok && residual_f(x, c, fm) == GSL_SUCCESS;
        for (size_t i = 0; i < n_res && ok; i++)
            gsl_matrix_set(J, i, j, (gsl_vector_get(fp, i) - gsl_vector_get(fm, i)) / (2 * h));
    }
    gsl_matrix *cov = gsl_matrix_alloc(np, np);
    if (ok && gsl_multifit_nlinear_covar(J, 0.0, cov) == GSL_SUCCESS) {
        double dof = n_res > np ? (double)(n_res - np) : 1.0;
        double s2 = 2.0 * cost / dof;
        for (size_t i = 0; i < np; i++) {
            double xi = gsl_vector_get(xopt, i);
            double dlogv_dx =
                log(c->params[i].hi / c->params[i].lo) / (M_PI * (1.0 + xi * xi));
            double var = gsl_matrix_get(cov, i, i) * s2;
            rep->sigma[c->params[i].key] = var > 0 ? sqrt(var) * dlogv_dx : 0.0;
        }
    }
    c->failed = 0; /* a failed probe only costs the uncertainty estimate */
    gsl_matrix_free(cov);
    gsl_matrix_free(J);
    gsl_vector_free(fp);
    gsl_vector_free(fm);
    gsl_vector_free(x);
}

int fit_profile(struct profile *p, const struct fit_param *params, size_t n_params,
                size_t n_res, fit_residual_fn fn, void *ud, size_t max_iter, double loss_scale,
                struct fit_report *rep, struct cs_err *err)
{
    memset(rep, 0, sizeof *rep);
    if (n_params == 0 || n_res < n_params)
        return cs_err_set(err, CS_ENUM, "calibrate: %zu measurements cannot fit %zu coefficients",
                          n_res, n_params);
    struct fit_ctx c = { *p, params, n_params, fn, ud, err, 0 };
    struct mm_ctx m = { &c, gsl_vector_alloc(n_res), loss_scale };
    gsl_vector *x = gsl_vector_alloc(n_params), *step = gsl_vector_alloc(n_params);
    for (size_t i = 0; i < n_params; i++)
        gsl_vector_set(x, i, to_x(&params[i], p->v[params[i].key]));
    gsl_vector_set_all(step, 0.3);
    gsl_multimin_function fmin = { objective, n_params, &m };
    gsl_multimin_fminimizer *s =
        gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, n_params);
    int rc = CS_OK;
    double start = objective(x, &m);
    rep->cost_start = half_sumsq(m.f);
    if (c.failed || !isfinite(start)) {
        rc = c.failed ? c.failed : cs_err_set(err, CS_ENUM, "calibrate: residuals not finite at the start");
        goto out;
    }
    gsl_multimin_fminimizer_set(s, &fmin, x, step);
    for (size_t it = 0; it < max_iter; it++) {
        int status = gsl_multimin_fminimizer_iterate(s);
        rep->n_iter = it + 1;
        if (c.failed || status)
            break;
        if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), 1e-4) == GSL_SUCCESS) {
            rep->converged = 1;
            break;
        }
    }
    if (c.failed) {
        rc = c.failed;
        goto out;
    }
    gsl_vector_memcpy(x, gsl_multimin_fminimizer_x(s));
    apply(&c, x, p);
    if (objective(x, &m) == GSL_POSINF) {
        rc = c.failed ? c.failed : cs_err_set(err, CS_ENUM, "calibrate: residuals not finite at the optimum");
        goto out;
    }
    rep->cost_end = half_sumsq(m.f);
    estimate_sigma(&c, x, n_res, rep->cost_end, rep);
out:
    gsl_multimin_fminimizer_free(s);
    gsl_vector_free(m.f);
    gsl_vector_free(x);
    gsl_vector_free(step);
    return rc;
}
