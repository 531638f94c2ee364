#!/bin/sh
# Every plot kind, drawn for real (PDF, when gnuplot is on PATH) and its
# script read back: the title names model, precision and hardware, and
# every axis label carries its unit in parentheses. CAPSIM names the binary.
CAPSIM=${CAPSIM:-./capsim}
export LC_ALL=C
tmp=$(mktemp -d)
pass=0
fail=0
have_gnuplot=0
command -v gnuplot >/dev/null 2>&1 && have_gnuplot=1
bad() { echo "plots $1: $2"; ok=0; }
# NAME ARGS...: draw, then check the script
plot() {
    name=$1
    shift
    ok=1
    pic=""
    [ $have_gnuplot = 1 ] && pic="$tmp/$name.pdf"
    if ! "$CAPSIM" "$@" --plot-script "$tmp/$name.gp" ${pic:+--plot "$pic"} >/dev/null 2>"$tmp/$name.err"; then
        bad "$name" "capsim $* failed: $(head -1 "$tmp/$name.err")"
    fi
    gp="$tmp/$name.gp"
    for word in gemma-4-26b-a4b-it bf16 gb10; do
        grep -E "^set (title|multiplot .*title) '[^']*$word" "$gp" >/dev/null || bad "$name" "title without '$word'"
    done
    if grep -E "^set (x|y|y2)label '[^(]*'$" "$gp" | grep -v "^set xlabel 'precision'$" | grep . >/dev/null; then
        bad "$name" "an axis label without a unit: $(grep -E "^set (x|y|y2)label '[^(]*'$" "$gp" | head -1)"
    fi
    if [ -n "$pic" ] && [ "$(head -c 4 "$pic" 2>/dev/null)" != "%PDF" ]; then
        bad "$name" "$pic is not a PDF"
    fi
    if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}
plot run-timeline run --employees 5
plot run-cdf run --employees 5 --plot-kind cdf
plot capacity capacity --seeds 1 --max-employees 200
plot users users --context 8000 --output 64 --max-users 64
plot compare compare --precisions bf16,fp8 --employees 2 --max-employees 16
# compare: one panel per quantity, each in its unit and saying which way is better
for unit in "(GiB; lower is better)" "(tokens; higher is better)" "(ms; lower is better)" \
            "(employees; higher is better)"; do
    if grep -F "set title '" "$tmp/compare.gp" | grep -F "$unit" >/dev/null; then pass=$((pass + 1)); else
        echo "plots compare: no panel titled with '$unit'"; fail=$((fail + 1)); fi
done
rm -rf "$tmp"
echo "plots: $pass passed, $fail failed"
[ "$fail" = 0 ]
