/*
 * test_fit.c - the calibration fitter recovers known coefficients from
 * synthetic measurements made with a roofline of known parameters, keeps
 * coefficients inside their bounds, and reports failures as errors.
 */
#include "cs_test.h"

#include "calibrate/fit.h"

/* Synthetic "measurements": t = bytes / (bw * eff) + overhead, for a few
 * sizes, generated with eff = 0.8 and overhead = 2 ms. */
static const double sizes_bytes[] = { 1e8, 5e8, 1e9, 4e9, 1.6e10, 6.4e10 };
#define N_SIZES (sizeof sizes_bytes / sizeof sizes_bytes[0])

static double model_time(const struct profile *p, double bytes)
{
    return bytes / (p->v[PROF_MEM_BW_BYTES_PER_S] * p->v[PROF_BW_EFF_WEIGHTS]) +
           p->v[PROF_BLOCK_OVERHEAD_S];
}

static int residuals(const struct profile *p, double *res, size_t n, void *ud,
                     struct cs_err *err)
{
    (void)err;
    const double *measured = ud;
    for (size_t i = 0; i < n; i++)
        res[i] = log(model_time(p, sizes_bytes[i]) / measured[i]);
    return CS_OK;
}

static void fill_start(struct profile *p)
{
    memset(p, 0, sizeof *p);
    p->v[PROF_MEM_BW_BYTES_PER_S] = 273e9;
    p->v[PROF_BW_EFF_WEIGHTS] = 0.5;
    p->v[PROF_BLOCK_OVERHEAD_S] = 1e-4;
}

static void test_recovers_known_coefficients(void **state)
{
    (void)state;
    double measured[N_SIZES];
    for (size_t i = 0; i < N_SIZES; i++)
        measured[i] = sizes_bytes[i] / (273e9 * 0.8) + 0.002;
    struct profile p;
    fill_start(&p);
    const struct fit_param params[] = {
        { PROF_BW_EFF_WEIGHTS, 0.05, 1.0 },
        { PROF_BLOCK_OVERHEAD_S, 1e-6, 0.1 },
    };
    struct fit_report rep;
    struct cs_err err = { 0 };
    assert_int_equal(fit_profile(&p, params, 2, N_SIZES, residuals, measured, 200, 0.0, &rep, &err),
                     CS_OK);
    assert_close(p.v[PROF_BW_EFF_WEIGHTS], 0.8, 1e-4, 0);
    assert_close(p.v[PROF_BLOCK_OVERHEAD_S], 0.002, 1e-3, 0);
    assert_true(rep.cost_end < rep.cost_start);
}

static void test_coefficients_stay_within_bounds(void **state)
{
    (void)state;
    /* Data that would want an efficiency of 2 (faster than the bandwidth). */
    double measured[N_SIZES];
    for (size_t i = 0; i < N_SIZES; i++)
        measured[i] = sizes_bytes[i] / (273e9 * 2.0);
    struct profile p;
    fill_start(&p);
    const struct fit_param params[] = { { PROF_BW_EFF_WEIGHTS, 0.05, 1.0 } };
    struct fit_report rep;
    struct cs_err err = { 0 };
    assert_int_equal(fit_profile(&p, params, 1, N_SIZES, residuals, measured, 100, 0.0, &rep, &err),
                     CS_OK);
    assert_true(p.v[PROF_BW_EFF_WEIGHTS] <= 1.0);
    assert_true(p.v[PROF_BW_EFF_WEIGHTS] > 0.9);
}

/* One wild measurement among good ones: squares let it drag the fitted
 * efficiency away, the soft-L1 loss keeps the fit on the other five. */
static void test_soft_l1_resists_one_outlier(void **state)
{
    (void)state;
    double measured[N_SIZES];
    for (size_t i = 0; i < N_SIZES; i++)
        measured[i] = sizes_bytes[i] / (273e9 * 0.8);
    measured[2] *= 3.0; /* a run that caught a JIT compile */
    const struct fit_param params[] = { { PROF_BW_EFF_WEIGHTS, 0.05, 1.0 } };
    struct fit_report rep;
    struct cs_err err = { 0 };
    struct profile sq, robust;
    fill_start(&sq);
    sq.v[PROF_BLOCK_OVERHEAD_S] = 0;
    robust = sq;
    assert_int_equal(fit_profile(&sq, params, 1, N_SIZES, residuals, measured, 200, 0.0, &rep, &err),
                     CS_OK);
    assert_int_equal(
        fit_profile(&robust, params, 1, N_SIZES, residuals, measured, 200, 0.05, &rep, &err), CS_OK);
    /* squares: the geometric mean, 0.8 / 3^(1/6) = 0.66 */
    assert_close(sq.v[PROF_BW_EFF_WEIGHTS], 0.8 / pow(3.0, 1.0 / 6.0), 1e-3, 0);
    assert_close(robust.v[PROF_BW_EFF_WEIGHTS], 0.8, 0.03, 0);
}

static int failing(const struct profile *p, double *res, size_t n, void *ud, struct cs_err *err)
{
    (void)p, (void)res, (void)n, (void)ud;
    return cs_err_set(err, CS_EINPUT, "simulation failed");
}

static void test_residual_failure_is_reported(void **state)
{
    (void)state;
    struct profile p;
    fill_start(&p);
    const struct fit_param params[] = { { PROF_BW_EFF_WEIGHTS, 0.05, 1.0 } };
    struct fit_report rep;
    struct cs_err err = { 0 };
    assert_int_equal(fit_profile(&p, params, 1, 3, failing, NULL, 10, 0.0, &rep, &err), CS_EINPUT);
    assert_string_equal(err.msg, "simulation failed");
}

static void test_too_few_measurements_is_an_error(void **state)
{
    (void)state;
    struct profile p;
    fill_start(&p);
    const struct fit_param params[] = { { PROF_BW_EFF_WEIGHTS, 0.05, 1.0 },
                                        { PROF_BLOCK_OVERHEAD_S, 1e-6, 0.1 } };
    struct fit_report rep;
    struct cs_err err = { 0 };
    assert_int_equal(fit_profile(&p, params, 2, 1, residuals, NULL, 10, 0.0, &rep, &err), CS_ENUM);
    assert_string_equal(err.msg, "calibrate: 1 measurements cannot fit 2 coefficients");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recovers_known_coefficients),
        cmocka_unit_test(test_coefficients_stay_within_bounds),
        cmocka_unit_test(test_soft_l1_resists_one_outlier),
        cmocka_unit_test(test_residual_failure_is_reported),
        cmocka_unit_test(test_too_few_measurements_is_an_error),
    };
    return cmocka_run_group_tests_name("fit", tests, NULL, NULL);
}
