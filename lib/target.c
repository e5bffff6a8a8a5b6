/* SPDX-License-Identifier: Apache-2.0 */
/* target.c - what a profile is resolved against: ABI, caps, kernel. */
#include "base.h"

#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

static int parse_version(const char *s, uint32_t *out, int *parts)
{
	unsigned long v[3] = {0};
	int n = 0;

	while (n < 3) {
		char *end;

		if (*s < '0' || *s > '9')
			return -1;
		v[n++] = strtoul(s, &end, 10);
		if (v[n - 1] > 0xffff)
			return -1;
		s = end;
		if (*s != '.')
			break;
		s++;
	}
	if (*s || n < 2)
		return -1;
	*out = (uint32_t)(v[0] << 16 | v[1]);
	if (parts)
		*parts = n;
	return 0;
}

int cf_kernel_parse(const char *s, uint32_t *out, struct cf_error *err)
{
	if (parse_version(s, out, NULL))
		return cf_err(err, -EINVAL,
			      "bad kernel version '%s' (expected X.Y, e.g. "
			      "'6.18')",
			      s);
	return 0;
}

static uint32_t cf_kernel_running(void)
{
	struct utsname u;
	char buf[sizeof(u.release)];
	uint32_t v;
	size_t n;

	if (uname(&u))
		return 0;
	/* "6.18.44-foo": keep the leading digits and dots */
	n = strspn(u.release, "0123456789.");
	memcpy(buf, u.release, n);
	buf[n] = 0;
	if (n && buf[n - 1] == '.')
		buf[n - 1] = 0;
	return parse_version(buf, &v, NULL) ? 0 : v;
}

int cf_target_default(struct cf_target *t, struct cf_error *err)
{
	memset(t, 0, sizeof(*t));
	t->native = cf_abi_host();
	t->caps = cf_caps_docker_default();
	t->kernel = cf_kernel_running();
	t->enosys = CF_ENOSYS_RUNC;
	if (t->native < 0)
		return cf_err(err, -ENOTSUP,
			      "this host's architecture is not supported");
	return 0;
}
