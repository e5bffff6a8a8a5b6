/* SPDX-License-Identifier: Apache-2.0 */
/* Files, directories and processes for the tests that run commands
 * (tfiles.h). */
#include "tfiles.h"

#include "t.h"

#include "callfence.h"

#include <dirent.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <fcntl.h>
#include <grp.h>
#include <ftw.h>
#include <libgen.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char *t_slurp(const char *path)
{
	static char bufs[2][1 << 16];
	static int i;
	char *buf = bufs[i++ & 1];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, off = 0;

	buf[0] = 0;
	if (fd < 0)
		return buf;
	while ((n = read(fd, buf + off, sizeof(bufs[0]) - 1 - (size_t)off)) > 0)
		off += n;
	close(fd);
	buf[off] = 0;
	return buf;
}

bool t_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

char *t_read_all(const char *path)
{
	struct cf_error err;
	char *buf = NULL;
	size_t len;

	if (cf_read_path(path, &buf, &len, &err) < 0)
		return strdup("");
	return buf;
}

char *t_join(const char *dir, const char *name)
{
	static char bufs[8][4200];
	static int i;
	char *b = bufs[i++ & 7];

	snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name);
	return b;
}

static int remove_one(const char *p, const struct stat *st, int type,
		      struct FTW *f)
{
	(void)st;
	(void)type;
	(void)f;
	return remove(p);
}

static void remove_tree(const char *dir)
{
	if (dir[0])
		nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* the callers' slots, emptied when the test binary exits */
static struct t_dir *slots[16];

__attribute__((destructor)) static void remove_last_dirs(void)
{
	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		if (slots[i])
			remove_tree(slots[i]->path);
}

static void remember(struct t_dir *slot)
{
	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		if (slots[i] == slot || !slots[i]) {
			slots[i] = slot;
			return;
		}
}

const char *t_fresh_dir(struct t_dir *slot, const char *tag)
{
	remove_tree(slot->path);
	remember(slot);
	snprintf(slot->path, sizeof(slot->path), "/tmp/cf-%s-XXXXXX", tag);
	if (!mkdtemp(slot->path) || chmod(slot->path, 0777) < 0) {
		slot->path[0] = 0;
		return NULL;
	}
	return slot->path;
}

const char *t_run_helper(const char *prog)
{
	static char bufs[4][4200];
	static int i;
	char bin[4096], *b = bufs[i++ & 3];

	snprintf(bin, sizeof(bin), "%s", t_callfence_bin());
	snprintf(b, sizeof(bufs[0]), "%s/tests/run/%s", dirname(bin), prog);
	return b;
}

bool t_need_root(void)
{
	if (geteuid() == 0)
		return true;
	t_skip("needs root");
	return false;
}

bool t_wait_for(const char *path)
{
	const struct timespec ms = {0, 10 * 1000 * 1000};

	for (int i = 0; i < 1000; i++) {
		if (t_exists(path))
			return true;
		nanosleep(&ms, NULL);
	}
	return false;
}

char t_proc_state(pid_t pid, const char *want)
{
	const struct timespec ms = {0, 10 * 1000 * 1000};
	char path[64], st = '?';

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 1000; i++) {
		const char *p = strrchr(t_slurp(path), ')');

		st = p && p[1] ? p[2] : '?';
		if (strchr(want, st))
			return st;
		nanosleep(&ms, NULL);
	}
	return st;
}

bool t_proc_dead(pid_t pid)
{
	return strchr("ZX?", t_proc_state(pid, "ZX?")) != NULL;
}

bool t_no_cgroup_left(pid_t pid)
{
	const char *dirs[] = {"/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified",
			      "/sys/fs/cgroup"};
	char prefix[64];
	bool none = true;

	snprintf(prefix, sizeof(prefix), "callfence.%d.", (int)pid);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;

		while (d && (e = readdir(d)))
			none &= strncmp(e->d_name, prefix, strlen(prefix)) != 0;
		if (d)
			closedir(d);
	}
	return none;
}

void t_callfence(struct t_out *o, const char *const *args)
{
	const char *argv[32] = {t_callfence_bin()};
	int n = 1, pipefd[2], status;
	size_t len = 0;
	pid_t pid;

	while (n < 31 && args[n - 1])
		argv[n] = args[n - 1], n++;
	argv[n] = NULL;
	o->status = -1;
	o->text[0] = 0;
	if (pipe2(pipefd, O_CLOEXEC))
		return;
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		execv(argv[0], (char *const *)argv);
		_exit(126);
	}
	close(pipefd[1]);
	for (ssize_t r; (r = read(pipefd[0], o->text + len,
				  sizeof(o->text) - 1 - len)) > 0;)
		len += (size_t)r;
	o->text[len] = 0;
	close(pipefd[0]);
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		o->status = WEXITSTATUS(status);
}

/* In the child: out and out.err as stdout and stderr, then how. */
static void spawn_child(const char *out, const struct t_spawn *how, char **argv)
{
	char err[4200];
	int fd, fe;

	snprintf(err, sizeof(err), "%s.err", out);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || fe < 0 || dup2(fd, 1) < 0 || dup2(fe, 2) < 0)
		_exit(99);
	if (how && how->uid &&
	    (setgroups(0, NULL) || setresgid(how->uid, how->uid, how->uid) ||
	     setresuid(how->uid, how->uid, how->uid)))
		_exit(98);
	if (how && how->own_group)
		setpgid(0, 0);
	if (how && how->setup)
		how->setup();
	execv(argv[0], argv);
	_exit(97);
}

pid_t t_spawn_run(const char *out, const struct t_spawn *how,
		  const char *const *args)
{
	char *argv[64];
	size_t n = 0;
	pid_t pid;

	argv[n++] = (char *)t_callfence_bin();
	argv[n++] = (char *)"run";
	while (*args && n < 62)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		spawn_child(out, how, argv);
	return pid;
}

int t_reap_run(pid_t pid)
{
	int ws = 0;

	if (pid < 0 || waitpid(pid, &ws, 0) != pid)
		return -1;
	return cf_run_exit_code(ws);
}

size_t t_prog_listed(struct sock_filter *p, const int *nrs, size_t n,
		     uint32_t listed, uint32_t rest)
{
	size_t i = 0;

	p[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4);
	p[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					      AUDIT_ARCH_X86_64, 1, 0);
	p[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
					      SECCOMP_RET_KILL_PROCESS);
	p[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0);
	for (size_t k = 0; k < n; k++)
		p[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						      (uint32_t)nrs[k],
						      (uint8_t)(n - k), 0);
	p[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, rest);
	p[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, listed);
	return i;
}
