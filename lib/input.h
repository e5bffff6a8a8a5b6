/* SPDX-License-Identifier: Apache-2.0 */
/* input.h - whole inputs: a file or descriptor read with a size cap and
 * a wait for a FIFO's writer (input.c), and small system files read into
 * a fixed buffer; input.c holds every file reader of the library. */
#ifndef CF_INPUT_H
#define CF_INPUT_H

#include "base.h"

#include <sys/types.h>

/* what names the contents in messages ("profile"). */
int cf_read_fd_wait(int fd, const char *name, const char *what, size_t max,
		    int wait_ms, char **buf, size_t *len, struct cf_error *err);
int cf_read_path_wait(const char *path, const char *what, size_t max,
		      int wait_ms, char **buf, size_t *len,
		      struct cf_error *err);
/* Reads a small text file (procfs, cgroupfs, sysctl) NUL-terminated into
 * buf (size bytes; a longer file is cut); no allocation. Returns the
 * length read or -errno. */
ssize_t cf_read_small(const char *path, char *buf, size_t size);

#endif
