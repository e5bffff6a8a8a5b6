/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_compile.c - callfence compile: profile -> BPF program file. */
#include "cli.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char compile_usage[] =
	"usage: callfence compile [--native ARCH] [--caps SPEC] [--kernel X.Y]\n"
	"                         [--enosys=runc|none] [--format raw|c|hex]\n"
	"                         [--strict] PROFILE -o FILE\n"
	"PROFILE is a Docker/OCI profile or 'builtin'. A rejected profile\n"
	"writes nothing; a profile that means unconfined writes an empty file.\n";

static const struct option compile_opts[] = {
	{ "native", required_argument, NULL, CLI_OPT_NATIVE },
	{ "caps", required_argument, NULL, CLI_OPT_CAPS },
	{ "kernel", required_argument, NULL, CLI_OPT_KERNEL },
	{ "enosys", required_argument, NULL, CLI_OPT_ENOSYS },
	{ "ignore", required_argument, NULL, CLI_OPT_IGNORE },
	{ "strict", no_argument, NULL, CLI_OPT_STRICT },
	{ "format", required_argument, NULL, CLI_OPT_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_format(const char *s, enum cf_bpf_format *out)
{
	static const char *const names[] = { "raw", "c", "hex" };

	for (size_t i = 0; i < 3; i++) {
		if (!strcmp(s, names[i])) {
			*out = (enum cf_bpf_format)i;
			return 0;
		}
	}
	cli_errorf("unknown format '%s' (raw, c or hex)", s);
	return -1;
}

/* Writes into a temporary file beside path, renamed over it at the end:
 * a failure leaves nothing behind. */
static int write_output(const char *path, const struct sock_filter *insns,
			size_t len, enum cf_bpf_format fmt)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + 16);
	struct cf_error err;
	FILE *f;
	int fd, rc = 0;

	if (!tmp)
		return -1;
	snprintf(tmp, n + 16, "%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		cli_errorf("cannot create '%s': %m", tmp);
		if (fd >= 0)
			close(fd);
		free(tmp);
		return -1;
	}
	if (len && cf_bpf_write(insns, len, fmt, f, &err)) {
		cli_error(&err);
		rc = -1;
	}
	if (fclose(f) && !rc) {
		cli_errorf("cannot write '%s': %m", path);
		rc = -1;
	}
	if (!rc && rename(tmp, path)) {
		cli_errorf("cannot rename to '%s': %m", path);
		rc = -1;
	}
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

int cmd_compile(int argc, char **argv)
{
	enum cf_bpf_format fmt = CF_BPF_RAW;
	const char *out = NULL;
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_target t;
	struct cf_error err;
	const struct sock_filter *insns = NULL;
	size_t len = 0;
	int opt, rc = CLI_FAIL;

	if (cli_target_init(&t))
		return CLI_FAIL;
	optind = 1;
	while ((opt = cli_getopt(argc, argv, "o:h", compile_opts, NULL)) >= 0) {
		int r = cli_target_opt(&t, opt, optarg);

		if (r < 0)
			return CLI_USAGE;
		if (r)
			continue;
		if (opt == 'o') {
			out = optarg;
		} else if (opt == CLI_OPT_FORMAT) {
			if (parse_format(optarg, &fmt))
				return CLI_USAGE;
		} else if (opt == 'h') {
			fputs(compile_usage, stdout);
			return CLI_OK;
		} else {
			fputs(compile_usage, stderr);
			return CLI_USAGE;
		}
	}
	if (optind != argc - 1 || !out) {
		cli_errorf("compile needs one PROFILE and -o FILE");
		fputs(compile_usage, stderr);
		return CLI_USAGE;
	}
	if (cli_load_profile(argv[optind], &p))
		return CLI_FAIL;
	if (cf_compile(p, &t, &f, &err)) {
		cli_error(&err);
		goto out;
	}
	if (cf_filter_unconfined(f))
		cli_errorf("warning: '%s' means unconfined (no filter): "
			   "writing an empty file",
			   argv[optind]);
	else
		insns = cf_filter_program(f, &len);
	if (!write_output(out, insns, len, fmt))
		rc = CLI_OK;
out:
	cf_filter_free(f);
	cf_profile_free(p);
	return rc;
}
