#!/bin/sh
# Regenerate docs/guide.md and its pictures from the current build: every
# number in the guide is printed by ./capsim when this runs.
set -e
cd "$(dirname "$0")/.."
M=gemma-4-26b-a4b-it
run() { echo '```'; echo "\$ ./capsim $*"; eval "./capsim $*" 2>&1; echo '```'; }
{
cat <<'T'
# Sizing a DGX Spark with capsim: three questions

All output below was produced by `scripts/make_guide.sh` with the built-in
GB10 profile (fitted on real DGX Spark runs; data: Django de Vreng, DGX
Spark benchmark runs, CC-BY-4.0). The model is Gemma 4 26B-A4B, a
mixture-of-experts with 3.8B active parameters. Numbers are simulated:
`docs/validation.md` says how far such predictions were from measurements.

## First: what fits in memory

T
run memory --model $M --precision nvfp4 --kv-cache-dtype fp8 --max-num-batched-tokens 8192
cat <<'T'

## 1. How many users at 25k tokens of context?

Each user sends a 25,000-token prompt (a long document, a big code file)
and gets 256 tokens back; the objective is a p95 time to first token of
10 s.

T
run users --model $M --precision nvfp4 --kv-cache-dtype fp8 --max-num-batched-tokens 8192 --context 25000 --output 256 --slo "'p95_ttft_ms<=10000'"
cat <<'T'

Memory is not the limit: the KV cache holds dozens of such requests. The
prefill is: each 25k prompt takes seconds of GPU time, and requests that
arrive together queue behind each other's prompts. With an FP8 KV cache and
NVFP4 weights the box carries the active users shown above when each reads
for a minute between questions.

## 2. TTFT and TPOT on a busy Monday morning

The `monday-peak` preset: 25 employees, everyone active at 9:00, bursty
arrivals, a mix of chat, RAG at 8k, long-context analysis at 25k, coding
agents and multi-turn conversations.

T
run run monday-peak --plot docs/img/monday-timeline.png
cat <<'T'

![queue and batch over the morning](img/monday-timeline.png)

How many employees could this office grow to before chat's p95 TTFT passes
5 s? Bisection over the number of employees, same random stream at every
size, three seeds:

T
run capacity --scenario office-25 --slo "'p95_ttft_ms<=5000'" --plot docs/img/capacity.png
cat <<'T'

![p95 TTFT against employees](img/capacity.png)

## 3. BF16, FP8 or NVFP4?

Same office, same seed, three precisions. On GB10, vLLM 0.26 runs FP8 and
NVFP4 weights through Marlin (weights dequantized to BF16 in registers):
decode reads fewer bytes, prefill computes at the BF16 rate minus the
dequantization cost.

T
run compare --model $M --precisions bf16,fp8,nvfp4 --scenario office-25 --plot docs/img/compare.png
cat <<'T'

![p95 TTFT and TPOT per precision](img/compare.png)

## Reproducing a benchmark

A `vllm bench serve` command copied from a benchmark log runs unchanged
(server-only flags are ignored with a warning) and prints vLLM's block:

T
run serve --model google/gemma-4-26B-A4B-it --kv-cache-dtype fp8 --max-num-batched-tokens 8192 --dataset-name random --random-input-len 4000 --random-output-len 500 --random-range-ratio 0.9 --num-prompts 200 --request-rate 0.3 --burstiness 0.7 --seed 42 --metric-percentiles 50,90,95,99 --backend openai-chat
cat <<'T'

The arena's measured run of the same command (gemma-4-26b-a4b-it/bf16,
07-office-baseline) reported p50 / p95 / p99 TTFT of 1433 / 3112 / 3812 ms
and p50 TPOT of 198 ms; `capsim validate` compares every such case.
T
} > docs/guide.md
