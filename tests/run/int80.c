/* SPDX-License-Identifier: Apache-2.0 */
/* A 64-bit program making one i386 system call (int $0x80, getpid = 20).
 * Exits 0 when it returned our pid; a filter without x86 kills it. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	long ret = 20; /* __NR_getpid on i386 */

	__asm__ volatile("int $0x80"
			 : "+a"(ret)
			 :
			 : "memory", "r8", "r9", "r10", "r11", "r12", "r13",
			   "r14", "r15");
	printf("int80 getpid %ld\n", ret);
	return ret == (long)getpid() ? 0 : 1;
}
