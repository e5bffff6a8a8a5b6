/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: bytes -> profile -> resolve -> IR -> BPF. Asserts that every
 * emitted program passes the kernel-rules checker and that the program and
 * the IR decide alike, for every syscall number of each ABI of the x86
 * family and for argument vectors made from the input.
 */
#include "callfence.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static void compare(const struct cf_filter *f, const struct sock_filter *p,
		    size_t len, const struct seccomp_data *d)
{
	struct cf_decision dec;
	unsigned executed = 0;
	uint32_t got = cf_bpf_run(p, len, d, &executed);

	if (cf_filter_decide(f, d, &dec) || dec.action != got ||
	    executed > len)
		abort();
}

static void exercise(const struct cf_filter *f, const uint8_t *data,
		     size_t size)
{
	static const char *const abis[] = { "x86_64", "x86", "x32" };
	struct seccomp_data d;
	const struct sock_filter *p;
	size_t len;
	uint64_t seed = size;

	p = cf_filter_program(f, &len);
	if (cf_bpf_verify(p, len, NULL))
		abort();
	for (size_t i = 0; i < size; i++)
		seed = mix(seed + data[i]);
	for (size_t a = 0; a < 3; a++) {
		int abi = cf_abi_lookup(abis[a]);
		uint32_t base = a == 2 ? 0x40000000U : 0;

		for (uint32_t nr = 0; nr < 560; nr++) {
			memset(&d, 0, sizeof(d));
			d.arch = cf_abi_audit_arch(abi);
			d.nr = (int)(base + nr);
			for (int i = 0; i < 6; i++) {
				seed = mix(seed + nr);
				d.args[i] = seed & 3 ? seed >> (seed & 63) : 0;
			}
			compare(f, p, len, &d);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_profile *p;
	struct cf_filter *f;
	struct cf_target t;
	struct cf_error err;

	if (cf_profile_parse((const char *)data, size, "fuzz", &p, &err))
		return 0;
	cf_target_default(&t, &err);
	t.native = cf_abi_lookup("x86_64");
	t.kernel = 6 << 16 | 18;
	if (cf_compile(p, &t, &f, &err) == 0) {
		if (!cf_filter_unconfined(f))
			exercise(f, data, size);
		cf_filter_free(f);
	}
	cf_profile_free(p);
	return 0;
}
