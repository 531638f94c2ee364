#!/bin/sh
# One question, four commands, one server: users, run, capacity and compare
# given the same deploy print the same settings, in text ("server:" line)
# and in --json ("server" object). Twice: the built-in scenario's server
# (FP8 KV, 8192 tokens) given to users as flags, and vLLM's defaults given
# to the scenario commands as flags (flags go over the scenario).
CAPSIM=${CAPSIM:-./capsim}
export LC_ALL=C
tmp=$(mktemp -d)
pass=0
fail=0
# NAME FLAGS: every command's server line and JSON object must match users'
same() {
    name=$1
    scen_flags=$2
    users_flags=$3
    q="--context 8000 --output 64 --max-users 16"
    s="--scenario office-25 --employees 5"
    "$CAPSIM" users $q $users_flags >"$tmp/users" 2>&1
    "$CAPSIM" run $s $scen_flags >"$tmp/run" 2>&1
    "$CAPSIM" capacity $s --seeds 1 --max-employees 40 $scen_flags >"$tmp/capacity" 2>&1
    "$CAPSIM" compare $s --precisions bf16 --no-capacity $scen_flags >"$tmp/compare" 2>&1
    "$CAPSIM" users $q $users_flags --json >"$tmp/users.json" 2>&1
    "$CAPSIM" run $s $scen_flags --json >"$tmp/run.json" 2>&1
    "$CAPSIM" capacity $s --seeds 1 --max-employees 40 $scen_flags --json >"$tmp/capacity.json" 2>&1
    "$CAPSIM" compare $s --precisions bf16 --no-capacity $scen_flags --json >"$tmp/compare.json" 2>&1
    grep '^server: ' "$tmp/users" >"$tmp/want"
    sed -n '/^  "server": {/,/^  }/p' "$tmp/users.json" >"$tmp/want.json"
    ok=1
    if [ ! -s "$tmp/want" ] || [ ! -s "$tmp/want.json" ]; then
        echo "same_server $name: users printed no settings"; ok=0
    fi
    for c in run capacity compare; do
        grep '^server: ' "$tmp/$c" >"$tmp/got"
        if ! cmp -s "$tmp/want" "$tmp/got"; then
            echo "same_server $name: $c's settings differ from users':"; diff "$tmp/want" "$tmp/got" | head -4; ok=0
        fi
        sed -n '/^  "server": {/,/^  }/p' "$tmp/$c.json" >"$tmp/got.json"
        if ! cmp -s "$tmp/want.json" "$tmp/got.json"; then
            echo "same_server $name: $c --json's server differs from users'"; ok=0
        fi
    done
    if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}
same office-server "" "--kv-cache-dtype fp8 --max-num-batched-tokens 8192"
same vllm-defaults "--kv-cache-dtype auto --max-num-batched-tokens 2048" ""
rm -rf "$tmp"
echo "same_server: $pass passed, $fail failed"
[ "$fail" = 0 ]
