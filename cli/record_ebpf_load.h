/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record_ebpf_load.h - loading the eBPF recorder's object
 * (ebpf/record.bpf.c) into the kernel, for cli/record_ebpf.c. Only with
 * CF_HAVE_EBPF (needs the generated record.load.h).
 *
 * Two loaders of the same object (docs/record.md, "The eBPF backend"):
 *
 *   direct          callfence makes the bpf() calls itself from what
 *                   tools/gen-bpf-load extracted from the object at build
 *                   time (maps, BTF, instructions, where map fds go, CO-RE
 *                   relocation records): BPF_BTF_LOAD, BPF_MAP_CREATE per
 *                   map, BPF_PROG_LOAD per program with core_relos, so the
 *                   kernel relocates against its own BTF (Linux 5.17).
 *   light skeleton  bpftool's (record.lskel.h): a loader program
 *                   (BPF_PROG_TYPE_SYSCALL) that the kernel verifies and
 *                   runs, making the same calls; the fallback where the
 *                   direct load fails.
 *
 * CALLFENCE_EBPF_LOADER=direct or =skeleton uses only that one (tests,
 * measurements); unset, direct first, then the skeleton with a note.
 */
#ifndef CF_CLI_RECORD_EBPF_LOAD_H
#define CF_CLI_RECORD_EBPF_LOAD_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.load.h"

/* What a recording sets before the load: the read-only data of the
 * program and the sizes of the maps that depend on it. */
struct re_config {
	uint32_t scope;
	uint64_t mntns;
	bool args;
	uint32_t test_max_new; /* CALLFENCE_TEST_EBPF_MAX_TASKS; 0: none */
	uint32_t pid_words;    /* max_entries of tasks */
};

/* The loaded recorder, by either loader; an fd of 0 is none. */
struct re_bpf {
	int map_fd[RG_MAPS];
	int prog_fd[RG_PROGS];
	int link_fd[RG_PROGS];
	void *skel; /* the light skeleton's, when it loaded */
};

/* bpf(2): its result, or -errno */
int re_bpf_sys(int cmd, union bpf_attr *a);

/* Loads the maps and programs for c into b (zeroed by the caller).
 * 0, or -errno with what failed in why. */
int re_bpf_load(struct re_bpf *b, const struct re_config *c, char *why,
		size_t whylen);

/* Attaches every program to its raw tracepoint. 0 or -errno. */
int re_bpf_attach(struct re_bpf *b);

/* Detaches them (closes the links). */
void re_bpf_detach(struct re_bpf *b);

/* Closes everything b holds. */
void re_bpf_close(struct re_bpf *b);

/* rec_no_calls of the program's .bss into *n. 0 or -errno. */
int re_bpf_no_calls(const struct re_bpf *b, uint64_t *n);

#endif
