/* SPDX-License-Identifier: Apache-2.0 */
/* cf_version: the version of the library that is loaded, as opposed to
 * CF_VERSION_*, the version of the header a program was compiled with. */
#include "callfence.h"

#define CF_STR_(x) #x
#define CF_STR(x) CF_STR_(x)

static const char version[] = CF_STR(CF_VERSION_MAJOR) "." CF_STR(
    CF_VERSION_MINOR) "." CF_STR(CF_VERSION_PATCH);

const char *cf_version(unsigned *num)
{
	if (num)
		*num = CF_VERSION;
	return version;
}
