# callfence — one non-recursive Makefile.
#   make            library + CLI          make check     all tests
#   make check-live live checks (tests/live/, root, docker)
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
CPPFLAGS ?=
LD      ?= ld
OBJCOPY ?= objcopy
NM      ?= nm

# The version, from include/callfence.h; SOVERSION counts incompatible ABI
# changes (docs/abi.md), the shared library is libcallfence.so.SOVERSION.
hdr_num  = $(shell sed -n 's/^\#define CF_VERSION_$(1) \([0-9]*\)$$/\1/p' include/callfence.h)
VERSION   := $(call hdr_num,MAJOR).$(call hdr_num,MINOR).$(call hdr_num,PATCH)
SOVERSION := 0

# Install paths (GNU conventions; both spellings accepted).
PREFIX      ?= /usr/local
prefix      ?= $(PREFIX)
exec_prefix ?= $(prefix)
bindir      ?= $(exec_prefix)/bin
libdir      ?= $(exec_prefix)/lib
includedir  ?= $(prefix)/include
datarootdir ?= $(prefix)/share
datadir     ?= $(datarootdir)
mandir      ?= $(datarootdir)/man
BINDIR      ?= $(bindir)
LIBDIR      ?= $(libdir)
INCLUDEDIR  ?= $(includedir)
MANDIR      ?= $(mandir)
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR ?= $(datadir)/bash-completion/completions
ZSHCOMPDIR  ?= $(datadir)/zsh/vendor-completions
INSTALL     ?= install

LIB_SRCS  := $(sort $(wildcard lib/*.c))
CLI_SRCS  := $(sort $(wildcard cli/*.c))
TEST_SRCS := $(sort $(wildcard tests/*.c))
DIFF_SRCS := $(sort $(wildcard tests/diff/*.c))

# The built-in profile's parsed form is generated at build time (below):
# $(O)/gen/builtin_data.c, made by tools/dump-profile.c from data/builtin.json.
BUILTIN_DATA := $(O)/gen/builtin_data.c
# PARSER_OBJS: the library without the generated parsed form, enough for
# dump-profile to parse the profile; LIB_OBJS adds the parsed form.
PARSER_OBJS := $(LIB_SRCS:%.c=$(O)/%.o)
LIB_OBJS  := $(PARSER_OBJS) $(BUILTIN_DATA:.c=.o)
CLI_OBJS  := $(CLI_SRCS:%.c=$(O)/%.o)
TEST_OBJS := $(TEST_SRCS:%.c=$(O)/%.o)
DIFF_OBJS := $(DIFF_SRCS:%.c=$(O)/%.o)

# LIB: every library object, for the tool, the tests and the tools (they
# may use the internal headers lib/*.h). The installed libraries export
# the header's API only: LIBA is one relocatable object whose non-API
# symbols are local, SO has a version script (abi/libcallfence.map).
LIB   := $(O)/libcallfence-internal.a
LIBA  := $(O)/libcallfence.a
SONAME := libcallfence.so.$(SOVERSION)
SO    := $(O)/libcallfence.so.$(VERSION)
PC    := $(O)/callfence.pc
BIN   := $(O)/callfence
TESTS := $(O)/cf-tests
DIFF  := $(O)/cf-difftest

all: $(LIB) $(BIN) $(LIBA) $(SO) $(PC)

HDRS := $(wildcard include/*.h lib/*.h cli/*.h tests/*.h tests/diff/*.h)
$(O)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Library objects: position-independent (they go into the shared library
# and into static links of shared objects), and hidden unless declared in
# include/callfence.h (its visibility pragma).
LIB_CFLAGS := -fPIC -fvisibility=hidden
$(O)/lib/%.o: lib/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LIB_CFLAGS) -c -o $@ $<

# The parsed form of the built-in profile, so that `run` does not parse it
# at start (its gain: tools/dump-profile.c), made by every build from the
# parser's own output, so an AST change needs no manual step.
$(O)/dump-profile: tools/dump-profile.c $(PARSER_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(PARSER_OBJS)
$(BUILTIN_DATA): data/builtin.json $(O)/dump-profile
	@mkdir -p $(dir $@)
	$(O)/dump-profile data/builtin.json cf_profile_builtin >$@.tmp
	mv $@.tmp $@
$(BUILTIN_DATA:.c=.o): $(BUILTIN_DATA) $(HDRS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LIB_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

# The installed static library: all objects linked into one (ld -r), every
# hidden symbol made local, so a program that links it sees the API only.
$(O)/libcallfence-all.o: $(LIB_OBJS)
	$(LD) -r -o $@.tmp $^
	$(OBJCOPY) --localize-hidden $@.tmp $@ && rm -f $@.tmp
$(LIBA): $(O)/libcallfence-all.o
	rm -f $@ && $(AR) rcs $@ $^

# The shared library and its links: SONAME for the loader, the bare name
# for the linker. Without sanitizers every reference must resolve (-z defs).
SO_LDFLAGS = -shared -Wl,-soname,$(SONAME) \
	-Wl,--version-script,abi/libcallfence.map \
	$(if $(findstring -fsanitize,$(CFLAGS)),,-Wl,-z,defs)
$(SO): $(LIB_OBJS) abi/libcallfence.map
	$(CC) $(CFLAGS) $(LDFLAGS) $(SO_LDFLAGS) -o $@ $(LIB_OBJS)
	ln -sf $(notdir $@) $(O)/$(SONAME)
	ln -sf $(SONAME) $(O)/libcallfence.so

# pkg-config file with the install paths (rewritten only when they change).
$(PC): callfence.pc.in FORCE
	@mkdir -p $(dir $@)
	@sed -e 's|@prefix@|$(prefix)|' -e 's|@libdir@|$(LIBDIR)|' \
		-e 's|@includedir@|$(INCLUDEDIR)|' -e 's|@version@|$(VERSION)|' \
		callfence.pc.in > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
FORCE:

$(BIN): $(CLI_OBJS) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJS) $(LIB)

# The eBPF recorder of `callfence record` (cli/record_ebpf.c, ebpf/): built
# when this is x86-64 with clang, bpftool, libbpf (libbpf-dev) and the
# kernel's BTF; otherwise left out with a message, and `record --backend
# ebpf` says "not built in". EBPF=no leaves it out anyway. Only libbpf's
# headers are used (the light skeleton makes its own system calls): nothing
# links libbpf.
BPFTOOL ?= $(firstword $(shell sh -c 'command -v bpftool') \
	$(wildcard /usr/sbin/bpftool /sbin/bpftool))
EBPF_BTF := /sys/kernel/btf/vmlinux
EBPF_MISSING := $(strip $(if $(filter no,$(EBPF)),EBPF=no) \
	$(if $(filter x86_64,$(shell uname -m)),,an-x86-64-machine) \
	$(if $(shell sh -c 'command -v clang'),,clang) \
	$(if $(BPFTOOL),,bpftool) \
	$(if $(shell sh -c 'command -v python3'),,python3) \
	$(if $(wildcard /usr/include/bpf/libbpf.h),,libbpf-dev) \
	$(if $(wildcard $(EBPF_BTF)),,kernel-BTF-$(EBPF_BTF)))
EBPF_GEN := $(O)/ebpf
ifeq ($(EBPF_MISSING),)
$(EBPF_GEN)/vmlinux.h:
	@mkdir -p $(dir $@)
	$(BPFTOOL) btf dump file $(EBPF_BTF) format c >$@.tmp && mv $@.tmp $@
$(EBPF_GEN)/record.bpf.o: ebpf/record.bpf.c ebpf/record_maps.h \
		$(EBPF_GEN)/vmlinux.h
	clang -target bpf -D__TARGET_ARCH_x86 -O2 -g -Wall -Werror \
		-I$(EBPF_GEN) -Iebpf -c -o $@ $<
# a light skeleton (-L): the kernel relocates the program against its own
# BTF, so callfence never reads /sys/kernel/btf/vmlinux (5 MiB, 4 KiB per
# read(): most of the recorder's start-up; docs/record.md)
$(EBPF_GEN)/record.lskel.h: $(EBPF_GEN)/record.bpf.o
	$(BPFTOOL) gen skeleton -L $< name record_bpf >$@.tmp && mv $@.tmp $@
# what callfence's own loader (cli/record_ebpf_load.c) needs from the
# object: maps, BTF, instructions, map fd fixups, CO-RE relocation records
# (the kernel applies them: no loader program to verify at each recording)
$(EBPF_GEN)/record.load.h: $(EBPF_GEN)/record.bpf.o tools/gen-bpf-load
	tools/gen-bpf-load $< $@.tmp && mv $@.tmp $@
# the same without --args' code (REC_CALLS_ONLY), loaded without --args
$(EBPF_GEN)/record_calls.bpf.o: ebpf/record.bpf.c ebpf/record_maps.h \
		$(EBPF_GEN)/vmlinux.h
	clang -target bpf -D__TARGET_ARCH_x86 -DREC_CALLS_ONLY -O2 -g -Wall \
		-Werror -I$(EBPF_GEN) -Iebpf -c -o $@ $<
$(EBPF_GEN)/record_calls.load.h: $(EBPF_GEN)/record_calls.bpf.o \
		tools/gen-bpf-load
	tools/gen-bpf-load --prefix rgc $< $@.tmp && mv $@.tmp $@
EBPF_LOAD_H := $(EBPF_GEN)/record.load.h $(EBPF_GEN)/record_calls.load.h
EBPF_CLI_OBJS := $(O)/cli/record_ebpf.o $(O)/cli/record_ebpf_load.o
$(EBPF_CLI_OBJS): override CFLAGS += -DCF_HAVE_EBPF -I$(EBPF_GEN) -Iebpf
$(EBPF_CLI_OBJS): $(EBPF_GEN)/record.lskel.h $(EBPF_LOAD_H) \
	ebpf/record_maps.h cli/record_ebpf_load.h
else
$(info callfence: building without the eBPF recorder of `record` (missing: $(EBPF_MISSING)))
endif

$(TESTS): $(TEST_OBJS) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(TEST_OBJS) $(LIB) -lpthread

# The differential suite links libseccomp (a test dependency only).
$(DIFF): $(DIFF_OBJS) $(O)/tests/main.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(DIFF_OBJS) $(O)/tests/main.o \
		$(LIB) -lseccomp -lpthread

# Regenerates the embedded text of data/builtin.json (lib/builtin.c); its
# parsed form ($(BUILTIN_DATA)) is made by every build.
builtin:
	tools/gen-builtin data/builtin.json lib/builtin.c

# Shell tests of the installed form (tests/sh/: install, exported symbols);
# they run make install into a temporary DESTDIR ($(MAKE) below passes the
# jobserver on).
SH_TESTS := $(filter-out tests/sh/lib.sh,$(sort $(wildcard tests/sh/*.sh)))
SH_TEST_ENV = CF_O=$(O) CF_CC="$(CC)" CF_MAKE="$(MAKE)" \
	CF_SAN="$(filter -fsanitize%,$(CFLAGS))" CF_SOVERSION=$(SOVERSION)
check: all $(TESTS) $(if $(DIFF_SRCS),$(DIFF))
	CF_BIN=$(BIN) $(SH_TEST_ENV) \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
		tools/run-tests $(TESTS) $(if $(DIFF_SRCS),$(DIFF)) $(SH_TESTS)

# Golden files (docs/internals.md): tests/golden/NAME.annotated, the
# annotated program of the built-in and of every reference profile;
# tests/sh/golden.sh compares them in make check. A change of the code
# generator regenerates them with this one command; review the diff.
golden: all
	CF_BIN=$(BIN) tools/golden tests/golden

.PHONY: golden

# ---- ABI (docs/abi.md): the built libcallfence.so against the committed
# baseline abi/libcallfence.abi (abidw/abidiff; tests/sh/abi.sh runs it in
# make check). abi-baseline rewrites the baseline, on purpose only.
abi-check: $(SO)
	tools/abi-check $(SO)
abi-baseline: $(SO)
	tools/abi-check --dump $(SO) abi/libcallfence.abi

.PHONY: abi-check abi-baseline

# ---- install (docs/abi.md; README "Installing") ----------------------------
# MAN_PAGES: the pages `make man` builds (man/man.mk, $(O)/man/NAME.SECTION);
# the completions are completion/callfence.bash and completion/_callfence.
# Both are expanded when the recipes run, after man/man.mk is read.
man:
BASH_COMP = $(wildcard completion/callfence.bash)
ZSH_COMP  = $(wildcard completion/_callfence)
D = $(DESTDIR)
# for_man CMD: runs CMD for every page, with $$f the page and $$dest
# where it is installed ($(MANDIR)/manSECTION/NAME.SECTION)
for_man = set -e; for f in $(MAN_PAGES); do \
		n=$${f\#\#*/}; dest="$(D)$(MANDIR)/man$${n\#\#*.}/$$n"; \
		echo "$(1)"; $(1); \
	done

install: all man
	$(INSTALL) -d $(D)$(BINDIR) $(D)$(LIBDIR) $(D)$(INCLUDEDIR) \
		$(D)$(PKGCONFIGDIR)
	$(INSTALL) -m 755 $(BIN) $(D)$(BINDIR)/callfence
	$(INSTALL) -m 644 $(SO) $(D)$(LIBDIR)/
	ln -sf $(notdir $(SO)) $(D)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(D)$(LIBDIR)/libcallfence.so
	$(INSTALL) -m 644 $(LIBA) $(D)$(LIBDIR)/libcallfence.a
	$(INSTALL) -m 644 include/callfence.h $(D)$(INCLUDEDIR)/callfence.h
	$(INSTALL) -m 644 $(PC) $(D)$(PKGCONFIGDIR)/callfence.pc
	@$(call for_man,$(INSTALL) -D -m 644 "$$f" "$$dest")
	$(if $(BASH_COMP),$(INSTALL) -D -m 644 $(BASH_COMP) $(D)$(BASHCOMPDIR)/callfence)
	$(if $(ZSH_COMP),$(INSTALL) -D -m 644 $(ZSH_COMP) $(D)$(ZSHCOMPDIR)/_callfence)

# Removes every file install put there (directories stay: they may be
# shared, such as /usr/local/lib).
uninstall:
	rm -f $(D)$(BINDIR)/callfence $(D)$(LIBDIR)/libcallfence.so \
		$(D)$(LIBDIR)/$(SONAME) $(D)$(LIBDIR)/$(notdir $(SO)) \
		$(D)$(LIBDIR)/libcallfence.a $(D)$(INCLUDEDIR)/callfence.h \
		$(D)$(PKGCONFIGDIR)/callfence.pc \
		$(D)$(BASHCOMPDIR)/callfence $(D)$(ZSHCOMPDIR)/_callfence
	@$(call for_man,rm -f "$$dest")

.PHONY: install uninstall man

# Live checks (tools/check-live): tests/live/*.sh against the real kernel,
# dockerd and packaging tools; most need root.
check-live: all
	CF_BIN=$(abspath $(BIN)) tools/check-live

asan:
	$(MAKE) O=build-asan CC=clang \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		check

analyze: $(BUILTIN_DATA) $(if $(EBPF_MISSING),,$(EBPF_GEN)/record.lskel.h \
	$(EBPF_LOAD_H))
	tools/analyze $(LIB_SRCS) $(BUILTIN_DATA) $(CLI_SRCS)
	$(if $(EBPF_MISSING),,$(ANALYZE_EBPF))

# the eBPF half of record_ebpf.c; ipa=none: calls are not followed into
# bpftool's generated (light) skeleton, whose code is not ours
ANALYZE_EBPF = CF_ANALYZE_FLAGS="-DCF_HAVE_EBPF -isystem $(EBPF_GEN) -Iebpf \
	-Xanalyzer -analyzer-config -Xanalyzer ipa=none" tools/analyze cli/record_ebpf.c \
	cli/record_ebpf_load.c

demo: all
	tools/demo $(BIN)

# generated sources stay as their generators write them
GEN_SRCS := lib/builtin.c lib/syscalls_table.c \
	    lib/errno_table.c
# every hand-written C file, formatted by .clang-format (CI: format-check)
FORMAT_SRCS := $(filter-out $(GEN_SRCS),$(sort $(wildcard lib/*.[ch] \
	cli/*.[ch] include/*.h tests/*.[ch] tests/*/*.[ch] fuzz/*.[ch] \
	bench/*.[ch] tools/*.c)))
format:
	clang-format -i $(FORMAT_SRCS)

format-check:
	clang-format --dry-run --Werror $(FORMAT_SRCS)

# generated tables (tools/check-tables): `tables` rewrites them from
# ../shared/data and the asm-generic errno headers, `tables-check` (CI)
# fails when a committed one is not what its generator writes
tables:
	tools/check-tables --write

tables-check:
	tools/check-tables

# function lengths in lib/ (tools/fn-lengths): none over 80 lines, median
# at most 15, in every hand-written file (generated code aside)
FN_SRCS := $(filter-out $(GEN_SRCS),$(LIB_SRCS))
fn-lengths:
	tools/fn-lengths --max 80 --median 15 --list 5 $(FN_SRCS)

# every shell script of tools/ and .ci/ (by its #! line) and of the tests
# (tests/live, tests/sh: sourced lib.sh included), through shellcheck
SHELL_SCRIPTS := $(shell grep -l '^\#!.*sh$$' tools/* .ci/*) \
	$(wildcard tests/live/*.sh tests/sh/*.sh)
shellcheck:
	shellcheck $(SHELL_SCRIPTS)

clean:
	rm -rf build build-asan build-fuzz build-abi

.PHONY: all check check-live asan analyze demo format format-check clean builtin
.PHONY: tables tables-check shellcheck fn-lengths

include man/man.mk

# ---- fuzzing (clang libFuzzer) -------------------------------------------
FUZZ_SRCS := $(filter-out fuzz/replay.c,$(sort $(wildcard fuzz/*.c)))
FUZZ_BINS := $(FUZZ_SRCS:fuzz/%.c=build-fuzz/%)
FUZZ_CFLAGS := -std=gnu11 -O1 -g -D_GNU_SOURCE -Iinclude -Ilib \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_TIME ?= 30

build-fuzz/%: fuzz/%.c $(LIB_SRCS) $(BUILTIN_DATA) $(wildcard include/*.h lib/*.h fuzz/*.h)
	@mkdir -p build-fuzz
	clang $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRCS) $(BUILTIN_DATA)

# replay mains: run a corpus through a target without libFuzzer
build-fuzz/%-replay: fuzz/%.c fuzz/replay.c $(LIB_SRCS) $(BUILTIN_DATA)
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

$(O)/tests/run/%: tests/run/%.c $(wildcard tests/run/*.h)
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
	bench/record.sh $(BIN) 5 | tee $(O)/bench/record.md

# recording overhead: plain vs strace -f vs record --backend ptrace|ebpf
# (docs/record.md); also the last section of make bench
bench-record: $(BIN)
	bench/record.sh $(BIN) 7

.PHONY: bench-record

# callfence's programs against libseccomp's on a corpus of 60+ profiles
# (issue 11): lengths, runc's ENOSYS stub, worst paths, ratios, violations
# (CORPUS_FLAGS=--assert fails on one; --speed adds compile speed)
bench-corpus: $(BIN) $(BENCH_BIN)
	bench/corpus.py --bench $(BENCH_BIN) --callfence $(BIN) \
		--out $(O)/bench $(CORPUS_FLAGS)

.PHONY: bench bench-corpus

# ---- mutation check of the differential suite (tools/mutate) -------------
mutate:
	tools/mutate

.PHONY: mutate

# The bad-input sweep's command (tests/test_sweep.c): freestanding, so the
# only system calls it makes are its own.
$(O)/tests/run/sweep_probe: tests/run/sweep_probe.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 $(WARN) -ffreestanding -fno-stack-protector \
		-fno-pie -static -nostdlib -o $@ $<
