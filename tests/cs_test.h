/*
 * cs_test.h - include this, not <cmocka.h>: the prerequisite includes in
 * the order cmocka needs, assert_close() for doubles, and fixture paths.
 */
#ifndef CAPSIM_TESTS_CS_TEST_H
#define CAPSIM_TESTS_CS_TEST_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Debian 12 has cmocka 1.1.5: assert_float_equal() casts to float and
 * assert_double_equal() does not exist. |got-want| <= abs + rel*|want|. */
#define assert_close(got, want, rel_tol, abs_tol)                                   \
    do {                                                                            \
        double g_ = (got), w_ = (want);                                             \
        if (!(fabs(g_ - w_) <= (abs_tol) + (rel_tol) * fabs(w_)))                   \
            fail_msg("%s = %.17g, want %.17g", #got, g_, w_);                       \
    } while (0)

/* ../shared relative to the repository root; tests run from the root. */
#define SHARED_DIR "../shared"

/* True if ../shared/arena is present; tests that need it skip otherwise. */
static inline int cs_have_shared(void)
{
    FILE *f = fopen(SHARED_DIR "/arena/runs.json", "r");
    if (f)
        fclose(f);
    return f != NULL;
}

#endif /* CAPSIM_TESTS_CS_TEST_H */
