#!/usr/bin/python3
"""Golden values for tests/test_nprng.c, from Debian's python3-numpy (1.24).
Run with /usr/bin/python3: scripts/gen_nprng_golden.py > tests/data/nprng_golden.txt
One value per line as `KEY INDEX VALUE`; doubles with repr (round-trip)."""
import numpy as np

def emit(key, values):
    for i, v in enumerate(values):
        print(key, i, repr(float(v)) if isinstance(v, (float, np.floating)) else int(v))

for seed in (0, 42):
    np.random.seed(seed)
    emit(f"random_sample_{seed}", np.random.random_sample(8))
for shape in (0.7, 1.0, 2.5):
    np.random.seed(42)
    emit(f"gamma_{shape}_scale_1.3", np.random.gamma(shape, 1.3, 8))
r = np.random.default_rng(42)
emit("integers_42_in", r.integers(399, 7601, size=10))
emit("integers_42_out", r.integers(49, 951, size=10))
r = np.random.default_rng(0)
emit("integers_0_wide", r.integers(0, 2**40, size=5))
emit("pcg64_raw_42", np.random.PCG64(42).random_raw(4))
