/* SPDX-License-Identifier: Apache-2.0 */
/* input.h - whole inputs: a file or descriptor read with a size cap and
 * a wait for a FIFO's writer (input.c). */
#ifndef CF_INPUT_H
#define CF_INPUT_H

#include "base.h"

/* what names the contents in messages ("profile"). */
int cf_read_fd_wait(int fd, const char *name, const char *what, size_t max,
		    int wait_ms, char **buf, size_t *len, struct cf_error *err);
int cf_read_path_wait(const char *path, const char *what, size_t max,
		      int wait_ms, char **buf, size_t *len,
		      struct cf_error *err);

#endif
