/* SPDX-License-Identifier: Apache-2.0 */
/* common.c - what every subcommand shares: messages, profiles, targets. */
#include "cli.h"

#include <stdarg.h>
#include <string.h>

void cli_error(const struct cf_error *err)
{
	char buf[1400];

	fprintf(stderr, "callfence: %s\n", cf_error_str(err, buf, sizeof(buf)));
}

void cli_errorf(const char *fmt, ...)
{
	va_list ap;

	fputs("callfence: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_warn_diag(void *ctx, const struct cf_diag *d)
{
	(void)ctx;
	fputs("callfence: warning: ", stderr);
	if (d->file && d->file[0]) {
		fprintf(stderr, "%s:", d->file);
		if (d->line)
			fprintf(stderr, "%u:%u:", d->line, d->col);
		fputc(' ', stderr);
	}
	if (d->pointer && d->pointer[0])
		fprintf(stderr, "%s: ", d->pointer);
	fprintf(stderr, "%s [%s]\n", d->msg, d->id);
}

void cli_json_str(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

int cli_load_profile(const char *name, struct cf_profile **out)
{
	struct cf_error err;
	int rc = strcmp(name, "builtin") ? cf_profile_load(name, out, &err)
					 : cf_profile_builtin(out, &err);

	if (rc)
		cli_error(&err);
	return rc;
}

int cli_target_init(struct cf_target *t)
{
	struct cf_error err;

	if (cf_target_default(t, &err)) {
		cli_error(&err);
		return -1;
	}
	t->diag = cli_warn_diag;
	return 0;
}

int cli_target_opt(struct cf_target *t, int opt, const char *arg)
{
	struct cf_error err;

	switch (opt) {
	case CLI_OPT_NATIVE:
		t->native = cf_abi_lookup(arg);
		if (t->native < 0 || !cf_abi_supported(t->native)) {
			cli_errorf("unknown or unsupported architecture '%s' "
				   "(e.g. x86_64, aarch64, SCMP_ARCH_X86_64)",
				   arg);
			return -1;
		}
		return 1;
	case CLI_OPT_CAPS:
		if (cf_caps_parse(arg, &t->caps, &err)) {
			cli_error(&err);
			return -1;
		}
		return 1;
	case CLI_OPT_KERNEL:
		if (cf_kernel_parse(arg, &t->kernel, &err)) {
			cli_error(&err);
			return -1;
		}
		return 1;
	case CLI_OPT_ENOSYS:
		if (!strcmp(arg, "runc")) {
			t->enosys = CF_ENOSYS_RUNC;
		} else if (!strcmp(arg, "none")) {
			t->enosys = CF_ENOSYS_NONE;
		} else {
			cli_errorf("unknown --enosys mode '%s' (runc or none; "
				   "'kernel' is not implemented yet)",
				   arg);
			return -1;
		}
		return 1;
	case CLI_OPT_STRICT:
		t->strict = true;
		return 1;
	default:
		return 0;
	}
}
