/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: bytes as a raw program. The checker decides; an accepted
 * program must run to a return within its length on any seccomp_data
 * (forward jumps only) and disassemble.
 */
#include "callfence.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = size / sizeof(struct sock_filter);
	struct sock_filter *insns;
	struct seccomp_data d;
	unsigned executed;
	FILE *null;

	if (n == 0 || n > CF_BPF_MAXINSNS)
		return 0;
	insns = malloc(n * sizeof(*insns));
	if (!insns)
		return 0;
	memcpy(insns, data, n * sizeof(*insns));
	if (cf_bpf_verify(insns, n, NULL) == 0) {
		for (int round = 0; round < 4; round++) {
			memset(&d, round * 0x55, sizeof(d));
			if (size > n * sizeof(*insns))
				d.nr = data[size - 1];
			executed = 0;
			cf_bpf_run(insns, n, &d, &executed);
			if (executed == 0 || executed > n)
				abort();
		}
		null = fopen("/dev/null", "we");
		if (null) {
			cf_bpf_disasm(insns, n, null);
			fclose(null);
		}
	}
	free(insns);
	return 0;
}
