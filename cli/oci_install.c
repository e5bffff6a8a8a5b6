/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oci_install.c - the hooks.d file (format 1.0.0, read by Podman and
 * CRI-O; see oci-hooks(5)) that runs `callfence oci-hook` for containers
 * carrying the annotation io.callfence.record: at createRuntime (the
 * runtime has made the container's namespaces, before pivot_root and
 * before its seccomp filter is installed) and at poststop (the container
 * has ended). The annotation's value is matched by ".*" so that a bad
 * value reaches the hook, which refuses it with a message, rather than
 * being skipped in silence.
 */
#include "oci_hook.h"

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *oci_install_json(const char *prog, const char *recorder)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fputs("{\n  \"version\": \"1.0.0\",\n  \"hook\": {\n    \"path\": ", f);
	cli_json_fstr(f, prog);
	fputs(",\n    \"args\": [\"callfence\", \"oci-hook\"", f);
	if (recorder) {
		fputs(", \"--recorder\", ", f);
		cli_json_fstr(f, recorder);
	}
	fputs("]\n  },\n"
	      "  \"when\": {\n    \"annotations\": {\n"
	      "      \"^io\\\\.callfence\\\\.record$\": \".*\"\n    }\n  },\n"
	      "  \"stages\": [\"createRuntime\", \"poststop\"]\n}\n",
	      f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* mkdir -p, 0755. */
static int oi_mkdirs(const char *dir)
{
	char buf[4096];
	size_t n = strlen(dir);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, n + 1);
	for (char *c = buf + 1; *c; c++) {
		if (*c != '/')
			continue;
		*c = 0;
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*c = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* The file's text when it exists (malloc'd), else NULL. */
static char *oi_read(const char *path)
{
	FILE *f = fopen(path, "re");
	char *text;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || n > 65536 ||
	    fseek(f, 0, SEEK_SET) < 0 || !(text = malloc((size_t)n + 1))) {
		fclose(f);
		return NULL;
	}
	text[fread(text, 1, (size_t)n, f)] = 0;
	fclose(f);
	return text;
}

static char *oi_file(const char *dir)
{
	char *path;

	if (asprintf(&path, "%s/%s", dir, OCI_HOOK_FILE) < 0)
		return NULL;
	return path;
}

static int oi_write(const char *dir, const char *file, const char *text)
{
	char *tmp;
	FILE *f;
	int fd, rc = 0;

	if (asprintf(&tmp, "%s/.%s.XXXXXX", dir, OCI_HOOK_FILE) < 0)
		return -ENOMEM;
	fd = mkstemp(tmp);
	if (fd < 0 || fchmod(fd, 0644) < 0 || !(f = fdopen(fd, "w"))) {
		rc = -errno;
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return rc;
	}
	if (fputs(text, f) < 0 || fclose(f) != 0 || rename(tmp, file) < 0) {
		rc = -errno;
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

int oci_install(const char *dir, const char *prog, const char *recorder,
		bool *changed)
{
	char *text = oci_install_json(prog, recorder), *file = oi_file(dir),
	     *old;
	int rc;

	*changed = false;
	if (!text || !file) {
		free(text);
		free(file);
		cli_errorf("oci-hook --install: out of memory");
		return -1;
	}
	old = oi_read(file);
	rc = old && !strcmp(old, text) ? 0 : oi_mkdirs(dir);
	if (rc == 0 && !(old && !strcmp(old, text))) {
		rc = oi_write(dir, file, text);
		*changed = rc == 0;
	}
	if (rc < 0)
		cli_errorf("oci-hook --install: cannot write '%s': %s", file,
			   strerror(-rc));
	free(old);
	free(text);
	free(file);
	return rc < 0 ? -1 : 0;
}

int oci_uninstall(const char *dir, bool *changed)
{
	char *file = oi_file(dir);
	int rc = 0;

	*changed = false;
	if (!file) {
		cli_errorf("oci-hook --uninstall: out of memory");
		return -1;
	}
	if (unlink(file) == 0)
		*changed = true;
	else if (errno != ENOENT)
		rc = -errno;
	if (rc < 0)
		cli_errorf("oci-hook --uninstall: cannot remove '%s': %s", file,
			   strerror(-rc));
	free(file);
	return rc < 0 ? -1 : 0;
}
