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

static void test_unknown_key_is_an_error(void **state)
{
    (void)state;
    struct profile *p = calloc(1, sizeof *p), *q = calloc(1, sizeof *q);
    struct cs_err err = {0};
    assert_int_equal(profile_load_builtin("gb10", p, &err), 0);
    char *a = write_to_string(p);
    /* Misspell the first coefficient name. */
    const char *name = profile_key_name((enum prof_key)0);
    char *at = strstr(a, name);
    assert_non_null(at);
    at[0] = 'Z';
    assert_true(profile_parse_text("bad", a, q, &err) < 0);
    assert_true(strlen(err.msg) > 0);
    free(a);
    free(p);
    free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_is_byte_identical),
        cmocka_unit_test(test_unknown_key_is_an_error),
    };
    return cmocka_run_group_tests_name("profile", tests, NULL, NULL);
}
