#!/bin/sh
# Regenerate docs/guide.md and its pictures from the current build: every
# number in the guide is printed by ./capsim when this runs.
# Usage: sh scripts/make_guide.sh [CAPSIM]   (default ./capsim)
set -e
[ -f Makefile ] || cd "$(dirname "$0")/.."
CAPSIM=${1:-./capsim}
CAPSIM="$(cd "$(dirname "$CAPSIM")" && pwd)/$(basename "$CAPSIM")"
M=gemma-4-26b-a4b-it
SRV="--model $M --kv-cache-dtype fp8 --max-num-batched-tokens 8192"
run() { echo '```'; echo "\$ capsim $*"; eval "$CAPSIM $*" 2>&1; echo '```'; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
cat <<'T'
# Sizing a DGX Spark with capsim: three questions

Three questions people ask before buying or configuring a DGX Spark (GB10)
for an office, answered for Gemma 4 26B-A4B (a mixture-of-experts with 3.8B
active parameters) with the commands a new user would type. Every block
below is the real output of the command above it, produced by
`scripts/make_guide.sh`; the pictures are written by the same commands'
`--plot`. The GB10 profile is fitted on real DGX Spark runs (data: Django
de Vreng, DGX Spark benchmark runs, CC-BY-4.0). The numbers are
simulated, not measured.

Every command prints the server it simulated on its `server:` line, as
`vllm serve` flags. Commands without a scenario (`memory`, `users`,
`serve`, `benchy`) start from vLLM's own defaults (auto KV cache, 2048
batched tokens, 256 sequences, 0.9 of memory); the built-in scenarios
(`capsim list scenarios`, schema and defaults in `docs/scenarios.md`) run
the checkpoint as published (BF16 weights) with an FP8 KV cache and
`--max-num-batched-tokens 8192`, as the measured DGX Spark deploys do.
Every command takes the same server flags, so below `memory` and `users`
are given those two to ask about the same server as the scenarios;
question 3 asks whether quantized weights do better.

## First: what fits in memory

T
run memory $SRV
cat <<'T'

## 1. How many users at 25k tokens of context?

Each user sends a 25,000-token prompt (a long document, a big code file)
and gets 256 tokens back; the objective is a p95 time to first token of
10 s. `capsim users` answers twice: how many may press Enter at the same
moment (a burst, as llama-benchy's `--concurrency` sends it), and how many
active users the box carries when each reads the answer for a minute on average
before asking again. Its last line says which resource runs out first.

T
run users $SRV --context 25000 --output 256 --slo "'p95_ttft_ms<=10000'" --plot docs/img/users-25k.png
cat <<'T'

![p95 TTFT against users, at the same moment and with think time](img/users-25k.png)

The KV cache is not what limits here: it holds far more 25k-token
requests than the objective allows. Prefill is. One 25k prompt takes
seconds of GPU time on its own, and prompts that arrive together are
prefilled one after another (chunked prefill shares the token budget),
so each user in a burst waits for the prompts ahead of theirs. Relaxing the
objective, or giving users more time between questions, moves the answer:

T
run users $SRV --context 25000 --output 256 --slo "'p95_ttft_ms<=30000'" --think-time 120
cat <<'T'

## 2. TTFT and TPOT on a busy Monday morning

The `monday-peak` preset: 25 employees, all at their desks at 9:00 and
catching up, bursty arrivals, a mix of chat, RAG over 8k of documents,
long-context analysis at 25k, coding agents and multi-turn conversations
whose context grows turn by turn. Each task type has its own objectives.

T
run run monday-peak --plot docs/img/monday-timeline.png
cat <<'T'

![queue, batch and KV cache over the morning](img/monday-timeline.png)

The same day as latency distributions (`--plot-kind cdf`):

```
$ capsim run monday-peak --plot-kind cdf --plot docs/img/monday-cdf.png > /dev/null
```
T
$CAPSIM run monday-peak --plot-kind cdf --plot docs/img/monday-cdf.png > /dev/null
cat <<'T'

![TTFT and E2EL CDF](img/monday-cdf.png)

How many employees can a normal day (`office-25`) carry with every task
type inside its objectives? `capsim capacity` bisects on the number of
employees, with the same conversations at every size (common random
numbers), and repeats over seeds for an interval. The binding column says
which objective is closest to, or past, its limit at each size.

T
run capacity --scenario office-25 --seeds 5 --plot docs/img/capacity.png
cat <<'T'

![TTFT and TPOT against employees](img/capacity.png)

## 3. BF16, FP8 or NVFP4?

Same office, same seed, three weight precisions (the KV cache stays FP8).
Smaller weights leave more memory to the KV cache and make each decode
step read fewer bytes; how fast a quantized checkpoint prefills depends on
the kernel vLLM runs it through on GB10, which `compare` names for each
precision with what chose it, beside whether the checkpoint is published
and an 80% band on p95 TTFT and TPOT (`docs/model.md`,
`docs/validation.md`). The chart has one panel per quantity, in its own
unit, with the value on each bar and which way is better. `compare` takes
the scenario options `capacity` takes (`--employees`, `--slo`, `--seeds`)
and says why a capacity is 0 when one is.

T
run compare --model $M --precisions bf16,fp8,nvfp4 --scenario office-25 --plot docs/img/compare.png
cat <<'T'

![weights, KV cache, p95 TTFT and TPOT, capacity per precision](img/compare.png)

A dense model is where the kernel matters most. Qwen3.8-27B's FP8
checkpoint runs through CUTLASS's block-scaled FP8 kernel by default; the
DGX Spark recipes that force Marlin (`VLLM_TEST_FORCE_FP8_MARLIN=1`)
trade that for a kernel that dequantizes to BF16 and reads the weights
again for every 64 prompt tokens, and its NVFP4 build is hypothetical
(no such checkpoint is built in), through Marlin on an official vLLM
image or natively with `--sm120-fp4-kernels`:

T
run compare --model qwen-3.8-27b --precisions fp8,nvfp4 --scenario office-25 --no-capacity
run compare --model qwen-3.8-27b --precisions fp8 --scenario office-25 --no-capacity --env VLLM_TEST_FORCE_FP8_MARLIN=1
run compare --model qwen-3.8-27b --precisions nvfp4 --scenario office-25 --no-capacity --sm120-fp4-kernels
cat <<'T'

## Your own office

A scenario is a small JSON file (`docs/scenarios.md`). Here, 40 people
who each keep a conversation going (closed loop: ask, read, ask again
after about five minutes), with an overall objective on top of the
per-task ones. It has no `server` section, so it runs on vLLM's defaults
(see its `server:` line):

T
cat > "$tmp/my-office.json" <<'J'
{
  "name": "my-office",
  "load": "closed",
  "employees": 40,
  "active_share": [0.5, 0.9, 0.9, 0.6],
  "user_think_time_s": 300,
  "tasks": [
    { "name": "chat", "share": 0.7, "input_tokens": 1000, "output_tokens": 300,
      "range_ratio": 0.5, "slo": ["p95_ttft_ms<=2000"] },
    { "name": "rag-8k", "share": 0.3, "input_tokens": 8000, "output_tokens": 400,
      "turns": 3, "think_time_s": 30, "slo": ["p95_ttft_ms<=6000"] }
  ],
  "slo": ["p95_tpot_ms<=100"]
}
J
echo '```'
echo '$ cat my-office.json'
cat "$tmp/my-office.json"
echo '```'
echo
(cd "$tmp" && run run my-office.json) | sed "s|$tmp/||g"
cat <<'T'

How many such people fit, with every objective met?

T
(cd "$tmp" && run capacity my-office.json --seeds 3) | sed "s|$tmp/||g"
cat <<'T'

## In scripts and CI

`--slo` repeats: every objective given must hold, and they replace the
scenario's. With `--check`, `run` exits 3 when an objective is missed,
`capacity` when the office's employees (the scenario's, or `--employees`)
are more than a seed carries, and `users` when no user fits:

T
echo '```'
echo "\$ capsim run office-25 --slo 'p95_ttft_ms<=2000' --slo 'p95_tpot_ms<=100' --check > /dev/null; echo \$?"
set +e
$CAPSIM run office-25 --slo 'p95_ttft_ms<=2000' --slo 'p95_tpot_ms<=100' --check > /dev/null
echo $?
set -e
echo '```'
cat <<'T'

| exit status | meaning |
|---|---|
| 0 | done (with `--check`: every objective met) |
| 1 | bad input: a file, a model, a value in a scenario |
| 2 | bad usage: an unknown flag or a bad value on the command line |
| 3 | with `--check` (`run`, `capacity`, `users`): an objective missed, or no user fits |

Every command takes `--json` for scripts (with the same settings as a
`"server"` object), `--plot FILE.png|FILE.svg|FILE.pdf` for a picture
(gnuplot; the title names model, precision and hardware), and
`--plot-script FILE` for the gnuplot script with its data.
T
} > "$tmp/guide.md"
mv "$tmp/guide.md" docs/guide.md
