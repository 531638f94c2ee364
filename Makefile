# capsim - one plain Makefile. Sources are discovered by folder, so adding a
# module is adding a file. `make BUILD=build/x` keeps a separate object tree.
CC       ?= cc
PREFIX   ?= /usr/local
BUILD    ?= build
OPT      ?= -O2 -g
NVCC     ?= /usr/local/cuda/bin/nvcc
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
PKGS     := gsl libcjson
STD      := -std=c11 -D_POSIX_C_SOURCE=200809L
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wundef -Wvla -Wno-format-nonliteral
ifeq ($(CI),true)
WARN     += -Werror
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS  = $(STD) $(WARN) $(OPT) -I. -I$(BUILD)/gen $(PKG_CFLAGS) $(CFLAGS)
ALL_LDLIBS  = $(PKG_LIBS) -lm $(LDLIBS)

LIB_DIRS := common model profile sim client calibrate scenarios plots report kernels/host
LIB_SRC  := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
CLI_SRC  := $(wildcard cli/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/embedded.o
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
EMBED    := $(wildcard model/catalog/*.json) $(wildcard profiles/*.json) $(wildcard scenarios/*.json) \
            $(wildcard calibrate/start/*.json) $(wildcard calibrate/field/*.json) $(wildcard calibrate/field/models/*.json)

.PHONY: all run test check valgrind bench kernels fuzz fuzz-smoke deps clean install lint profile check-profile bare-check

all: capsim

# `make` leaves ./capsim in the repository root (issue: the CLI at ./capsim).
capsim: $(BUILD)/capsim
	@if [ "$(BUILD)" = "build" ]; then cp $< $@; fi

$(BUILD)/capsim: $(CLI_OBJ) $(BUILD)/libcapsim.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libcapsim.a $(ALL_LDLIBS)

$(BUILD)/libcapsim.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Built-in catalog, profiles and scenarios are compiled into the binary so
# ./capsim works from any directory. The generator is scripts/embed.sh.
# (The Makefile too: a file added to EMBED is older than the last table.)
$(BUILD)/gen/embedded.c: scripts/embed.sh $(EMBED) Makefile
	@mkdir -p $(@D)
	sh scripts/embed.sh $(EMBED) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/embedded.o: $(BUILD)/gen/embedded.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The version (git describe) lives in a generated header rewritten only
# when it changes, so a new commit rebuilds the two files that print it
# and nothing else, and never leaves an old version in the binary.
$(BUILD)/gen/version.h: FORCE
	@mkdir -p $(@D)
	@echo '#define CAPSIM_VERSION "$(VERSION)"' > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi
$(BUILD)/report/report.o $(BUILD)/cli/capsim.o: $(BUILD)/gen/version.h
FORCE:

# -MMD: a test rebuilds when a header it includes (a fixture) changes.
$(BUILD)/tests/%: tests/%.c $(BUILD)/libcapsim.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -o $@ $< $(BUILD)/libcapsim.a $(ALL_LDLIBS) -lcmocka $(LDFLAGS)

# pkg-config is read when make parses this file, so on a bare machine the
# flags are empty until deps has installed gsl and cJSON: build in a
# sub-make that parses again after deps.
run: deps
	@$(MAKE) --no-print-directory capsim
	./capsim run

test: deps
	@$(MAKE) --no-print-directory $(BUILD)/capsim $(TEST_BIN)
	@sh tests/run_all.sh $(BUILD)

# Same tests under ASan+UBSan in their own object tree.
check: deps
	@$(MAKE) --no-print-directory BUILD=build/san OPT='-O1 -g' \
	  CFLAGS='-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer' \
	  LDFLAGS='-fsanitize=address,undefined' test

valgrind: deps
	@$(MAKE) --no-print-directory BUILD=build/vg OPT='-O1 -g' build/vg/capsim
	@$(MAKE) --no-print-directory BUILD=build/vg OPT='-O1 -g' $(TEST_BIN:$(BUILD)/%=build/vg/%)
	@VALGRIND=1 sh tests/run_all.sh build/vg

bench: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench_sim
	@sh bench/run.sh $(BUILD)

$(BUILD)/bench_sim: bench/bench_sim.c $(BUILD)/libcapsim.a
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libcapsim.a $(ALL_LDLIBS)

# CUDA microbenchmarks: only here is nvcc needed.
kernels:
	@if [ ! -x "$(NVCC)" ]; then echo "capsim: nvcc not found at $(NVCC) (install the CUDA Toolkit, or NVCC=/path/to/nvcc)"; exit 1; fi
	@$(MAKE) --no-print-directory -f kernels/kernels.mk NVCC=$(NVCC) BUILD=$(BUILD)

fuzz:
	@sh tests/fuzz/run.sh $(or $(FUZZ_SECONDS),60)

fuzz-smoke:
	@sh tests/fuzz/run.sh 10

deps:
	@sh scripts/deps.sh

lint:
	@sh scripts/lint.sh

# make run, then make test, in a fresh Debian 12 root without the packages
# deps.sh installs (docs/setup.md). Root and network; not part of make test.
bare-check:
	@sh tests/bare-machine.sh

install: capsim
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 capsim $(DESTDIR)$(PREFIX)/bin/capsim

clean:
	rm -rf build capsim capsim-kbench

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# The committed GB10 profile is the output of this command (about four
# minutes); check-profile refits and compares byte for byte.
PROFILE_FIT = ./capsim calibrate --arena ../shared/arena
profile: capsim
	$(PROFILE_FIT) --out profiles/gb10.json

check-profile: capsim
	@$(PROFILE_FIT) --out build/gb10-refit.json 2>/dev/null
	@cmp build/gb10-refit.json profiles/gb10.json && echo "profile: 1 passed, 0 failed"
