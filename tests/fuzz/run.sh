#!/bin/sh
# Build the libFuzzer harnesses with clang (ASan + UBSan) and run each for
# SECONDS (default 60) on a copy of its committed corpus. Non-zero exit on
# a finding. `make fuzz-smoke` runs 10 s each; `make fuzz FUZZ_SECONDS=600`.
set -e
SECONDS_EACH=${1:-60}
CC=${FUZZ_CC:-clang}
# libFuzzer comes with Debian's clang and its runtime package
for p in clang libclang-rt-14-dev; do
    dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ] && [ "$(id -u)" = 0 ]; then
    echo "fuzz: installing$need" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >&2 || true
fi
if ! command -v "$CC" >/dev/null 2>&1; then
    echo "fuzz: skipped ($CC not found; apt-get install clang)"
    exit 0
fi
B=build/fuzz
mkdir -p $B/obj $B/gen
FLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -I. -I$B/gen $(pkg-config --cflags gsl libcjson) -fsanitize=fuzzer-no-link,address,undefined"
sh scripts/embed.sh model/catalog/*.json profiles/*.json scenarios/*.json > $B/gen/embedded.c
objs="$B/obj/embedded.o"
# An object is rebuilt when its .c is newer; a changed header (a struct
# grown by a field) rebuilds them all, or harnesses link stale layouts.
if [ ! -f $B/obj/.built ] || [ -n "$(find . -path ./build -prune -o -name '*.h' -newer $B/obj/.built -print | head -1)" ]; then
    rm -f $B/obj/*.o
fi
$CC $FLAGS -c -o $B/obj/embedded.o $B/gen/embedded.c
for src in common/*.c model/*.c profile/*.c sim/*.c client/*.c scenarios/*.c kernels/host/*.c; do
    o=$B/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')
    [ "$o" -nt "$src" ] || $CC $FLAGS -c -o "$o" "$src"
    objs="$objs $o"
done
touch $B/obj/.built
status=0
for h in config scenario profile trace kbench; do
    $CC $FLAGS -Itests/fuzz -fsanitize=fuzzer -o $B/fuzz_$h tests/fuzz/fuzz_$h.c $objs $(pkg-config --libs gsl libcjson) -lm
    corpus=$(mktemp -d)
    cp tests/fuzz/corpus/$h/* "$corpus"/
    if $B/fuzz_$h -max_total_time="$SECONDS_EACH" -max_len=65536 -print_final_stats=1 "$corpus" \
        >$B/fuzz_$h.log 2>&1; then
        echo "fuzz $h: $(grep -o 'stat::number_of_executed_units: [0-9]*' $B/fuzz_$h.log | tail -1 | sed 's/.*: //') runs, no finding"
    else
        echo "fuzz $h: FINDING, see $B/fuzz_$h.log"
        tail -30 $B/fuzz_$h.log
        status=1
    fi
    rm -rf "$corpus"
done
exit $status
