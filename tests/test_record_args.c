/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `record --args`: which arguments are recorded (cf_record_arg_mask),
 * their values as the kernel reads them (cf_record_add_arg), the argument
 * rules cf_record_json writes from them, and the binary end to end.
 */
#include "t.h"

#include "callfence.h"

#include <errno.h>

static uint32_t ra_nr(const char *abi, const char *name)
{
	return (uint32_t)cf_syscall_number(cf_abi_lookup(abi), name);
}

TEST(record_args_mask_names_the_recorded_arguments)
{
	int x64 = cf_abi_lookup("x86_64"), x86 = cf_abi_lookup("x86");

	CHECK_EQ(cf_record_arg_mask(x64, ra_nr("x86_64", "socket")), 3);
	CHECK_EQ(cf_record_arg_mask(x64, ra_nr("x86_64", "clone")), 1);
	CHECK_EQ(cf_record_arg_mask(x64, ra_nr("x86_64", "clone3")), 1);
	CHECK_EQ(cf_record_arg_mask(x64, ra_nr("x86_64", "personality")), 1);
	CHECK_EQ(cf_record_arg_mask(x64, ra_nr("x86_64", "ioctl")), 2);
	CHECK_EQ(cf_record_arg_mask(x64, ra_nr("x86_64", "fcntl")), 2);
	CHECK_EQ(cf_record_arg_mask(x64, ra_nr("x86_64", "prctl")), 1);
	CHECK_EQ(cf_record_arg_mask(x64, ra_nr("x86_64", "mmap")), 4);
	CHECK_EQ(cf_record_arg_mask(x64, ra_nr("x86_64", "mprotect")), 4);
	CHECK_EQ(cf_record_arg_mask(x86, ra_nr("x86", "mmap2")), 4);
	CHECK_EQ(cf_record_arg_mask(x86, ra_nr("x86", "fcntl64")), 2);
	/* none: other calls, unknown numbers, unknown ABIs */
	CHECK_EQ(cf_record_arg_mask(x64, ra_nr("x86_64", "read")), 0);
	CHECK_EQ(cf_record_arg_mask(x64, 4000), 0);
	CHECK_EQ(cf_record_arg_mask(9999, 0), 0);
	CHECK_EQ(cf_record_arg_mask(-1, 0), 0);
}

TEST(record_args_add_refuses_arguments_not_recorded)
{
	struct cf_record *r;
	struct cf_error err;
	int x64 = cf_abi_lookup("x86_64");

	if (!CHECK(cf_record_new(&r, &err) == 0))
		return;
	CHECK_EQ(cf_record_add_arg(r, x64, ra_nr("x86_64", "socket"), 0, 1), 0);
	CHECK_EQ(cf_record_add_arg(r, x64, ra_nr("x86_64", "socket"), 2, 0),
		 -EINVAL);
	CHECK_EQ(cf_record_add_arg(r, x64, ra_nr("x86_64", "read"), 0, 0),
		 -EINVAL);
	CHECK_EQ(cf_record_add_arg(r, x64, ra_nr("x86_64", "socket"), 6, 0),
		 -EINVAL);
	CHECK_EQ(cf_record_add_arg(r, 9999, 0, 0, 0), -EINVAL);
	cf_record_free(r);
}
