/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sys_weights.c - how often common syscalls are called, by name, for the
 * code generator's weighted search (bpf_gen.c): frequent numbers get short
 * paths. Hand-kept from the recorded mix in bench/mix.tsv (a compile, a
 * Python import, tar, sqlite on x86_64; count / 10, at least 1), plus the
 * 32-bit ABIs' names for the same calls (fstatat64, fcntl64, mmap2,
 * _llseek) with the same weights. Names apply to every ABI that has them;
 * a name missing here weighs nothing beyond the generator's base weight.
 */
#include "base.h"
#include "bpf_gen.h"

const struct cf_sys_weight cf_sys_weights[] = {
    {"newfstatat", 282}, {"pwrite64", 226},
    {"fcntl", 187},	 {"readlink", 149},
    {"openat", 128},	 {"close", 89},
    {"fdatasync", 81},	 {"read", 61},
    {"pread64", 43},	 {"lseek", 33},
    {"mmap", 32},	 {"geteuid", 21},
    {"getpid", 21},	 {"unlink", 20},
    {"fchown", 20},	 {"rt_sigaction", 20},
    {"ioctl", 17},	 {"brk", 13},
    {"getdents64", 9},	 {"getcwd", 8},
    {"mprotect", 7},	 {"write", 5},
    {"access", 5},	 {"munmap", 2},
    {"execve", 2},	 {"prlimit64", 2},
    {"futex", 2},	 {"rt_sigprocmask", 2},
    {"getrandom", 1},	 {"set_robust_list", 1},
    {"wait4", 1},	 {"arch_prctl", 1},
    {"rseq", 1},	 {"set_tid_address", 1},
    {"getegid", 1},	 {"getgid", 1},
    {"getuid", 1},	 {"vfork", 1},
    {"getppid", 1},	 {"rt_sigreturn", 1},
    {"sysinfo", 1},	 {"connect", 1},
    {"socket", 1},	 {"gettid", 1},
    {"pipe2", 1},	 {"dup", 1},
    {"statfs", 1},	 {"clone", 1},
    {"creat", 1},	 {"epoll_create1", 1},
    {"faccessat2", 1},	 {"getrusage", 1},
    {"mremap", 1},	 {"fstatat64", 282},
    {"fcntl64", 187},	 {"mmap2", 32},
    {"_llseek", 33},
};

const size_t cf_nsys_weights = CF_ARRAY_SIZE(cf_sys_weights);
