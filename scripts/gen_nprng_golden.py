#!/usr/bin/python3
"""Golden values for tests/test_nprng.c and tests/test_workload.c, printed by
numpy itself (Debian's python3-numpy 1.24, for /usr/bin/python3):

    /usr/bin/python3 scripts/gen_nprng_golden.py > tests/data/nprng_golden.txt

One value per line as `KEY INDEX VALUE`; doubles with repr (shortest
round-trip form, so strtod gives back the exact double); integers plain.

The vllm_* keys replay vLLM's own code paths with numpy (written from
vllm/benchmarks/datasets/random.py RandomDataset.get_sampling_params and
vllm/benchmarks/serve.py get_request(); see
../shared/research/serving-semantics.md section 3), for the arena's
open-loop configurations (07-11, all --seed 42)."""
import math

import numpy as np


def emit(key, values, only=None):
    values = list(values)
    for i, v in enumerate(values):
        if only is not None and i not in only:
            continue
        if isinstance(v, (float, np.floating)):
            print(key, i, repr(float(v)))
        else:
            print(key, i, int(v))


# --- legacy global generator (np.random.seed -> MT19937, legacy samplers)
for seed in (0, 42, 4294967295):
    np.random.seed(seed)
    emit(f"random_sample_{seed}", np.random.random_sample(8))
for shape in (0.7, 1.0, 2.5):
    np.random.seed(42)
    emit(f"gamma_{shape}_scale_1.3", np.random.gamma(shape, 1.3, 8))
np.random.seed(42)
emit("standard_normal_42", np.random.standard_normal(5))
np.random.seed(42)
emit("standard_exponential_42", np.random.standard_exponential(5))
# Long runs: the last value only matches if every rejection loop and the
# cached second Gaussian were consumed exactly as numpy consumes them.
for shape in (0.3, 0.7, 2.5):
    np.random.seed(7)
    emit(f"gamma_{shape}_seed_7_long", np.random.gamma(shape, 1.0, 3000),
         only={0, 1, 1000, 2999})
# Mixed scalar calls share one state (get_request draws one at a time).
np.random.seed(3)
mixed = []
for i in range(50):
    mixed.append(np.random.gamma(2.5 if i % 2 else 0.7, 1.0))
emit("gamma_mixed_seed_3", mixed, only={0, 1, 48, 49})

# --- Generator (default_rng -> SeedSequence -> PCG64)
r = np.random.default_rng(42)
emit("integers_42_in", r.integers(399, 7601, size=10))
emit("integers_42_out", r.integers(49, 951, size=10))
r = np.random.default_rng(0)
emit("integers_0_wide", r.integers(0, 2**40, size=5))
emit("pcg64_raw_42", np.random.PCG64(42).random_raw(4))
emit("pcg64_raw_4294967296", np.random.PCG64(2**32).random_raw(2))
# Odd sizes: the second call starts on the buffered upper half of the
# last 64-bit draw of the first one.
r = np.random.default_rng(42)
a = r.integers(399, 7601, size=175)
b = r.integers(49, 951, size=175)
emit("integers_42_odd_in", a, only={0, 174})
emit("integers_42_odd_out", b, only={0, 1, 174})


# --- vLLM replays
def vllm_ranges(input_len, output_len, r, special=0):
    real = max(0, input_len - special)
    return (math.floor(real * (1 - r)), math.ceil(real * (1 + r)),
            max(math.floor(output_len * (1 - r)), 1),
            max(math.ceil(output_len * (1 + r)), 1))


def vllm_random(n, input_len, output_len, r, seed):
    il, ih, ol, oh = vllm_ranges(input_len, output_len, r)
    g = np.random.default_rng(seed)
    return g.integers(il, ih + 1, size=n), g.integers(ol, oh + 1, size=n)


def vllm_arrivals(n, rate, burstiness, seed):
    np.random.seed(seed)
    delay_ts = []
    for _ in range(n):
        if rate == float("inf"):
            delay_ts.append(0)
        elif burstiness == float("inf"):
            delay_ts.append(1.0 / rate)
        else:
            theta = 1.0 / (rate * burstiness)
            delay_ts.append(np.random.gamma(shape=burstiness, scale=theta))
    for i in range(1, len(delay_ts)):
        delay_ts[i] += delay_ts[i - 1]
    if delay_ts[-1] != 0:
        factor = (n / rate) / delay_ts[-1]
        delay_ts = [d * factor for d in delay_ts]
    return delay_ts


for args in ((4000, 500, 0.9), (1024, 4096, 0.9), (1024, 128, 0.0), (7, 3, 0.5)):
    emit("vllm_ranges_%d_%d_%g" % args, vllm_ranges(*args))
emit("vllm_ranges_special_4000_500_0.9_1", vllm_ranges(4000, 500, 0.9, 1))

# (test, n, input_len, output_len, range_ratio, rate, burstiness)
ARENA = (("07", 200, 4000, 500, 0.9, 0.3, 0.7),
         ("09", 50, 1024, 4096, 0.9, 0.2, 1.0),
         ("10", 300, 4000, 500, 0.9, 1.5, 1.0),
         ("11_0.1", 100, 4000, 500, 0.9, 0.1, 0.7),
         ("11_0.5", 125, 4000, 500, 0.9, 0.5, 0.7),
         ("11_0.7", 175, 4000, 500, 0.9, 0.7, 0.7),
         ("11_1.0", 250, 4000, 500, 0.9, 1.0, 0.7))
for name, n, il, ol, rr, rate, b in ARENA:
    # every value for 07, the ends and the middle for the others
    only = None if name == "07" else {0, 1, n // 2, n - 1}
    ins, outs = vllm_random(n, il, ol, rr, 42)
    emit(f"vllm_random_{name}_in", ins, only)
    emit(f"vllm_random_{name}_out", outs, only)
    emit(f"vllm_random_{name}_sum", (ins.sum(), outs.sum()))
    emit(f"vllm_arrivals_{name}", vllm_arrivals(n, rate, b, 42), only)
emit("vllm_arrivals_const_0.5", vllm_arrivals(4, 0.5, float("inf"), 42))
