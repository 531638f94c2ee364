# capsim-kbench: the CUDA microbenchmarks. Only `make kernels` reads this;
# `make` and `make test` never need nvcc. Code for GB10 (sm_121) and for
# sm_90, sm_100, sm_120.
NVCC  ?= /usr/local/cuda/bin/nvcc
BUILD ?= build
ARCH  := -gencode arch=compute_90,code=sm_90 -gencode arch=compute_100,code=sm_100 \
         -gencode arch=compute_120,code=sm_120 -gencode arch=compute_121,code=sm_121
CU    := $(wildcard kernels/*.cu)
OBJ   := $(CU:%.cu=$(BUILD)/%.cu.o)

capsim-kbench: $(OBJ) $(BUILD)/libcapsim.a
	$(NVCC) $(ARCH) -o $@ $(OBJ) $(BUILD)/libcapsim.a -lcublasLt -lcjson -lgsl -lgslcblas -lm

# Always ask the main Makefile: it knows when kernels/host/*.c changed.
$(BUILD)/libcapsim.a: FORCE
	$(MAKE) --no-print-directory -f Makefile BUILD=$(BUILD) $(BUILD)/libcapsim.a

$(BUILD)/kernels/%.cu.o: kernels/%.cu kernels/kbench.cuh kernels/host/kbench.h
	@mkdir -p $(@D)
	$(NVCC) $(ARCH) -O2 -std=c++17 -I. -I/usr/include/cjson -c -o $@ $<

.PHONY: FORCE
FORCE:
