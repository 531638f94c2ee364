#!/bin/sh
# When nvcc is present: the CUDA sources build and the binary carries code
# for GB10 (sm_121); --list runs without a GPU; a run without a GPU fails
# with one clear line. Skipped (and said so) without nvcc.
NVCC=${NVCC:-/usr/local/cuda/bin/nvcc}
BUILD=${1:-build}
if [ ! -x "$NVCC" ]; then
    echo "kernels: skipped (no nvcc at $NVCC)"
    exit 0
fi
make --no-print-directory kernels BUILD="$BUILD" >/dev/null 2>&1 || { echo "kernels: make kernels failed"; exit 1; }
strings -a capsim-kbench | grep -q sm_121 || { echo "kernels: no sm_121 code in capsim-kbench"; exit 1; }
./capsim-kbench --list | grep -q attn_decode || { echo "kernels: --list misses attn_decode"; exit 1; }
if ! ./capsim-kbench --quick >/dev/null 2>/tmp/kbench.err; then
    grep -q "no CUDA device found" /tmp/kbench.err || { echo "kernels: unclear error without a GPU"; exit 1; }
fi
echo "kernels: 1 passed, 0 failed"
