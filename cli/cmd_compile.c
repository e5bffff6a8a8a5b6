/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_compile.c - callfence compile: profile -> BPF program file. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

static const char compile_usage[] =
    "usage: callfence compile [--native ARCH] [--caps SPEC] [--kernel X.Y]\n"
    "                         [--enosys=runc|none] [--harden] [--format "
    "raw|c|hex]\n"
    "                         [--strict] [--stats [--json]] PROFILE -o FILE|-\n"
    "PROFILE is a Docker/OCI profile, 'builtin' or - (standard input).\n"
    "A rejected profile writes nothing; a profile that means unconfined\n"
    "writes an empty file. -o - writes to standard output; a device or\n"
    "FIFO is written in place. --stats prints the program's instructions\n"
    "per ABI and part, and its biggest argument bodies (to standard\n"
    "output; to standard error with -o -).\n";

static int set_format(void *out, const char *s)
{
	static const char *const names[] = {"raw", "c", "hex"};

	for (size_t i = 0; i < 3; i++) {
		if (!strcmp(s, names[i])) {
			*(enum cf_bpf_format *)out = (enum cf_bpf_format)i;
			return 0;
		}
	}
	cli_errorf("unknown format '%s' (raw, c or hex)", s);
	return -1;
}

struct compile_args {
	struct cf_target t;
	enum cf_bpf_format fmt;
	bool stats, json;
	const char *out;
};

static const struct cli_opt compile_opts[] = {
    CLI_TARGET_OPTS(struct compile_args, t),
    CLI_FLAG("harden", struct compile_args, t.harden),
    CLI_IGNORE_OPT,
    CLI_FLAG("strict", struct compile_args, t.strict),
    CLI_OPT("format", 0, CLI_VALUE, set_format, struct compile_args, fmt),
    CLI_FLAG("stats", struct compile_args, stats),
    CLI_FLAG("json", struct compile_args, json),
    CLI_STRING("output", 'o', struct compile_args, out),
    {NULL},
};

static const struct cli_cmd compile_cmd = {compile_usage, compile_opts,
					   CLI_USAGE, false};

/* Writes the program to an open stream; 0 or -1 (reported). */
static int write_stream(FILE *f, const char *name,
			const struct sock_filter *insns, size_t len,
			enum cf_bpf_format fmt)
{
	struct cf_error err;

	errno = 0;
	if (len && cf_bpf_write(insns, len, fmt, f, &err)) {
		if (err.code == -EIO && errno)
			cli_errorf("cannot write '%s': %m", name);
		else
			cli_error(&err);
		return -1;
	}
	if (fflush(f) || ferror(f)) {
		cli_errorf("cannot write '%s': %m", name);
		return -1;
	}
	return 0;
}

/* Is the link at path one of procfs's (/proc/self/fd/N, /dev/stdout's
 * target)? Those name an open file, not a path to it. */
static bool proc_link(const char *path)
{
	struct statfs sf;
	int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	bool proc =
	    fd >= 0 && !fstatfs(fd, &sf) && sf.f_type == PROC_SUPER_MAGIC;

	if (fd >= 0)
		close(fd);
	return proc;
}

/* The name a chain of symbolic links ends at (the last may dangle: then
 * the name it points to); *magic when a link of the chain is procfs's.
 * malloc'd; NULL with errno set. */
static char *follow_links(const char *path, bool *magic)
{
	char *cur = strdup(path);

	*magic = false;
	for (int hops = 0; cur; hops++) {
		char target[4096], *next, *slash;
		struct stat st;
		ssize_t n;

		if (lstat(cur, &st) || !S_ISLNK(st.st_mode))
			return cur;
		if (proc_link(cur)) {
			*magic = true;
			return cur;
		}
		n = hops < 40 ? readlink(cur, target, sizeof(target) - 1) : -1;
		if (n < 0 || (size_t)n >= sizeof(target) - 1) {
			int e =
			    hops < 40 ? (n < 0 ? errno : ENAMETOOLONG) : ELOOP;

			free(cur);
			errno = e;
			return NULL;
		}
		target[n] = 0;
		slash = strrchr(cur, '/');
		if (target[0] == '/' || !slash) {
			next = strdup(target);
		} else {
			size_t dlen = (size_t)(slash - cur) + 1;

			next = malloc(dlen + (size_t)n + 1);
			if (next) {
				memcpy(next, cur, dlen);
				memcpy(next + dlen, target, (size_t)n + 1);
			}
		}
		free(cur);
		cur = next;
	}
	errno = ENOMEM;
	return NULL;
}

/* A new file beside path, created O_EXCL with mode 0666 so that the
 * umask (and a default ACL) apply as to any new file. */
static int create_temp(const char *path, char **tmp_out)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL);

	*tmp_out = NULL;
	if (!tmp)
		return -1;
	for (int tries = 0; tries < 100; tries++) {
		int fd;

		seed = seed * 1103515245U + 12345U;
		snprintf(tmp, n, "%s.%06x", path, seed >> 8 & 0xffffff);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0 || errno != EEXIST) {
			*tmp_out = tmp;
			return fd;
		}
	}
	*tmp_out = tmp;
	errno = EEXIST;
	return -1;
}

/* A regular file (new or replaced): written to a temporary file in the
 * directory of the final name, synced, renamed over it, so a failure
 * leaves the old file as it was. A replaced file keeps its permission
 * bits and, where allowed, its owner and group. */
static int write_replace(const char *final, const struct stat *old,
			 const struct sock_filter *insns, size_t len,
			 enum cf_bpf_format fmt)
{
	char *tmp = NULL;
	int fd = create_temp(final, &tmp), rc = 0;
	FILE *f;

	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		cli_errorf("cannot create '%s': %m (the output is written "
			   "beside '%s' and renamed over it)",
			   tmp ? tmp : final, final);
		if (fd >= 0)
			close(fd);
		if (fd >= 0 && tmp)
			unlink(tmp);
		free(tmp);
		return -1;
	}
	if (old) {
		if (old->st_uid != geteuid() || old->st_gid != getegid())
			(void)!fchown(fd, old->st_uid, old->st_gid);
		if (fchmod(fd, old->st_mode & 0777)) {
			cli_errorf("cannot set the mode of '%s': %m", tmp);
			rc = -1;
		}
	}
	if (!rc)
		rc = write_stream(f, final, insns, len, fmt);
	if (!rc && fsync(fileno(f))) {
		cli_errorf("cannot write '%s': %m", final);
		rc = -1;
	}
	if (fclose(f) && !rc) {
		cli_errorf("cannot write '%s': %m", final);
		rc = -1;
	}
	if (!rc && rename(tmp, final)) {
		cli_errorf("cannot rename '%s' to '%s': %m", tmp, final);
		rc = -1;
	}
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* Anything but a regular file (a device, a FIFO, a magic /proc link)
 * is opened and written where it is: never replaced. The open does not
 * wait: a FIFO nobody reads is an error, not a hang. */
static int write_in_place(const char *path, int flags,
			  const struct sock_filter *insns, size_t len,
			  enum cf_bpf_format fmt)
{
	int fd =
	    open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK | flags);
	int e = errno, fl, rc;
	struct stat st;
	FILE *f;

	if (fd < 0) {
		if (e == ENXIO && !stat(path, &st) && S_ISFIFO(st.st_mode))
			cli_errorf("cannot write '%s': nothing reads it (start "
				   "the reader of the FIFO first)",
				   path);
		else
			cli_errorf("cannot open '%s' for writing: %s", path,
				   strerror(e));
		return -1;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) ||
	    !(f = fdopen(fd, "w"))) {
		cli_errorf("cannot open '%s' for writing: %m", path);
		close(fd);
		return -1;
	}
	rc = write_stream(f, path, insns, len, fmt);
	if (fclose(f) && !rc) {
		cli_errorf("cannot write '%s': %m", path);
		rc = -1;
	}
	return rc;
}

/* -o: "-" is standard output; symbolic links are followed; a regular
 * file (or a new one) is replaced atomically; anything else is written
 * in place. */
static int write_output(const char *path, const struct sock_filter *insns,
			size_t len, enum cf_bpf_format fmt)
{
	struct stat st, fst;
	bool magic;
	char *final;
	int rc;

	if (!strcmp(path, "-"))
		return write_stream(stdout, "standard output", insns, len, fmt);
	if (stat(path, &st)) {
		if (errno != ENOENT) {
			cli_errorf("cannot write '%s': %m", path);
			return -1;
		}
	} else if (!S_ISREG(st.st_mode)) {
		return write_in_place(path, 0, insns, len, fmt);
	}
	final = follow_links(path, &magic);
	if (!final) {
		cli_errorf("cannot follow the symbolic link '%s': %m", path);
		return -1;
	}
	if (magic) {
		/* an open file (/dev/stdout to a file): appended to, as the
		 * shell's '>' has emptied it and '>>' asks for it */
		rc = write_in_place(path, O_APPEND, insns, len, fmt);
	} else if (stat(path, &st)) {
		/* new: the name the links end at */
		rc = write_replace(final, NULL, insns, len, fmt);
	} else if (!stat(final, &fst) && fst.st_dev == st.st_dev &&
		   fst.st_ino == st.st_ino) {
		rc = write_replace(final, &st, insns, len, fmt);
	} else {
		cli_errorf("cannot write '%s': it changed while being "
			   "resolved (try again)",
			   path);
		rc = -1;
	}
	free(final);
	return rc;
}

/* ---- --stats ------------------------------------------------------------ */

#define NPARTS 4
static const char *const part_names[NPARTS] = {"arch_dispatch", "number_search",
					       "argument_code", "returns"};

struct body_size {
	int abi;
	int64_t nr;
	size_t n;
};

static int cmp_body(const void *a, const void *b)
{
	const struct body_size *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	if (x->abi != y->abi)
		return x->abi < y->abi ? -1 : 1;
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

static const char *body_name(const struct body_size *b)
{
	const char *s = cf_syscall_name(b->abi, (uint32_t)b->nr);

	return s ? s : "?";
}

static size_t row_sum(const size_t *row)
{
	size_t sum = 0;

	for (int k = 0; k < NPARTS; k++)
		sum += row[k];
	return sum;
}

/* Rows: one per ABI that has instructions, then "shared" (abi -1). */
static void print_stats(FILE *o, const struct cf_insn_part *parts, size_t len,
			bool json)
{
	int nabi = cf_abi_count();
	size_t(*cnt)[NPARTS] = calloc((size_t)nabi + 1, sizeof(*cnt));
	struct body_size *bodies = calloc(len + 1, sizeof(*bodies));
	size_t nb = 0, tot[NPARTS] = {0};
	bool first = true;

	if (!cnt || !bodies) {
		free(cnt);
		free(bodies);
		cli_errorf("out of memory");
		return;
	}
	for (size_t i = 0; i < len; i++) {
		const struct cf_insn_part *q = &parts[i];
		int row = q->abi >= 0 && q->abi < nabi ? q->abi : nabi;
		size_t b = 0;

		cnt[row][q->part % NPARTS]++;
		tot[q->part % NPARTS]++;
		if (q->nr < 0 || q->abi < 0)
			continue;
		/* a body's instructions: its argument code and returns */
		while (b < nb &&
		       (bodies[b].abi != q->abi || bodies[b].nr != q->nr))
			b++;
		if (b == nb)
			bodies[nb++] = (struct body_size){q->abi, q->nr, 0};
		bodies[b].n++;
	}
	qsort(bodies, nb, sizeof(*bodies), cmp_body);
	if (json) {
		fprintf(o, "{\"instructions\": %zu, \"parts\": {", len);
		for (int k = 0; k < NPARTS; k++)
			fprintf(o, "%s\"%s\": %zu", k ? ", " : "",
				part_names[k], tot[k]);
		fprintf(o, "}, \"abis\": [");
		for (int a = 0; a <= nabi; a++) {
			size_t sum = row_sum(cnt[a]);

			if (!sum)
				continue;
			fprintf(o, "%s{\"abi\": ", first ? "" : ", ");
			first = false;
			if (a < nabi)
				fprintf(o, "\"%s\"", cf_abi_name(a));
			else
				fprintf(o, "null");
			for (int k = 0; k < NPARTS; k++)
				fprintf(o, ", \"%s\": %zu", part_names[k],
					cnt[a][k]);
			fprintf(o, ", \"total\": %zu}", sum);
		}
		fprintf(o, "], \"bodies\": [");
		for (size_t b = 0; b < nb; b++) {
			fprintf(o, "%s{\"abi\": ", b ? ", " : "");
			fprintf(o, "\"%s\"", cf_abi_name(bodies[b].abi));
			fprintf(o, ", \"syscall\": ");
			fprintf(o, "\"%s\"", body_name(&bodies[b]));
			fprintf(o, ", \"nr\": %lld, \"instructions\": %zu}",
				(long long)bodies[b].nr, bodies[b].n);
		}
		fprintf(o, "]}\n");
	} else {
		fprintf(o, "%zu instructions\n", len);
		fprintf(o, "%-10s %8s %8s %8s %8s %8s\n", "ABI", "dispatch",
			"search", "args", "returns", "total");
		for (int a = 0; a <= nabi; a++) {
			size_t sum = row_sum(cnt[a]);

			if (!sum)
				continue;
			fprintf(o, "%-10s %8zu %8zu %8zu %8zu %8zu\n",
				a < nabi ? cf_abi_name(a) : "(shared)",
				cnt[a][0], cnt[a][1], cnt[a][2], cnt[a][3],
				sum);
		}
		fprintf(o, "%-10s %8zu %8zu %8zu %8zu %8zu\n", "total", tot[0],
			tot[1], tot[2], tot[3], len);
		if (nb)
			fprintf(o, "biggest argument bodies (code and its "
				   "returns):\n");
		for (size_t b = 0; b < nb && b < 10; b++)
			fprintf(o, "  %-8s %-20s nr %-6lld %zu\n",
				cf_abi_name(bodies[b].abi),
				body_name(&bodies[b]), (long long)bodies[b].nr,
				bodies[b].n);
	}
	free(cnt);
	free(bodies);
}

/* 0, or -1 (reported). */
static int stats(const struct cf_filter *f, const char *out, bool json)
{
	size_t len;
	struct cf_insn_part *parts;
	struct cf_error err;
	FILE *o = !strcmp(out, "-") ? stderr : stdout;

	if (cf_filter_unconfined(f)) {
		fprintf(o, json ? "{\"instructions\": 0}\n"
				: "0 instructions (unconfined)\n");
		return 0;
	}
	cf_filter_program(f, &len);
	parts = calloc(len + 1, sizeof(*parts));
	if (!parts) {
		cli_errorf("out of memory");
		return -1;
	}
	if (cf_filter_parts(f, parts, &err)) {
		cli_error(&err);
		free(parts);
		return -1;
	}
	print_stats(o, parts, len, json);
	free(parts);
	if (fflush(o) || ferror(o)) {
		cli_errorf("cannot write the statistics: %m");
		return -1;
	}
	return 0;
}

int cmd_compile(int argc, char **argv)
{
	struct compile_args a = {.fmt = CF_BPF_RAW};
	struct cli_parsed parsed;
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_error err;
	const struct sock_filter *insns = NULL;
	size_t len = 0;
	int first, rc = CLI_FAIL;

	if (cli_target_init(&a.t))
		return CLI_FAIL;
	first = cli_parse(&compile_cmd, argc, argv, &a, &parsed);
	if (first < 0)
		return parsed.status;
	if (a.json && !a.stats) {
		cli_errorf("--json goes with --stats");
		fputs(compile_usage, stderr);
		return CLI_USAGE;
	}
	if (first != argc - 1 || !a.out || !*a.out) {
		cli_errorf("compile needs one PROFILE and -o FILE");
		fputs(compile_usage, stderr);
		return CLI_USAGE;
	}
	if (cli_load_profile(argv[first], &p))
		return CLI_FAIL;
	if (cf_compile(p, &a.t, &f, &err)) {
		cli_error(&err);
		goto out;
	}
	if (cf_filter_unconfined(f))
		cli_errorf("warning: '%s' means unconfined (no filter): "
			   "writing an empty file",
			   argv[first]);
	else
		insns = cf_filter_program(f, &len);
	if (!write_output(a.out, insns, len, a.fmt) &&
	    (!a.stats || !stats(f, a.out, a.json)))
		rc = CLI_OK;
out:
	cf_filter_free(f);
	cf_profile_free(p);
	return rc;
}
