/*
 * test_validate.c - the committed GB10 profile against ../shared/arena
 * (Data: Django de Vreng, DGX Spark benchmark runs, CC-BY-4.0): the
 * in-sample errors stay within guards a little above what the committed
 * fit reaches (docs/validation.md), so a change to the engine, the cost
 * model or the clients that makes predictions worse fails here. Also: the
 * per-run errors partition the all-run errors, the latency probe counts
 * once per llama-benchy call, each row's recorded latency mode reaches
 * the simulated client, a run's kernel backend reaches the model,
 * a run that cannot start is left out alone, the error bands bracket 1
 * and cover about 80% of cases with each model left out of its own band,
 * a predictions file read back gives the same table, and the coverage
 * report names the arena's kernel paths and the profile's priors.
 * Skips without ../shared.
 */
#include "cs_test.h"

#include "calibrate/bands.h"
#include "calibrate/coverage.h"
#include "calibrate/validate.h"
#include "common/stats.h"

static struct arena *arena;
static struct validation *val;

static int setup(void **state)
{
    (void)state;
    if (!cs_have_shared())
        return 0;
    struct cs_err err = { 0 };
    struct profile p;
    if (profile_load_builtin("gb10", &p, &err) || arena_load(SHARED_DIR "/arena", &arena, &err))
        return -1;
    struct validate_filter f = { .closed = true, .open = true, .seeds = 1 };
    return validate_run(arena, &p, &f, &val, &err) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    validate_free(val);
    arena_free(arena);
    return 0;
}

static double median_ape(enum vgroup g, size_t *n)
{
    double *e = malloc((arena->n_closed + arena->n_open + 1) * sizeof *e);
    *n = validate_group_errors(val, g, e);
    double m = stats_percentile(e, *n, 50);
    free(e);
    return m;
}

static void test_in_sample_errors_within_guards(void **state)
{
    (void)state;
    if (!val)
        skip();
    static const struct { enum vgroup g; double max_pct; size_t min_cases; } guard[] = {
        { VG_TG_REQ, 7, 600 },      { VG_TG_TOTAL, 7.5, 600 }, { VG_CLOSED_TTFT, 9, 600 },
        { VG_LATENCY, 15, 144 },    { VG_P50_TTFT, 11, 200 },   { VG_P95_TTFT, 12, 200 },  { VG_P99_TTFT, 13, 200 },
        { VG_P50_TPOT, 13, 200 },   { VG_P95_TPOT, 13, 200 },  { VG_REQ_RATE, 3, 200 },
    };
    for (size_t i = 0; i < CS_ARRAY_LEN(guard); i++) {
        size_t n;
        double m = median_ape(guard[i].g, &n);
        if (n < guard[i].min_cases || !(m <= guard[i].max_pct))
            fail_msg("%s: median APE %.1f%% over %zu cases, guard %.0f%% over >= %zu",
                     vgroup_name(guard[i].g), m, n, guard[i].max_pct, guard[i].min_cases);
    }
    int nc, nw;
    validate_capacity(val, &nc, &nw);
    assert_true(nc >= 60);
    assert_true(nw >= 0.9 * nc);
}

/* llama-benchy measures its latency probe once per call and prints it on
 * every row of the call: the table counts it once per (run, test), 24
 * runs of 6 closed-loop tests, not once per row. */
static void test_latency_probe_counts_once_per_call(void **state)
{
    (void)state;
    if (!val)
        skip();
    double *e = malloc((arena->n_closed + arena->n_open + 1) * sizeof *e);
    assert_int_equal(validate_group_errors(val, VG_LATENCY, e), 24 * 6);
    assert_int_equal(validate_group_errors(val, VG_CLOSED_TTFT, e), arena->n_closed);
    free(e);
}

/* The arena ran llama-benchy with --latency-mode generation (a one-token
 * request); its default, api, is only a GET of /models. validate must
 * follow the row, whatever capsim benchy's default. */
static void test_rows_keep_their_latency_mode(void **state)
{
    (void)state;
    if (!val)
        skip();
    struct arena_closed *c = &arena->closed[0];
    assert_string_equal(c->latency_mode, "generation");
    struct profile p;
    struct cs_err err = { 0 };
    assert_int_equal(profile_load_builtin("gb10", &p, &err), CS_OK);
    struct validate_filter f = { .model = arena->runs[c->run].model, .closed = true, .seeds = 1 };
    double lat[2];
    char *recorded = c->latency_mode;
    char api[] = "api";
    for (int k = 0; k < 2; k++) {
        c->latency_mode = k == 0 ? recorded : api;
        struct validation *v;
        assert_int_equal(validate_run(arena, &p, &f, &v, &err), CS_OK);
        lat[k] = v->closed[0][AM_LATENCY_MS];
        validate_free(v);
    }
    c->latency_mode = recorded;
    assert_close(lat[0], val->closed[0][AM_LATENCY_MS], 1e-12, 0);
    assert_true(lat[1] < lat[0]);
}

static void test_run_errors_partition_the_groups(void **state)
{
    (void)state;
    if (!val)
        skip();
    size_t cap = arena->n_closed + arena->n_open + 1;
    double *all = malloc(cap * sizeof *all), *one = malloc(cap * sizeof *one);
    for (int g = 0; g < VG_COUNT; g++) {
        size_t n_all = validate_group_errors(val, (enum vgroup)g, all), n_sum = 0;
        double abs_sum = 0, all_sum = 0;
        for (size_t run = 0; run < arena->n_runs; run++) {
            size_t n = validate_run_errors(val, (enum vgroup)g, run, one);
            for (size_t i = 0; i < n; i++)
                abs_sum += fabs(one[i]);
            n_sum += n;
        }
        for (size_t i = 0; i < n_all; i++)
            all_sum += all[i];
        assert_int_equal(n_sum, n_all);
        assert_close(abs_sum, all_sum, 1e-9, 1e-9);
    }
    free(all);
    free(one);
}

/* Simulate the closed-loop cases of one run's model under the built-in
 * profile. Returns the error code rather than failing, so a caller that
 * changed the arena can put it back first (teardown frees it). */
static int validate_closed_of(size_t run, struct validation **v, struct cs_err *err)
{
    struct profile p;
    struct validate_filter f = { .model = arena->runs[run].model, .closed = true, .seeds = 1 };
    int rc = profile_load_builtin("gb10", &p, err);
    return rc ? rc : validate_run(arena, &p, &f, v, err);
}

/* Closed-loop TTFT errors of one run's model with the run's --linear-backend
 * replaced by `backend`; fills e, returns the count. */
static size_t ttft_errors_with_backend(const char *run_id, const char *backend, double *e)
{
    size_t run = arena_find_run(arena, run_id);
    assert_true(run != (size_t)-1);
    char *saved = arena->runs[run].linear_backend;
    arena->runs[run].linear_backend = (char *)backend;
    struct cs_err err = { 0 };
    struct validation *v = NULL;
    int rc = validate_closed_of(run, &v, &err);
    arena->runs[run].linear_backend = saved;
    if (rc)
        fail_msg("%s", err.msg);
    size_t n = validate_group_errors(v, VG_CLOSED_TTFT, e);
    validate_free(v);
    return n;
}

/* A run's backend reaches the cost model (Marlin FP8 prefills slower than
 * the native path Ministral's run takes), and a backend name capsim does
 * not know is read as vLLM's default instead of failing the run. */
static void test_run_backends_reach_the_model(void **state)
{
    (void)state;
    if (!val)
        skip();
    const char *m = "ministral-3-3b-instruct/bf16";
    size_t cap = arena->n_closed + arena->n_open + 1; /* validate_group_errors' sizing */
    double *base = malloc(cap * sizeof *base), *marlin = malloc(cap * sizeof *marlin),
           *unknown = malloc(cap * sizeof *unknown);
    size_t n = ttft_errors_with_backend(m, "", base);
    assert_true(n > 10);
    assert_int_equal(ttft_errors_with_backend(m, "marlin", marlin), n);
    assert_int_equal(ttft_errors_with_backend(m, "b13x_not_yet_known", unknown), n);
    double sum_base = 0, sum_marlin = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(unknown[i] == base[i]);
        sum_base += base[i];
        sum_marlin += marlin[i];
    }
    assert_true(fabs(sum_marlin - sum_base) > 1.0);
    free(base);
    free(marlin);
    free(unknown);
}

/* A run capsim cannot set up (here: weights larger than its memory
 * share) loses its own cases, with the reason, not the whole table. */
static void test_a_run_that_cannot_start_is_left_out(void **state)
{
    (void)state;
    if (!val)
        skip();
    size_t run = arena_find_run(arena, "qwen-3.5-0.8b/bf16");
    double saved = arena->runs[run].gpu_memory_utilization;
    arena->runs[run].gpu_memory_utilization = 0.01;
    struct cs_err err = { 0 };
    struct validation *v = NULL;
    int rc = validate_closed_of(run, &v, &err);
    arena->runs[run].gpu_memory_utilization = saved;
    assert_int_equal(rc, CS_OK);
    assert_non_null(strstr(v->run_err[run].msg, "qwen-3.5-0.8b/bf16: "));
    assert_non_null(strstr(v->run_err[run].msg, "does not fit"));
    for (size_t i = 0; i < arena->n_closed; i++)
        assert_false(v->closed_ok[i]);
    validate_free(v);
}

/* In-sample bands are narrower than left-out ones, but their shape is
 * the same: below 1 at the low end, above at the high end, and about 80%
 * of a model's cases inside the band built without that model. */
static void test_bands_bracket_one_and_cover_about_80_percent(void **state)
{
    (void)state;
    if (!val)
        skip();
    struct band_fit b[BAND_COUNT];
    struct cs_err err = { 0 };
    assert_int_equal(bands_compute(val, b, &err), CS_OK);
    for (int i = 0; i < BAND_COUNT; i++) {
        assert_true(b[i].n > 500);
        assert_true(b[i].lo > 0.5 && b[i].lo < 1.0);
        assert_true(b[i].hi > 1.0 && b[i].hi < 2.0);
        if (!(b[i].coverage > 0.65 && b[i].coverage < 0.92))
            fail_msg("%s band covers %.1f%% left out", band_metric_name((enum band_metric)i),
                     100 * b[i].coverage);
    }
    /* stored in a profile they widen a prior-priced TTFT each way */
    struct profile p;
    assert_int_equal(profile_load_builtin("gb10", &p, &err), CS_OK);
    bands_apply(b, "test", &p);
    double lo, hi;
    profile_band(&p, BAND_TTFT, 1000.0, true, &lo, &hi);
    assert_close(lo, 1000.0 * b[BAND_TTFT].lo / p.v[PROF_BAND_PRIOR_FACTOR], 1e-9, 0);
    assert_close(hi, 1000.0 * b[BAND_TTFT].hi * p.v[PROF_BAND_PRIOR_FACTOR], 1e-9, 0);
    assert_non_null(strstr(p.source[PROF_BAND_TTFT_LO], "validated: test"));
}

/* validate --out, read back with --predictions, is the same table. */
static void test_predictions_file_round_trips(void **state)
{
    (void)state;
    if (!val)
        skip();
    char path[] = "/tmp/capsim-test-predXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    struct cs_err err = { 0 };
    assert_int_equal(validate_write_jsonl(val, f, &err), CS_OK);
    fclose(f);
    struct validation *back;
    struct profile p;
    assert_int_equal(profile_load_builtin("gb10", &p, &err), CS_OK);
    struct validate_filter flt = { .closed = true, .open = true, .seeds = 1 };
    assert_int_equal(validate_run(arena, &p, &flt, &back, &err), CS_OK);
    for (size_t i = 0; i < arena->n_closed; i++)
        back->closed[i][AM_TG_TPS_REQ_MEAN] = -1; /* must come back from the file */
    assert_int_equal(validate_read_jsonl(back, path, &err), CS_OK);
    for (int g = 0; g < VG_COUNT; g++) {
        size_t n1, n2;
        double *e1 = malloc((arena->n_closed + arena->n_open + 1) * sizeof *e1);
        double *e2 = malloc((arena->n_closed + arena->n_open + 1) * sizeof *e2);
        n1 = validate_group_errors(val, (enum vgroup)g, e1);
        n2 = validate_group_errors(back, (enum vgroup)g, e2);
        assert_int_equal(n1, n2);
        /* the file keeps 6 significant digits */
        assert_close(stats_percentile(e1, n1, 50), stats_percentile(e2, n2, 50), 1e-3, 1e-4);
        free(e1);
        free(e2);
    }
    validate_free(back);
    remove(path);
}

static void test_coverage_names_paths_and_priors(void **state)
{
    (void)state;
    if (!val)
        skip();
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct profile p;
    struct cs_err err = { 0 };
    assert_int_equal(profile_load_builtin("gb10", &p, &err), CS_OK);
    assert_int_equal(coverage_print(arena, &p, f, &err), CS_OK);
    fclose(f);
    /* the arena's NVFP4 runs force Marlin experts; none takes native FP4 or MLA */
    assert_non_null(strstr(buf, "nvfp4-marlin"));
    assert_non_null(strstr(buf, "gemma-4-26b-a4b-it/nvfp4"));
    assert_non_null(strstr(buf, "none: priced from gemm_eff_fp4_native"));
    assert_non_null(strstr(buf, "MLA (latent attention)                           0"));
    assert_non_null(strstr(buf, "gemm_eff_fp4_native"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_sample_errors_within_guards),
        cmocka_unit_test(test_latency_probe_counts_once_per_call),
        cmocka_unit_test(test_rows_keep_their_latency_mode),
        cmocka_unit_test(test_run_errors_partition_the_groups),
        cmocka_unit_test(test_run_backends_reach_the_model),
        cmocka_unit_test(test_a_run_that_cannot_start_is_left_out),
        cmocka_unit_test(test_bands_bracket_one_and_cover_about_80_percent),
        cmocka_unit_test(test_predictions_file_round_trips),
        cmocka_unit_test(test_coverage_names_paths_and_priors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
