/* Profile: built-in load, write -> parse -> write is byte-identical, and a
 * bad coefficient name gives an error. */
#include "cs_test.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "profile/profile.h"

static char *write_to_string(const struct profile *p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    struct cs_err err = {0};
    assert_int_equal(profile_write(p, f, &err), 0);
    fclose(f);
    return buf;
}

/* The built-in GB10 profile as its JSON text; the caller frees it. */
static char *gb10_text(void)
{
    struct profile *p = calloc(1, sizeof *p);
    struct cs_err err = {0};
    assert_int_equal(profile_load_builtin("gb10", p, &err), 0);
    char *a = write_to_string(p);
    free(p);
    return a;
}

static void test_round_trip_is_byte_identical(void **state)
{
    (void)state;
    struct profile *p = calloc(1, sizeof *p), *q = calloc(1, sizeof *q);
    struct cs_err err = {0};
    assert_int_equal(profile_load_builtin("gb10", p, &err), 0);
    char *a = write_to_string(p);
    assert_int_equal(profile_parse_text("roundtrip", a, q, &err), 0);
    char *b = write_to_string(q);
    assert_string_equal(a, b);
    for (int k = 0; k < PROF_COUNT; k++)
        assert_true(p->v[k] == q->v[k]);
    free(a);
    free(b);
    free(p);
    free(q);
}

/* Parse `text` as profile `file`; the return code, the message in err. */
static int parse_error(const char *file, const char *text, struct cs_err *err)
{
    struct profile *q = calloc(1, sizeof *q);
    int rc = profile_parse_text(file, text, q, err);
    free(q);
    return rc;
}

static void test_unknown_key_is_an_error(void **state)
{
    (void)state;
    struct cs_err err = {0};
    char *a = gb10_text();
    /* Misspell the first coefficient name. */
    char *at = strstr(a, profile_key_name((enum prof_key)0));
    assert_non_null(at);
    at[0] = 'Z';
    assert_true(parse_error("bad", a, &err) < 0);
    assert_true(strlen(err.msg) > 0);
    free(a);
}

/* A profile from before the overhead went per residual block names the
 * new key and the conversion, not a near miss such as seq_overhead_s. */
static void test_old_step_overhead_key_names_its_replacement(void **state)
{
    (void)state;
    struct cs_err err = {0};
    char *a = gb10_text();
    /* Rename the key in place: "block_overhead_s" -> "step_overhead_s". */
    char *at = strstr(a, "\"block_overhead_s\"");
    assert_non_null(at);
    size_t cut = strlen("block") - strlen("step");
    memcpy(at + 1, "step", 4);
    memmove(at + 5, at + 5 + cut, strlen(at + 5 + cut) + 1);
    assert_int_equal(parse_error("old.json", a, &err), CS_EINPUT);
    assert_string_equal(err.msg, "old.json: .coefficients.step_overhead_s: replaced by "
                                 "block_overhead_s, the cost per residual block "
                                 "(step_overhead_s / 80)");
    free(a);
}

/* The fit's start point is built in next to the profile: a valid profile
 * of the same hardware that is not the fit itself (calibrate and
 * validate --loo start there by default). */
static void test_fit_start_is_built_in(void **state)
{
    (void)state;
    struct profile fit, start;
    struct cs_err err = {0};
    assert_int_equal(profile_load_builtin("gb10", &fit, &err), CS_OK);
    assert_int_equal(profile_load_fit_start("gb10", &start, &err), CS_OK);
    assert_int_equal(profile_check(&start, "start", &err), CS_OK);
    assert_true(start.v[PROF_MEM_BW_BYTES_PER_S] == fit.v[PROF_MEM_BW_BYTES_PER_S]);
    assert_true(start.v[PROF_BLOCK_OVERHEAD_S] != fit.v[PROF_BLOCK_OVERHEAD_S]);
    assert_int_equal(profile_load_fit_start("h100", &start, &err), CS_EINPUT);
    assert_string_equal(err.msg, "no fit start point is built in for hardware profile 'h100' "
                                 "(give one with --profile FILE)");
}

/* Values that would stall the simulator (a zero efficiency, an exponent
 * that underflows every attention step) are refused, naming the field. */
static void test_out_of_range_coefficients_are_refused(void **state)
{
    (void)state;
    struct profile p;
    struct cs_err err = {0};
    assert_int_equal(profile_load_builtin("gb10", &p, &err), 0);
    assert_int_equal(profile_check(&p, "gb10", &err), CS_OK);
    struct profile q = p;
    q.v[PROF_GEMM_EFF_BF16] = 0;
    assert_int_equal(profile_check(&q, "f.json", &err), CS_EINPUT);
    assert_string_equal(err.msg, "f.json: .coefficients.gemm_eff_bf16.value: must be >= 1e-06 "
                                 "and at most 1 (got 0)");
    q = p;
    q.v[PROF_ATTN_HEAD_DIM_EXP] = 11;
    assert_int_equal(profile_check(&q, "f.json", &err), CS_EINPUT);
    q = p;
    q.v[PROF_MARLIN_BW_EFF] = 1.2; /* kernel records faster than the spec bandwidth */
    assert_int_equal(profile_check(&q, "k.jsonl", &err), CS_EINPUT);
    q = p;
    q.v[PROF_MEM_TOTAL_BYTES] = 0;
    assert_int_equal(profile_check(&q, "f.json", &err), CS_EINPUT);
    assert_string_equal(err.msg, "f.json: .coefficients.mem_total_bytes.value: must be > 0 and "
                                 "at most 1e+15 (got 0)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_is_byte_identical),
        cmocka_unit_test(test_unknown_key_is_an_error),
        cmocka_unit_test(test_old_step_overhead_key_names_its_replacement),
        cmocka_unit_test(test_fit_start_is_built_in),
        cmocka_unit_test(test_out_of_range_coefficients_are_refused),
    };
    return cmocka_run_group_tests_name("profile", tests, NULL, NULL);
}
