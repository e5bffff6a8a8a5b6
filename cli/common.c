/* SPDX-License-Identifier: Apache-2.0 */
/* common.c - what every subcommand shares: messages, profiles, targets,
 * output files. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --ignore IDs (check), shared by every diagnostic printer */
static const char *ignored[64];
static size_t nignored;

/* what every message starts with ("callfence run" for run) */
static const char *msg_prefix = "callfence";

void cli_set_msg_prefix(const char *prefix)
{
	msg_prefix = prefix;
}

void cli_error(const struct cf_error *err)
{
	char buf[1400];

	fprintf(stderr, "%s: %s\n", msg_prefix,
		cf_error_str(err, buf, sizeof(buf)));
}

void cli_verrorf(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", msg_prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_errorf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_verrorf(fmt, ap);
	va_end(ap);
}

bool cli_diag_ignored(const char *id)
{
	for (size_t i = 0; id && i < nignored; i++)
		if (!strcmp(ignored[i], id))
			return true;
	return false;
}

int cli_set_ignore(void *unused, const char *id)
{
	const char *ids[64];
	size_t n = 0;
	char hint[96];

	(void)unused;
	while (n < CF_ARRAY_LEN(ids) && (ids[n] = cf_diag_id(n)))
		n++;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ids[i], id)) {
			if (nignored < CF_ARRAY_LEN(ignored))
				ignored[nignored++] = ids[i];
			return 0;
		}
	cf_did_you_mean(id, ids, n, hint, sizeof(hint));
	cli_errorf("--ignore: unknown diagnostic id '%s'%s", id,
		   hint[0] ? hint : " (ids are listed in docs/errors.md)");
	return -1;
}

void cli_warn_diag(void *ctx, const struct cf_diag *d)
{
	(void)ctx;
	if (cli_diag_ignored(d->id))
		return;
	fprintf(stderr, "%s: %s: ", msg_prefix, cf_diag_class_name(d->cls));
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

int cli_profile_open(const char *name, struct cf_profile **out,
		     struct cf_error *err)
{
	if (!strcmp(name, "builtin"))
		return cf_profile_builtin(out, err);
	if (!strcmp(name, "-"))
		return cf_profile_load_fd(0, "<stdin>", out, err);
	return cf_profile_load(name, out, err);
}

void cli_json_fstr(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

void cli_json_str(const char *s)
{
	cli_json_fstr(stdout, s ? s : "");
}

int cli_load_profile(const char *name, struct cf_profile **out)
{
	struct cf_error err;
	int rc = cli_profile_open(name, out, &err);

	if (rc)
		cli_error(&err);
	return rc;
}

struct cf_filter *cli_load_filter(const char *name, const struct cf_target *t)
{
	struct cf_profile *p;
	struct cf_filter *f = NULL;
	struct cf_error err;

	if (cli_load_profile(name, &p))
		return NULL;
	if (cf_compile(p, t, &f, &err))
		cli_error(&err);
	cf_profile_free(p);
	return f;
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

int cli_set_native(void *native, const char *value)
{
	int abi = cf_abi_lookup(value);

	if (abi < 0 || !cf_abi_supported(abi)) {
		cli_errorf("unknown or unsupported architecture '%s' "
			   "(e.g. x86_64, aarch64, SCMP_ARCH_X86_64)",
			   value);
		return -1;
	}
	*(int *)native = abi;
	return 0;
}

/* err printed: -1 */
static int failed(const struct cf_error *err)
{
	cli_error(err);
	return -1;
}

int cli_set_caps(void *caps, const char *value)
{
	struct cf_error err;

	return cf_caps_parse(value, caps, &err) ? failed(&err) : 0;
}

int cli_set_kernel(void *kernel, const char *value)
{
	struct cf_error err;

	return cf_kernel_parse(value, kernel, &err) ? failed(&err) : 0;
}

int cli_set_enosys(void *enosys, const char *value)
{
	if (!strcmp(value, "runc")) {
		*(enum cf_enosys *)enosys = CF_ENOSYS_RUNC;
	} else if (!strcmp(value, "none")) {
		*(enum cf_enosys *)enosys = CF_ENOSYS_NONE;
	} else {
		cli_errorf("unknown --enosys mode '%s' (runc or none; "
			   "'kernel' is not implemented yet)",
			   value);
		return -1;
	}
	return 0;
}

int cli_two_pipes(int a[2], int b[2])
{
	int saved;

	if (pipe2(a, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(b, O_CLOEXEC) == 0)
		return 0;
	saved = errno;
	close(a[0]);
	close(a[1]);
	errno = saved;
	return -1;
}

/* A path that exists and is not a regular file (/dev/null, a FIFO, a
 * terminal) is written in place, as compile -o does: renaming over it
 * would replace the device with a file. */
int cli_write_in_place(const char *path, const char *json, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n = 0;
	size_t done = 0;
	int e;

	if (fd < 0)
		return -errno;
	while (done < len && (n = write(fd, json + done, len - done)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		done += (size_t)n;
	}
	e = done < len ? (n < 0 ? errno : EIO) : 0;
	if (close(fd) < 0 && !e && errno != EINTR)
		e = errno;
	return -e;
}

/* Writes buf to path ("-" = standard output) through a temporary file
 * renamed over it, so a failure leaves the old file; a device or FIFO is
 * written in place. */
int cli_write_out(const char *path, const char *buf, size_t len)
{
	struct stat st;
	char *tmp = NULL;
	int fd;

	if (!strcmp(path, "-")) {
		if (fwrite(buf, 1, len, stdout) != len || fflush(stdout)) {
			cli_errorf("cannot write standard output: %m");
			return -1;
		}
		return 0;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		errno = -cli_write_in_place(path, buf, len);
		if (errno)
			cli_errorf("cannot write '%s': %m", path);
		return errno ? -1 : 0;
	}
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		cli_errorf("out of memory");
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		cli_errorf("cannot create a file beside '%s': %m", path);
		free(tmp);
		return -1;
	}
	if (fchmod(fd, 0644) || write(fd, buf, len) != (ssize_t)len ||
	    fsync(fd) || close(fd) || rename(tmp, path)) {
		cli_errorf("cannot write '%s': %m", path);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}
