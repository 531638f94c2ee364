#!/bin/sh
# Golden tests of the real binary (jq's shtest style). Each case is a
# folder tests/cli/cases/NAME with `cmd` (arguments, run through sh so
# quoting works), `rc` (exit status), `err` (exact stderr) and optionally
# `out` (exact stdout; without it, stdout must be empty when rc != 0).
# CAPSIM names the binary; VALGRIND=1 runs each case under valgrind.
CAPSIM=${CAPSIM:-./capsim}
VG=""
[ "${VALGRIND:-0}" = 1 ] && VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
export LC_ALL=C
tmp=$(mktemp -d)
pass=0
fail=0
for d in tests/cli/cases/*/; do
    name=$(basename "$d")
    args=$(cat "$d/cmd")
    eval "$VG \"$CAPSIM\" $args" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    ok=1
    [ "$rc" = "$(cat "$d/rc")" ] || { echo "cli $name: exit $rc, want $(cat "$d/rc")"; ok=0; }
    if ! cmp -s "$tmp/err" "$d/err"; then
        echo "cli $name: stderr differs:"; diff "$d/err" "$tmp/err" | head -5; ok=0
    fi
    if [ -f "$d/out" ]; then
        cmp -s "$tmp/out" "$d/out" || { echo "cli $name: stdout differs:"; diff "$d/out" "$tmp/out" | head -5; ok=0; }
    elif [ "$rc" != 0 ] && [ -s "$tmp/out" ]; then
        echo "cli $name: stdout should be empty on error"; ok=0
    fi
    if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
# Determinism: the same inputs and seed give byte-identical output.
for args in "serve --num-prompts 50 --request-rate 2 --seed 7 --format json" \
            "benchy --pp 2048 --tg 64 --concurrency 1 4" "run --json" "memory --json" \
            "capacity --seeds 1 --json"; do
    eval "\"$CAPSIM\" $args" >"$tmp/a" 2>&1
    eval "\"$CAPSIM\" $args" >"$tmp/b" 2>&1
    if cmp -s "$tmp/a" "$tmp/b" && [ -s "$tmp/a" ]; then pass=$((pass + 1)); else
        echo "cli determinism: '$args' differs between two runs"; fail=$((fail + 1)); fi
done
rm -rf "$tmp"
echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
