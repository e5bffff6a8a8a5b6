/* SPDX-License-Identifier: Apache-2.0 */
/*
 * input.h - reading files, beside the whole-input readers of
 * include/callfence.h (cf_read_path, cf_read_fd): input.c holds every
 * file reader of the library.
 */
#ifndef CF_INPUT_H
#define CF_INPUT_H

#include <stddef.h>
#include <sys/types.h>

/* Reads a small text file (procfs, cgroupfs, sysctl) NUL-terminated into
 * buf (size bytes; a longer file is cut); no allocation. Returns the
 * length read or -errno. */
ssize_t cf_read_small(const char *path, char *buf, size_t size);

#endif
