/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run_user.c - `callfence run --user/--group-add`: who the command runs as,
 * decided the way `docker run` decides it from the image's /etc/passwd and
 * /etc/group (callfence: the host's), read as plain files (no NSS):
 *
 *   ""            the first passwd entry with uid 0 (root), else 0:0
 *   NAME, UID     the first entry with that name (a number is always a
 *                 uid); its gid and home; its supplementary groups are the
 *                 group entries that list its name. A uid without an entry
 *                 runs as UID:0 with no other groups; a name without one
 *                 is an error
 *   U:GROUP       GROUP by name (first entry) or number (always a gid, in
 *                 /etc/group or not); no supplementary groups from U
 *   --group-add   names (must exist) or numbers, each added once
 *
 * The groups handed to setgroups are the primary gid, then the
 * supplementary groups, then the --group-add ones, as moby's getUser builds
 * them, each once: runc up to 1.2 (Docker 20.10 here) passes that list
 * through a set, later runc keeps repeats (the same set of groups). HOME is the
 * home of the first entry with the final uid, "/" when there is none (runc's
 * rule when the environment has no HOME). Numbers are decimal in 0..2^31-1
 * (Go's Atoi: an optional sign). Stricter than Docker, which reads an
 * unparsable number in the files as 0 and ignores a second ':' in --user: such
 * entries are skipped, such specs refused.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define RU_MAX_ID 0x7fffffffL
#define RU_MAX_FIELDS 8

/* Go's strconv.Atoi over the whole string: 1 a number in range, 0 not a
 * number (a name), -1 a number out of range (Docker refuses it). */
static int ru_number(const char *s, long *out)
{
	const char *p = s + (*s == '+' || *s == '-');
	bool neg = *s == '-';
	long v = 0;

	if (!*p)
		return 0;
	for (const char *q = p; *q; q++)
		if (*q < '0' || *q > '9')
			return 0;
	for (; *p; p++) {
		if (v > RU_MAX_ID)
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (neg && v)
		return -1;
	if (v > RU_MAX_ID)
		return -1;
	*out = v;
	return 1;
}

/* A field of a file: digits only, in range. */
static bool ru_field_id(const char *s, long *out)
{
	return *s >= '0' && *s <= '9' && ru_number(s, out) == 1;
}

struct ru_line {
	char *buf;
	char *f[RU_MAX_FIELDS];
	size_t n;
};

/* Next non-blank line of f split at ':' (Go's TrimSpace first; '#'
 * comments skipped where comments is set). 0 at EOF. */
static int ru_next(FILE *f, bool comments, struct ru_line *l, size_t *cap)
{
	ssize_t len;

	while ((len = getline(&l->buf, cap, f)) >= 0) {
		char *s = l->buf, *e = s + len;

		while (s < e && strchr(" \t\n\v\f\r", *s))
			s++;
		while (e > s && strchr(" \t\n\v\f\r", e[-1]))
			e--;
		*e = 0;
		if (s == e || (comments && *s == '#'))
			continue;
		l->n = 0;
		for (;;) {
			char *c = strchr(s, ':');

			if (l->n < RU_MAX_FIELDS)
				l->f[l->n++] = s;
			if (!c)
				break;
			*c = 0;
			s = c + 1;
		}
		for (size_t i = l->n; i < RU_MAX_FIELDS; i++)
			l->f[i] = (char *)"";
		return 1;
	}
	return 0;
}

static int ru_add(struct cli_run_user *u, size_t *cap, long gid)
{
	if (u->ngroups == *cap) {
		size_t n = *cap ? *cap * 2 : 16;
		uint32_t *g =
		    n <= 65536 ? realloc(u->groups, n * sizeof(*g)) : NULL;

		if (!g) {
			cli_errorf("too many groups (at most 65536)");
			return -1;
		}
		u->groups = g;
		*cap = n;
	}
	u->groups[u->ngroups++] = (uint32_t)gid;
	return 0;
}

/* The passwd entry: by name, by uid (numeric spec), or uid 0 (no spec). */
struct ru_pw {
	bool found;
	char name[256], home[4096];
	long uid, gid;
};

static void ru_find_user(const char *path, const char *arg, long id,
			 int numeric, struct ru_pw *pw)
{
	FILE *f = fopen(path, "re");
	struct ru_line l = {0};
	size_t cap = 0;
	long uid, gid;

	memset(pw, 0, sizeof(*pw));
	while (f && ru_next(f, false, &l, &cap)) {
		if (!ru_field_id(l.f[2], &uid) || !ru_field_id(l.f[3], &gid))
			continue;
		if (!*arg || numeric ? uid != id : strcmp(l.f[0], arg))
			continue;
		pw->found = true;
		pw->uid = uid;
		pw->gid = gid;
		snprintf(pw->name, sizeof(pw->name), "%s", l.f[0]);
		snprintf(pw->home, sizeof(pw->home), "%s", l.f[5]);
		break;
	}
	free(l.buf);
	if (f)
		fclose(f);
}

static bool ru_listed(char *list, const char *name)
{
	for (char *s = list, *c;; s = c + 1) {
		c = strchr(s, ',');
		if (c)
			*c = 0;
		if (*list && !strcmp(s, name))
			return true;
		if (!c)
			return false;
	}
}

/* The explicit group (first entry by name, or the number), or the groups
 * that list name (the implicit form). */
static int ru_groups(const char *path, const char *garg, long gid_arg,
		     int gnumeric, const char *name, struct cli_run_user *u,
		     size_t *cap)
{
	FILE *f = fopen(path, "re");
	struct ru_line l = {0};
	size_t lcap = 0;
	bool found = false;
	long gid;
	int rc = 0;

	while (f && rc == 0 && ru_next(f, true, &l, &lcap)) {
		if (!ru_field_id(l.f[2], &gid))
			continue;
		if (*garg) {
			if (gnumeric ? gid != gid_arg : strcmp(l.f[0], garg))
				continue;
			u->gid = (uint32_t)gid;
			found = true;
			break;
		}
		if (*name && ru_listed(l.f[3], name))
			rc = ru_add(u, cap, gid);
	}
	free(l.buf);
	if (f)
		fclose(f);
	if (rc == 0 && *garg && !found) {
		if (!gnumeric) {
			cli_errorf(
			    "unable to find group %s: no matching entries "
			    "in group file %s",
			    garg, path);
			return -1;
		}
		u->gid = (uint32_t)gid_arg;
	}
	return rc;
}

/* --group-add: each by name (must exist) or number. */
static int ru_group_add(const char *path, const char *const *add, size_t nadd,
			struct cli_run_user *u, size_t *cap)
{
	for (size_t i = 0; i < nadd; i++) {
		FILE *f;
		struct ru_line l = {0};
		size_t lcap = 0;
		long id = 0, gid, want = -1;
		int num = ru_number(add[i], &id);

		if (num < 0) {
			cli_errorf(
			    "invalid --group-add '%s': uids and gids must "
			    "be in range 0-2147483647",
			    add[i]);
			return -1;
		}
		f = fopen(path, "re");
		while (f && ru_next(f, true, &l, &lcap)) {
			if (!ru_field_id(l.f[2], &gid))
				continue;
			if (num ? gid == id : !strcmp(l.f[0], add[i])) {
				want = gid;
				break;
			}
		}
		free(l.buf);
		if (f)
			fclose(f);
		if (want < 0 && !num) {
			cli_errorf(
			    "unable to find group %s: no matching entries "
			    "in group file %s (--group-add)",
			    add[i], path);
			return -1;
		}
		if (ru_add(u, cap, want < 0 ? id : want) < 0)
			return -1;
	}
	return 0;
}

/* Each group once, the first occurrence kept. */
static void ru_unique(struct cli_run_user *u)
{
	size_t n = 0;

	for (size_t i = 0; i < u->ngroups; i++) {
		size_t k = 0;

		while (k < n && u->groups[k] != u->groups[i])
			k++;
		if (k == n)
			u->groups[n++] = u->groups[i];
	}
	u->ngroups = n;
}

int cli_run_user(const char *spec, const char *const *add, size_t nadd,
		 const char *passwd, const char *group, struct cli_run_user *u)
{
	char uarg[256], garg[256];
	const char *colon = strchr(spec, ':');
	size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
	long uid_arg = 0, gid_arg = 0;
	int unum, gnum;
	size_t cap = 0;
	struct ru_pw pw;

	memset(u, 0, sizeof(*u));
	if (colon && strchr(colon + 1, ':')) {
		cli_errorf(
		    "invalid --user '%s': expected USER[:GROUP] (one ':')",
		    spec);
		return -1;
	}
	if (ulen >= sizeof(uarg) ||
	    (colon && strlen(colon + 1) >= sizeof(garg))) {
		cli_errorf("invalid --user '%s': too long", spec);
		return -1;
	}
	memcpy(uarg, spec, ulen);
	uarg[ulen] = 0;
	snprintf(garg, sizeof(garg), "%s", colon ? colon + 1 : "");
	unum = ru_number(uarg, &uid_arg);
	gnum = ru_number(garg, &gid_arg);
	if (unum < 0 || gnum < 0) {
		cli_errorf(
		    "invalid --user '%s': uids and gids must be in range "
		    "0-2147483647",
		    spec);
		return -1;
	}
	ru_find_user(passwd, uarg, uid_arg, unum, &pw);
	if (!pw.found && *uarg && !unum) {
		cli_errorf(
		    "unable to find user %s: no matching entries in passwd "
		    "file %s",
		    uarg, passwd);
		return -1;
	}
	u->uid = (uint32_t)(pw.found ? pw.uid : uid_arg);
	u->gid = (uint32_t)(pw.found ? pw.gid : 0);
	if (ru_add(u, &cap, 0) < 0) /* the primary gid, filled in below */
		goto fail;
	if ((*garg || pw.found) &&
	    ru_groups(group, garg, gid_arg, gnum, pw.name, u, &cap) < 0)
		goto fail;
	u->groups[0] = u->gid;
	if (ru_group_add(group, add, nadd, u, &cap) < 0)
		goto fail;
	ru_unique(u);
	u->home = cli_run_home(u->uid, passwd);
	if (u->home)
		return 0;
	cli_errorf("out of memory");
fail:
	cli_run_user_free(u);
	return -1;
}

char *cli_run_home(uint32_t uid, const char *passwd)
{
	struct ru_pw pw;

	ru_find_user(passwd, "0", uid, 1, &pw);
	return strdup(pw.found ? pw.home : "/");
}

void cli_run_user_free(struct cli_run_user *u)
{
	free(u->groups);
	free(u->home);
	memset(u, 0, sizeof(*u));
}
