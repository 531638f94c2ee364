#!/bin/sh
# make bench: the engine's speed and memory targets (issue: > 100,000
# simulated requests per second on one core; memory that does not grow
# with output tokens, under 1 KB per request).
B=${1:-build}/bench_sim
set -e
echo "== 1,000,000 requests, 1000 in / 200 out, prefix caching off and on"
"$B" 1000000 200 off
"$B" 1000000 200 on
echo "== memory does not grow with output tokens: 100,000 requests at 200 and at 2000 out"
"$B" 100000 200
"$B" 100000 2000
