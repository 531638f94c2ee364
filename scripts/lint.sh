#!/bin/sh
# Dependency and style rules checked by grep (issue 7). Prints each
# offending file:line and exits non-zero if any rule is broken.
# Run from the repository root: `make lint`.
status=0
report() { # rule, grep output
    [ -n "$2" ] || return 0
    echo "$2" | sed "s|\$|: $1|"
    status=1
}
# cJSON is read through common/json.h; the engine never parses JSON
report "cJSON included from sim/" "$(grep -n '#include *<cJSON.h>' sim/*.c sim/*.h 2>/dev/null)"
# GSL stays out of the engine (the simulator is plain C arithmetic)
report "GSL included from sim/" "$(grep -n '#include *<gsl/' sim/*.c sim/*.h 2>/dev/null)"
# no environment-controlled RNG, no locale changes (determinism, '.' decimals)
src=$(ls common/*.[ch] model/*.[ch] profile/*.[ch] sim/*.[ch] client/*.[ch] calibrate/*.[ch] \
      scenarios/*.[ch] plots/*.[ch] report/*.[ch] kernels/host/*.[ch] cli/*.[ch] tests/*.[ch] \
      tests/fuzz/*.[ch] bench/*.c 2>/dev/null)
report "gsl_rng_env_setup makes runs depend on the environment" "$(grep -n 'gsl_rng_env_setup' $src)"
report "setlocale changes number formatting" "$(grep -n 'setlocale *(' $src)"
# JSON output goes through common/json.h's writer (cJSON escapes it); only
# profile_write keeps its own layout, the committed profiles' byte for byte
report "JSON built with printf; use json_write (common/json.h)" \
    "$(grep -nE 'printf *\(.*\\"[A-Za-z_%]*\\": ' $src kernels/*.cu 2>/dev/null | grep -v '^profile/profile.c:' | grep -v '^tests/')"
# doubles are compared with assert_close (tests/cs_test.h)
report "assert_float_equal on doubles; use assert_close" "$(grep -n 'assert_float_equal' tests/*.c 2>/dev/null)"
[ $status = 0 ] && echo "lint: clean"
exit $status
