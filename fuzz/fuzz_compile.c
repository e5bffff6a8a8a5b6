/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: bytes -> profile -> resolve -> IR -> BPF. Asserts that every
 * emitted program passes the kernel-rules checker and that the program and
 * the IR decide alike. The native ABI is chosen from the input among the
 * ABIs with a table (so big-endian and 32-bit comparisons are reached);
 * every ABI with a table is tried: the filter's own over their whole number
 * range, the others (which must be killed) at a few numbers. Arguments are
 * drawn from the profile's own values and their neighbours (datum, ±1,
 * upper word flipped, valueTwo, 0, all-ones), and from random words.
 */
#include "profile.h"
#include "syscalls.h"
#include "fuzz_values.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void compare(const struct cf_filter *f, const struct sock_filter *p,
		    size_t len, const struct seccomp_data *d)
{
	struct cf_decision dec;
	struct seccomp_data k;
	unsigned executed = 0;
	uint32_t got;

	/* the program reads what the ABI's kernel hands it; the IR decides
	 * on the values */
	cf_seccomp_data_as_kernel(d, &k);
	got = cf_bpf_run(p, len, &k, &executed);

	if (cf_filter_decide(f, d, &dec) || dec.action != got || executed > len)
		abort();
}

static void exercise(const struct cf_filter *f, const struct cf_profile *pr,
		     uint64_t seed)
{
	static struct values vs;
	struct seccomp_data d;
	const struct sock_filter *p;
	size_t len;

	vs.n = 0;
	collect(pr, &vs);
	p = cf_filter_program(f, &len);
	if (cf_bpf_verify(p, len, NULL))
		abort();
	for (int abi = 0; abi < cf_abi_count(); abi++) {
		const struct cf_arch *ar = &cf_arches[abi];
		uint32_t base = ar->nr_offset, top;
		struct cf_decision dec;

		if (!cf_abi_supported(abi))
			continue;
		memset(&d, 0, sizeof(d));
		d.arch = ar->audit_arch;
		d.nr = (int)base;
		if (cf_filter_decide(f, &d, &dec))
			abort();
		/* the filter's own ABIs: every number and a few above the
		 * table; the others: a few numbers */
		top = dec.why && strstr(dec.why, "not in the filter")
			  ? base + 4
			  : cf_arch_max_nr(abi) + 24;
		for (uint32_t nr = base; nr < top; nr++) {
			d.nr = (int)nr;
			for (int i = 0; i < 6; i++)
				d.args[i] = arg_value(&vs, &seed, nr);
			compare(f, p, len, &d);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int natives[64];
	static int nnatives;
	struct cf_profile *p;
	struct cf_filter *f;
	struct cf_target t;
	struct cf_error err;
	uint64_t seed = size;

	if (!nnatives)
		for (int abi = 0; abi < cf_abi_count() && nnatives < 64; abi++)
			if (cf_abi_supported(abi))
				natives[nnatives++] = abi;
	if (cf_profile_parse((const char *)data, size, "fuzz", &p, &err))
		return 0;
	for (size_t i = 0; i < size; i++)
		seed = mix(seed + data[i]);
	cf_target_default(&t, &err);
	/* mostly x86_64 (the host), else any ABI with a table */
	t.native = seed % 4 ? cf_abi_lookup("x86_64")
			    : natives[(seed >> 8) % (uint64_t)nnatives];
	t.kernel = 6 << 16 | 18;
	if (cf_compile(p, &t, &f, &err) == 0) {
		if (!cf_filter_unconfined(f))
			exercise(f, p, mix(seed));
		cf_filter_free(f);
	}
	cf_profile_free(p);
	return 0;
}
