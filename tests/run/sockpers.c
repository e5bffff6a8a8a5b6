/* SPDX-License-Identifier: Apache-2.0 */
/* `record --args` subject: socket(AF_UNIX, SOCK_STREAM), then
 * personality(0xffffffff) (a query); with "inet", also socket(AF_INET),
 * reporting how it went; with "clone3-bad", a clone3 whose struct
 * clone_args is at an unmapped address (the kernel answers EFAULT; a
 * recorder cannot read its flags). Exits 0 when the first two worked. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	int pers = personality(0xffffffff);

	if (fd < 0 || pers < 0) {
		printf("unix %d personality %d: %s\n", fd, pers,
		       strerror(errno));
		return 1;
	}
	close(fd);
	printf("unix ok, personality 0x%x\n", (unsigned)pers);
	if (argc > 1 && !strcmp(argv[1], "inet")) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		printf("inet: %s\n", fd < 0 ? strerror(errno) : "ok");
	}
	if (argc > 1 && !strcmp(argv[1], "clone3-bad")) {
		long rc = syscall(435 /* clone3 */, (void *)8, (size_t)88);

		printf("clone3: %s\n", rc < 0 ? strerror(errno) : "ran");
	}
	return 0;
}
