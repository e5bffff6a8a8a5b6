/* SPDX-License-Identifier: Apache-2.0 */
/* catalog.c - what the library carries, for listings and --version: the
 * syscall names of each ABI's table, the Linux release those tables come
 * from, and where the built-in profile comes from. */
#include "syscalls.h"

/* The release tools/gen-tables read (its first line in syscalls_table.c;
 * tests/test_catalog.c holds the two together). */
#define CF_TABLES_LINUX "7.1.3"

const char *cf_syscall_next(int abi, size_t *pos, uint32_t *nr)
{
	int t;

	if (abi < 0 || abi >= cf_narches || (t = cf_arches[abi].table) < 0)
		return NULL;
	while (*pos < cf_nsysinfo) {
		size_t i = (*pos)++;

		if (cf_table_nrs[t][i] >= 0) {
			if (nr)
				*nr = (uint32_t)cf_table_nrs[t][i];
			return cf_sysinfo[i].name;
		}
	}
	return NULL;
}

const char *cf_syscall_table_linux(void)
{
	return CF_TABLES_LINUX;
}

const char *cf_profile_builtin_origin(void)
{
	return "Docker's default (moby/profiles seccomp/default.json at "
	       "cd3bed8061c7), regrouped as data/builtin.json with the same "
	       "decisions";
}
