/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: bytes as a raw program (the tail that is not a whole
 * instruction seeds the seccomp_data). Whatever the checker says, the
 * interpreter must stop within the program's length without reading
 * outside it or the data (ASan watches); an accepted program must run to
 * a return (at least one instruction), and every program must list and
 * export in all formats.
 */
#include "callfence.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fill_data(struct seccomp_data *d, const uint8_t *seed, size_t n,
		      int round)
{
	uint8_t *bytes = (uint8_t *)d;

	for (size_t i = 0; i < sizeof(*d); i++)
		bytes[i] = (uint8_t)(n ? seed[(i + (size_t)round) % n] ^
					     (uint8_t)(round * 0x55)
				       : round * 0x55);
}

static void check_run(const struct sock_filter *insns, size_t n, bool verified,
		      const uint8_t *seed, size_t nseed)
{
	for (int round = 0; round < 4; round++) {
		struct seccomp_data d;
		unsigned executed = 0;

		fill_data(&d, seed, nseed, round);
		cf_bpf_run(insns, n, &d, &executed);
		if (executed > n || (verified && executed == 0))
			abort();
	}
}

static void check_print(const struct sock_filter *insns, size_t n)
{
	FILE *null = fopen("/dev/null", "we");

	if (!null)
		return;
	if (cf_bpf_disasm(insns, n, null) ||
	    cf_bpf_write(insns, n, CF_BPF_C, null, NULL) ||
	    cf_bpf_write(insns, n, CF_BPF_HEX, null, NULL) ||
	    cf_bpf_write(insns, n, CF_BPF_RAW, null, NULL))
		abort();
	fclose(null);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t whole = size - size % sizeof(struct sock_filter);
	struct sock_filter *insns = NULL;
	size_t n = 0;
	bool verified;

	if (cf_bpf_read_raw(data, whole, &insns, &n, NULL))
		return 0;
	if (n * sizeof(*insns) != whole)
		abort();
	verified = cf_bpf_verify(insns, n, NULL) == 0;
	check_run(insns, n, verified, data + whole, size - whole);
	check_print(insns, n);
	free(insns);
	return 0;
}
