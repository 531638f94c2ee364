/*
 * test_loo.c - leave-one-model-out folds give the same profiles whether
 * they run one after another or in child processes, and each fold is a
 * real refit. On a small slice of ../shared/arena (Data: Django de Vreng,
 * DGX Spark benchmark runs, CC-BY-4.0): the closed-loop rows of two small
 * models, so a fold takes a second. Skips without ../shared.
 */
#include "cs_test.h"

#include "calibrate/loo.h"

#include <math.h>

static struct arena *arena;
static size_t full_closed, full_open;
static const char *const models[] = { "qwen-3.5-0.8b", "lfm2.5-2.6b" };

/* Move the rows of `models` (tests 04 and 05 up to 8k) to the front and
 * hide the rest; teardown shows them again so arena_free frees them. */
static int setup(void **state)
{
    (void)state;
    if (!cs_have_shared())
        return 0;
    struct cs_err err = { 0 };
    if (arena_load(SHARED_DIR "/arena", &arena, &err))
        return -1;
    size_t kept = 0;
    for (size_t i = 0; i < arena->n_closed; i++) {
        const struct arena_closed *r = &arena->closed[i];
        const char *m = arena->runs[r->run].model;
        bool small = strcmp(r->test, "04-multi-turn") == 0 ||
                     (strcmp(r->test, "05-big-context") == 0 && r->pp <= 8192);
        if (small && (strcmp(m, models[0]) == 0 || strcmp(m, models[1]) == 0)) {
            struct arena_closed t = arena->closed[kept];
            arena->closed[kept++] = *r;
            arena->closed[i] = t;
        }
    }
    full_closed = arena->n_closed;
    full_open = arena->n_open;
    arena->n_closed = kept;
    arena->n_open = 0;
    return kept >= 10 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    if (arena) {
        arena->n_closed = full_closed;
        arena->n_open = full_open;
    }
    arena_free(arena);
    return 0;
}

static void test_jobs_do_not_change_the_folds(void **state)
{
    (void)state;
    if (!arena)
        skip();
    struct cs_err err = { 0 };
    struct profile start, one[2], two[2];
    assert_int_equal(profile_load_builtin("gb10", &start, &err), CS_OK);
    assert_int_equal(loo_fit_profiles(arena, models, 2, &start, false, 12, 1, one, &err), CS_OK);
    assert_int_equal(loo_fit_profiles(arena, models, 2, &start, false, 12, 2, two, &err), CS_OK);
    for (int f = 0; f < 2; f++) {
        assert_memory_equal(one[f].v, two[f].v, sizeof one[f].v);
        assert_string_equal(one[f].source[PROF_BW_EFF_WEIGHTS], two[f].source[PROF_BW_EFF_WEIGHTS]);
    }
    /* Each fold refitted, each without its own model. */
    assert_true(memcmp(one[0].v, start.v, sizeof start.v) != 0);
    assert_true(memcmp(one[0].v, one[1].v, sizeof start.v) != 0);
    assert_non_null(strstr(one[0].source[PROF_BW_EFF_WEIGHTS], "without qwen-3.5-0.8b"));
    assert_non_null(strstr(one[1].source[PROF_BW_EFF_WEIGHTS], "without lfm2.5-2.6b"));
}

/* A fold that cannot fit (here: its model's rows are all there is)
 * fails the whole run with the child's own message, not a crash. */
static void test_a_failed_fold_reports_its_error(void **state)
{
    (void)state;
    if (!arena)
        skip();
    size_t n = arena->n_closed, only = 0;
    while (only < n && strcmp(arena->runs[arena->closed[only].run].model, models[0]) != 0)
        only++;
    assert_true(only < n);
    struct arena_closed t = arena->closed[0];
    arena->closed[0] = arena->closed[only];
    arena->closed[only] = t;
    arena->n_closed = 1;
    struct cs_err err = { 0 };
    struct profile start, out[2];
    assert_int_equal(profile_load_builtin("gb10", &start, &err), CS_OK);
    int rc = loo_fit_profiles(arena, models, 2, &start, false, 2, 2, out, &err);
    arena->n_closed = n;
    assert_int_equal(rc, CS_ENUM);
    assert_non_null(strstr(err.msg, "cannot fit"));
}

/* With open_loop, a fold also fits the open-loop tests of the other
 * model, and its profile says so. */
static void test_open_loop_folds_fit_open_loop_tests(void **state)
{
    (void)state;
    if (!arena)
        skip();
    size_t kept = 0;
    for (size_t i = 0; i < full_open; i++) {
        const struct arena_open *o = &arena->open[i];
        const char *m = arena->runs[o->run].model;
        if (isnan(o->step_rate) && (strcmp(m, models[0]) == 0 || strcmp(m, models[1]) == 0)) {
            struct arena_open t = arena->open[kept];
            arena->open[kept++] = *o;
            arena->open[i] = t;
        }
    }
    assert_true(kept >= 4);
    arena->n_open = kept;
    struct cs_err err = { 0 };
    struct profile start, closed[2], open[2];
    assert_int_equal(profile_load_builtin("gb10", &start, &err), CS_OK);
    int rc_c = loo_fit_profiles(arena, models, 2, &start, false, 12, 1, closed, &err);
    int rc_o = loo_fit_profiles(arena, models, 2, &start, true, 12, 1, open, &err);
    arena->n_open = 0;
    assert_int_equal(rc_c, CS_OK);
    assert_int_equal(rc_o, CS_OK);
    assert_null(strstr(closed[0].source[PROF_MOE_EFF], "open-loop"));
    /* lfm2.5's four tests 07-10, p50 TPOT each */
    assert_non_null(strstr(open[0].source[PROF_MOE_EFF],
                           "closed-loop and 4 open-loop measurements, without qwen-3.5-0.8b"));
    /* the open-loop residuals moved the fit */
    assert_true(memcmp(open[0].v, closed[0].v, sizeof open[0].v) != 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jobs_do_not_change_the_folds),
        cmocka_unit_test(test_a_failed_fold_reports_its_error),
        cmocka_unit_test(test_open_loop_folds_fit_open_loop_tests),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
