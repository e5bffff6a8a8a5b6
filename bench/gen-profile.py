#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Synthetic seccomp profiles for `make bench`: N rules with argument
conditions over x86_64, x86 and x32, shaped like what a recorder writes for a
real service (one syscall per rule, equality on request codes and flags,
masks on flag words, a few ranges), with a fixed seed so every run and every
machine compiles the same text.

    bench/gen-profile.py N [SEED] > profile.json
"""
import json
import random
import sys

# (name, argument index, kind): syscalls that exist on all three ABIs, with
# the argument a recorder would pin down and the kind of values it sees.
SHAPES = [
    ("ioctl", 1, "code"), ("fcntl", 1, "small"), ("openat", 2, "flags"),
    ("socket", 0, "small"), ("setsockopt", 2, "small"),
    ("getsockopt", 2, "small"), ("prctl", 0, "small"), ("mmap", 2, "flags"),
    ("mprotect", 2, "flags"), ("madvise", 2, "small"), ("futex", 1, "small"),
    ("clone", 0, "flags"), ("personality", 0, "code"), ("kill", 1, "small"),
    ("tgkill", 2, "small"), ("rt_sigaction", 0, "small"),
    ("rt_sigprocmask", 0, "small"), ("lseek", 2, "small"),
    ("fadvise64", 3, "small"), ("flock", 1, "small"), ("dup3", 2, "flags"),
    ("pipe2", 1, "flags"), ("eventfd2", 1, "flags"), ("accept4", 3, "flags"),
    ("sendmsg", 2, "flags"), ("recvmsg", 2, "flags"), ("sendto", 3, "flags"),
    ("recvfrom", 3, "flags"), ("shutdown", 1, "small"),
    ("epoll_ctl", 1, "small"), ("timerfd_create", 0, "small"),
    ("clock_gettime", 0, "small"), ("clock_nanosleep", 1, "flags"),
    ("getrandom", 2, "flags"), ("memfd_create", 1, "flags"),
    ("inotify_add_watch", 2, "flags"), ("unshare", 0, "flags"),
    ("setns", 1, "flags"), ("mount", 3, "flags"), ("umount2", 1, "flags"),
    ("faccessat", 2, "flags"), ("fchmodat", 2, "code"),
    ("fchownat", 4, "flags"), ("renameat2", 4, "flags"),
    ("unlinkat", 2, "flags"), ("mkdirat", 2, "code"),
    ("statx", 2, "flags"), ("newfstatat", 3, "flags"),
    ("sched_setscheduler", 1, "small"), ("setpriority", 0, "small"),
    ("getpriority", 0, "small"), ("prlimit64", 1, "small"),
    ("waitid", 0, "small"), ("wait4", 2, "flags"), ("msync", 2, "flags"),
    ("mlock2", 2, "flags"), ("keyctl", 0, "small"), ("bpf", 0, "small"),
    ("perf_event_open", 4, "flags"), ("seccomp", 0, "small"),
]
OPS = (["SCMP_CMP_EQ"] * 12 + ["SCMP_CMP_MASKED_EQ"] * 4 +
       ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_GE",
        "SCMP_CMP_GT"])


def value(rng, kind):
    if kind == "code":
        return rng.choice([0x5401, 0x5413, 0x541B, 0x8912, 0xC0186201,
                           0x40086602]) + rng.randrange(64)
    if kind == "flags":
        return rng.randrange(1 << rng.choice([4, 8, 12, 20, 31]))
    return rng.randrange(64)


def condition(rng, index, kind):
    op = rng.choice(OPS)
    arg = {"index": index, "value": value(rng, kind), "op": op}
    if op == "SCMP_CMP_MASKED_EQ":
        arg["valueTwo"] = arg["value"] & rng.randrange(1 << 16)
    return arg


def rule(rng):
    name, index, kind = rng.choice(SHAPES)
    args = [condition(rng, index, kind)]
    if rng.random() < 0.3:  # a second condition on another argument
        other = (index + 1 + rng.randrange(5)) % 6
        args.append(condition(rng, other, "small"))
    # Only ALLOW, as a recorder writes: libseccomp 2.5.4 rejects (EEXIST)
    # overlapping range rules of one syscall whose actions differ.
    return {"names": [name], "action": "SCMP_ACT_ALLOW", "args": args}


def profile(n, seed):
    rng = random.Random(seed)
    return {
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": 1,
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
                          "SCMP_ARCH_X32"],
        "syscalls": rules(rng, n),
    }


def rules(rng, n):
    """n rules, no two with the same syscall and conditions."""
    seen, out = set(), []
    while len(out) < n:
        r = rule(rng)
        key = (r["names"][0], json.dumps(r["args"], sort_keys=True))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def main():
    n = int(sys.argv[1])
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    json.dump(profile(n, seed), sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
