/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record_merge.h - what `callfence record` does with a profile besides
 * writing it: --append merges it exactly into the existing one
 * (record_merge.c), and the calls container runtimes make between
 * installing the filter and execve are added (record_runtime.c).
 */
#ifndef CF_CLI_RECORD_MERGE_H
#define CF_CLI_RECORD_MERGE_H

#include "callfence.h"

#include <stddef.h>

/* *json (the new recording's profile) becomes the exact union of it and
 * the profile at path, both compiled for the default target (cf_merge).
 * A missing path leaves *json alone (*merged = false). Returns 0, or -1
 * with the reason printed (nothing is to be written). */
int rec_append(const char *path, char **json, size_t *len, bool *merged);

#endif
