# callfence — one non-recursive Makefile.
#   make            library + CLI          make check     all tests
#   make demo       build, run under the built-in profile
#   make asan       tests under ASan+UBSan make analyze   clang --analyze
#   make fuzz       libFuzzer targets      make bench     benchmarks
CC      ?= cc
O       ?= build
WARN    := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wcast-align \
	   -Wwrite-strings -Wstrict-prototypes -Wmissing-prototypes \
	   -Wmissing-declarations -Wformat=2 -Wformat-security \
	   -Wundef -Wvla -Wnull-dereference -Wimplicit-fallthrough \
	   -Wno-missing-field-initializers -Wno-unknown-warning-option \
	   -Wno-format-truncation \
	   -Wno-declaration-after-statement
CFLAGS  ?= -O2 -g
# CFLAGS may be set on the command line (make asan does); these always apply
override CFLAGS += -std=gnu11 $(WARN) -fno-strict-aliasing -D_GNU_SOURCE \
	   -Iinclude -Ilib
LDFLAGS ?=

LIB_SRCS  := $(sort $(wildcard lib/*.c))
CLI_SRCS  := $(sort $(wildcard cli/*.c))
TEST_SRCS := $(sort $(wildcard tests/*.c))
DIFF_SRCS := $(sort $(wildcard tests/diff/*.c))

LIB_OBJS  := $(LIB_SRCS:%.c=$(O)/%.o)
CLI_OBJS  := $(CLI_SRCS:%.c=$(O)/%.o)
TEST_OBJS := $(TEST_SRCS:%.c=$(O)/%.o)
DIFF_OBJS := $(DIFF_SRCS:%.c=$(O)/%.o)

LIB   := $(O)/libcallfence.a
BIN   := $(O)/callfence
TESTS := $(O)/cf-tests
DIFF  := $(O)/cf-difftest

all: $(LIB) $(BIN)

$(O)/%.o: %.c $(wildcard include/*.h lib/*.h tests/*.h tests/diff/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BIN): $(CLI_OBJS) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJS) $(LIB)

$(TESTS): $(TEST_OBJS) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(TEST_OBJS) $(LIB) -lpthread

# The differential suite links libseccomp (a test dependency only).
$(DIFF): $(DIFF_OBJS) $(O)/tests/main.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(DIFF_OBJS) $(O)/tests/main.o \
		$(LIB) -lseccomp -lpthread

# Writes the parsed form of a profile as C (lib/builtin_data.c).
$(O)/dump-profile: tools/dump-profile.c $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB)

# Regenerates both embedded forms of data/builtin.json: its text
# (lib/builtin.c) and its parsed form (lib/builtin_data.c).
builtin: $(O)/dump-profile
	tools/gen-builtin data/builtin.json lib/builtin.c
	$(O)/dump-profile data/builtin.json cf_profile_builtin > $(O)/builtin_data.c
	mv $(O)/builtin_data.c lib/builtin_data.c

check: all $(TESTS) $(O)/dump-profile $(if $(DIFF_SRCS),$(DIFF))
	CF_BIN=$(BIN) CF_DUMP=$(O)/dump-profile tools/run-tests $(TESTS) $(if $(DIFF_SRCS),$(DIFF))

asan:
	$(MAKE) O=build-asan CC=clang \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		check

analyze:
	tools/analyze $(LIB_SRCS) $(CLI_SRCS)

demo: all
	tools/demo $(BIN)

# generated sources stay as their generators write them
GEN_SRCS := lib/builtin.c lib/builtin_data.c lib/syscalls_table.c \
	    lib/errno_table.c
format:
	clang-format -i $(filter-out $(GEN_SRCS),$(LIB_SRCS)) $(CLI_SRCS) \
		tools/dump-profile.c include/*.h lib/*.h

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all check asan analyze demo format clean builtin

include man/man.mk

# ---- fuzzing (clang libFuzzer) -------------------------------------------
FUZZ_SRCS := $(filter-out fuzz/replay.c,$(sort $(wildcard fuzz/*.c)))
FUZZ_BINS := $(FUZZ_SRCS:fuzz/%.c=build-fuzz/%)
FUZZ_CFLAGS := -std=gnu11 -O1 -g -D_GNU_SOURCE -Iinclude -Ilib \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_TIME ?= 30

build-fuzz/%: fuzz/%.c $(LIB_SRCS) $(wildcard include/*.h lib/*.h)
	@mkdir -p build-fuzz
	clang $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRCS)

# replay mains: run a corpus through a target without libFuzzer
build-fuzz/%-replay: fuzz/%.c fuzz/replay.c $(LIB_SRCS)
	@mkdir -p build-fuzz
	$(CC) -std=gnu11 -O1 -g -D_GNU_SOURCE -Iinclude -Ilib -o $@ $^

fuzz: $(FUZZ_BINS)

fuzz-run: fuzz
	tools/fuzz-run $(FUZZ_TIME) $(FUZZ_BINS)

.PHONY: fuzz fuzz-run

# ---- `run` live-test helpers (tests/test_run.c): small programs the tests
# run under callfence, built from tests/run/<prog>.c into $(O)/tests/run/.
# They are test subjects, so no sanitizers: plain flags on purpose.
RUN_HELPERS := $(patsubst tests/run/%.c,$(O)/tests/run/%,\
		 $(wildcard tests/run/*.c))

$(O)/tests/run/%: tests/run/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g $(WARN) -D_GNU_SOURCE -o $@ $<

check: $(RUN_HELPERS)

# ---- benchmarks: callfence against libseccomp, side by side --------------
# (bench/README.md, docs/performance.md). libseccomp and json-c are
# benchmark dependencies only; gnuplot draws the chart when present.
BENCH_SRCS := $(sort $(wildcard bench/*.c))
BENCH_BIN  := $(O)/bench/cf-bench

$(BENCH_BIN): $(BENCH_SRCS) bench/bench.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ibench $(LDFLAGS) -o $@ $(BENCH_SRCS) $(LIB) \
		-lseccomp -ljson-c

bench: $(BIN) $(BENCH_BIN)
	bench/run.py --bench $(BENCH_BIN) --callfence $(BIN) --out $(O)/bench

.PHONY: bench

# ---- mutation check of the differential suite (tools/mutate) -------------
mutate:
	tools/mutate

.PHONY: mutate
