#!/bin/sh
# Run every cmocka suite in BUILD/tests and the golden CLI tests, then print
# one closing line "suites: N passed, N failed". VALGRIND=1 runs each suite
# under valgrind. Run from the repository root.
BUILD=${1:-build}
pass=0
fail=0
failed=""
VG=""
[ "${VALGRIND:-0}" = 1 ] && VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    if $VG "$t"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        failed="$failed $(basename "$t")"
    fi
done
if [ -f tests/cli/run.sh ]; then
    if CAPSIM="$BUILD/capsim" VALGRIND="${VALGRIND:-0}" sh tests/cli/run.sh; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        failed="$failed cli"
    fi
fi
# shell-level suites of the binary: every plot kind, one server everywhere
for t in tests/cli/plots.sh tests/cli/same_server.sh; do
    [ -f "$t" ] || continue
    if CAPSIM="$BUILD/capsim" sh "$t"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        failed="$failed $(basename "$t" .sh)"
    fi
done
# the CUDA build links the plain library; sanitized trees are not for nvcc
if [ "$BUILD" != build ]; then
    :
elif sh tests/kernels_compile.sh "$BUILD"; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    failed="$failed kernels"
fi
[ -n "$failed" ] && echo "failed:$failed"
echo "suites: $pass passed, $fail failed"
[ "$fail" = 0 ]
