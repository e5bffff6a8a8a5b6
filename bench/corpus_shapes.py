# SPDX-License-Identifier: Apache-2.0
"""Profiles of the corpus that bench/corpus.py generates (fixed seeds).

Two families, both written for this project:

- lsc_shapes(): small hand-written profiles with the *shapes* that
  libseccomp's regression tests exercise (chains of conditions on one
  argument, multi-level chains across arguments, sub-trees sharing a
  prefix, masked compares, many actions, long jumps, 32-bit and all-ones
  values, socketcall/ipc multiplexed calls, deny-lists, one ABI). Their
  syscalls, values and actions are our own.
- generated(pool): recorder-like shapes at chosen sizes: value sets per
  syscall (ioctl allow-lists), rule sets shared by 1-6 syscalls, 100-300
  plain syscalls, several actions per syscall, and the 1,000-rule profile
  of issue 11 (250 plain + 50 argument-checked syscalls, ~750 value
  rules).

pool is the list of syscall names present on x86_64, x86 and x32 (from
`callfence list syscalls`), ordered by x86_64 number, restricted to the
numbers libseccomp 2.5.4 knows.

Rule counts are what libseccomp is given: one rule per (name, condition
set). Only equality conditions are mixed with different actions on one
syscall (libseccomp 2.5.4 refuses overlapping rules whose actions differ).
"""
import random

ARCH3 = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]
EPERM, EACCES, EINVAL, ENOSYS = 1, 13, 22, 38
# ioctl request codes of the kind a recorder sees (terminal, socket,
# block, loop, DRM-like encoded ones)
IOCTLS = [0x5401, 0x5402, 0x5403, 0x5404, 0x540B, 0x540F, 0x5410, 0x5413,
          0x5414, 0x541B, 0x5421, 0x5450, 0x5451, 0x8912, 0x8913, 0x8915,
          0x8921, 0x8927, 0x8933, 0x1261, 0x1268, 0x4C00, 0x4C01, 0x4C05,
          0x80045430, 0x40045431, 0xC0186201, 0x40086602, 0x80086601]


def rule(names, action="SCMP_ACT_ALLOW", args=None, errno=None):
    r = {"names": list(names), "action": action}
    if args:
        r["args"] = args
    if errno is not None:
        r["errnoRet"] = errno
    return r


def eq(index, value):
    return {"index": index, "value": value, "op": "SCMP_CMP_EQ"}


def cmp(index, op, value, value_two=None):
    a = {"index": index, "value": value, "op": "SCMP_CMP_" + op}
    if value_two is not None:
        a["valueTwo"] = value_two
    return a


def profile(rules, default="SCMP_ACT_ERRNO", errno=EPERM, arches=None):
    p = {"defaultAction": default, "architectures": arches or ARCH3,
         "syscalls": rules}
    if errno is not None and default == "SCMP_ACT_ERRNO":
        p["defaultErrnoRet"] = errno
    return p


BASE = ["read", "write", "close", "fstat", "lseek", "brk", "rt_sigreturn",
        "exit", "exit_group", "getpid", "futex", "nanosleep"]


# ---- shapes of libseccomp's regression tests (our own content) --------

def lsc_basic_chains():
    rules = [rule(BASE)]
    rules += [rule(["read"], args=[eq(0, fd)]) for fd in (0, 3, 4)]
    rules += [rule(["write"], args=[eq(0, fd)]) for fd in (1, 2)]
    rules += [rule(["openat"], args=[eq(2, f)]) for f in (0, 0x80000, 0x241)]
    return profile(rules[:1] + rules[1:])


def lsc_multilevel_chains():
    at_fdcwd = 0xffffffffffffff9c
    rules = [rule(BASE[2:]),
             rule(["openat"], args=[eq(0, at_fdcwd), cmp(2, "MASKED_EQ",
                                                          3, 0)]),
             rule(["openat"], args=[eq(0, at_fdcwd), eq(2, 0x80000),
                                    eq(3, 0)]),
             rule(["mmap"], args=[eq(0, 0), cmp(2, "MASKED_EQ", 4, 0),
                                  eq(3, 0x22), eq(4, 0xffffffffffffffff)]),
             rule(["mmap"], args=[eq(2, 3), eq(3, 0x802)]),
             rule(["read"], args=[eq(0, 0), cmp(2, "LE", 4096)]),
             rule(["write"], args=[cmp(0, "LT", 3), cmp(2, "GT", 0)]),
             rule(["setsockopt"], args=[eq(1, 1), eq(2, 2), eq(4, 4)]),
             rule(["setsockopt"], args=[eq(1, 6), eq(2, 1), eq(4, 4)])]
    return profile(rules)


def lsc_subtree_checks():
    rules = [rule(BASE)]
    for a1 in (1, 2, 5, 9):
        rules.append(rule(["fcntl"], args=[eq(0, 3), eq(1, a1)]))
    for a2 in (0, 1, 2):
        rules.append(rule(["prctl"], args=[eq(0, 0x26), eq(1, 1), eq(2, a2)]))
    rules.append(rule(["prctl"], args=[eq(0, 0x16), eq(1, 2)]))
    rules.append(rule(["prctl"], args=[eq(0, 0x0f)]))
    return profile(rules)


def lsc_masked_ops():
    rules = [rule(BASE)]
    for i, (mask, val) in enumerate([(0xff, 0x11), (0xf00, 0x100),
                                     (0x10000000, 0), (0x3, 0x1),
                                     (0xffffffff00000000, 0)]):
        rules.append(rule(["clone"], args=[cmp(0, "MASKED_EQ", mask, val)]))
        rules.append(rule(["unshare"],
                          args=[cmp(0, "MASKED_EQ", mask << i % 2, 0)]))
    rules.append(rule(["mprotect"], args=[cmp(2, "MASKED_EQ", 4, 0)]))
    rules.append(rule(["openat"], args=[cmp(2, "MASKED_EQ", 0x3, 0),
                                        cmp(3, "MASKED_EQ", 0o7000, 0)]))
    return profile(rules)


def lsc_actions():
    return profile([
        rule(BASE),
        rule(["kill"], "SCMP_ACT_ERRNO", errno=EACCES),
        rule(["tkill"], "SCMP_ACT_ERRNO", errno=EINVAL),
        rule(["ptrace"], "SCMP_ACT_KILL_PROCESS"),
        rule(["mount"], "SCMP_ACT_KILL"),
        rule(["reboot"], "SCMP_ACT_TRAP"),
        rule(["getuid", "getgid"], "SCMP_ACT_LOG"),
        rule(["uname"], "SCMP_ACT_TRACE", errno=7),
        rule(["open"], "SCMP_ACT_ERRNO", errno=ENOSYS),
        rule(["prctl"], "SCMP_ACT_ERRNO", args=[eq(0, 0x16)], errno=EACCES),
        rule(["prctl"], args=[eq(0, 0x0f)]),
        rule(["prctl"], args=[eq(0, 0x26)]),
        rule(["prctl"], "SCMP_ACT_LOG", args=[eq(0, 0x24)]),
    ], default="SCMP_ACT_KILL_PROCESS", errno=None)


def lsc_long_jumps():
    rng = random.Random(11)
    rules = [rule(BASE)]
    rules += [rule(["ioctl"], args=[eq(1, 0x5400 + i)]) for i in range(160)]
    rules += [rule(["fcntl"], args=[eq(1, i)]) for i in range(40)]
    rules += [rule(["setsockopt"], args=[eq(2, rng.randrange(64)),
                                         eq(4, 4)]) for _ in range(30)]
    return profile(rules)


def lsc_32b_args():
    rules = [rule(BASE)]
    for v in (0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000,
              0xffffffff00000000, 0xffffffffffffffff, 0x123456789abcdef0):
        rules.append(rule(["personality"], args=[eq(0, v)]))
    rules.append(rule(["lseek"], args=[cmp(1, "GE", 0x100000000)]))
    rules.append(rule(["pread64"], args=[cmp(3, "LT", 0x80000000)]))
    rules.append(rule(["fadvise64"], args=[cmp(1, "GT", 0xffffffff)]))
    return profile(rules)


def lsc_negative_one():
    minus_one = 0xffffffffffffffff
    return profile([
        rule(BASE),
        rule(["kill"], args=[eq(0, minus_one)]),
        rule(["waitid"], args=[eq(1, minus_one)]),
        rule(["wait4"], args=[eq(0, minus_one)]),
        rule(["setpriority"], args=[eq(1, 0xffffffff)]),
    ])


def lsc_socketcall():
    rules = [rule(BASE),
             rule(["socket"], args=[eq(0, 1)]),
             rule(["socket"], args=[eq(0, 2), eq(1, 1)]),
             rule(["socket"], args=[eq(0, 10), eq(1, 2)]),
             rule(["connect", "bind", "getsockname", "getpeername"]),
             rule(["sendto", "recvfrom"], args=[eq(3, 0)]),
             rule(["sendmsg", "recvmsg"], args=[cmp(2, "MASKED_EQ",
                                                    0x40, 0x40)]),
             rule(["accept4"], args=[eq(3, 0x80800)]),
             rule(["shutdown"], args=[cmp(1, "LE", 2)]),
             rule(["socketpair"], "SCMP_ACT_ERRNO", errno=EACCES)]
    return profile(rules)


def lsc_ipc():
    return profile([
        rule(BASE),
        rule(["shmget"], args=[eq(2, 0o1600)]),
        rule(["shmat", "shmdt"]),
        rule(["shmctl"], args=[eq(1, 0)]),
        rule(["semget", "semop"]),
        rule(["semctl"], args=[eq(2, 16)]),
        rule(["msgget"], args=[eq(1, 0o1600)]),
        rule(["msgsnd", "msgrcv"], args=[eq(3, 0)]),
        rule(["msgctl"], "SCMP_ACT_ERRNO", errno=EPERM),
    ])


def lsc_adv_chains():
    rules = [rule(BASE)]
    ops = ["EQ", "NE", "LT", "LE", "GT", "GE"]
    rng = random.Random(13)
    for name in ("madvise", "msync", "mlock2", "flock", "getrandom",
                 "eventfd2", "timerfd_create", "pipe2"):
        for _ in range(3):
            idx = rng.sample(range(3), 2)
            rules.append(rule([name], args=[
                cmp(i, rng.choice(ops), rng.randrange(1, 64)) for i in idx]))
    return profile(rules)


def lsc_denylist():
    return profile([
        rule(["ptrace", "kexec_load", "init_module", "finit_module",
              "delete_module", "bpf", "perf_event_open"],
             "SCMP_ACT_ERRNO", errno=EPERM),
        rule(["personality"], "SCMP_ACT_ERRNO", args=[cmp(0, "NE", 0)],
             errno=EPERM),
        rule(["socket"], "SCMP_ACT_ERRNO", args=[eq(0, 40)], errno=EACCES),
        rule(["socket"], "SCMP_ACT_ERRNO", args=[eq(0, 38)], errno=EACCES),
        rule(["clone"], "SCMP_ACT_ERRNO",
             args=[cmp(0, "MASKED_EQ", 0x10000000, 0x10000000)],
             errno=EPERM),
        rule(["reboot"], "SCMP_ACT_KILL_PROCESS"),
    ], default="SCMP_ACT_ALLOW", errno=None)


def lsc_binary_tree(pool):
    rng = random.Random(17)
    rules = [rule(pool[:40])]
    for name in pool[40:70]:
        for _ in range(rng.randrange(1, 4)):
            rules.append(rule([name], args=[eq(rng.randrange(3),
                                                rng.randrange(256))]))
    return profile(rules)


def lsc_one_abi(pool):
    return profile([rule(pool[:120])], arches=["SCMP_ARCH_X86_64"])


def lsc_shapes(pool):
    return [
        ("lsc-basic-chains", lsc_basic_chains()),
        ("lsc-multilevel-chains", lsc_multilevel_chains()),
        ("lsc-subtree-checks", lsc_subtree_checks()),
        ("lsc-masked-ops", lsc_masked_ops()),
        ("lsc-actions", lsc_actions()),
        ("lsc-long-jumps", lsc_long_jumps()),
        ("lsc-32b-args", lsc_32b_args()),
        ("lsc-negative-one", lsc_negative_one()),
        ("lsc-socketcall", lsc_socketcall()),
        ("lsc-ipc", lsc_ipc()),
        ("lsc-adv-chains", lsc_adv_chains()),
        ("lsc-denylist", lsc_denylist()),
        ("lsc-binary-tree", lsc_binary_tree(pool)),
        ("lsc-one-abi", lsc_one_abi(pool)),
    ]


# ---- recorder-like generated shapes -----------------------------------

def values(rng, n, dense):
    """n distinct values of one argument: small dense codes (fcntl, prctl)
    or sparse request codes (ioctl)."""
    if dense:
        return rng.sample(range(max(2 * n, 16)), n)
    out = set(rng.sample(IOCTLS, min(n, len(IOCTLS))))
    while len(out) < n:
        out.add((rng.choice([0, 1, 2, 3]) << 30) |
                (rng.randrange(1, 256) << 16) | (rng.randrange(256) << 8) |
                rng.randrange(256))
    return sorted(out)


def split(rng, total, parts):
    """total split into parts positive sizes, uneven as real lists are."""
    cuts = sorted(rng.sample(range(1, total), parts - 1)) if parts > 1 else []
    return [b - a for a, b in zip([0] + cuts, cuts + [total])]


ACTIONS = [("SCMP_ACT_ERRNO", EACCES), ("SCMP_ACT_LOG", None),
           ("SCMP_ACT_ERRNO", EINVAL), ("SCMP_ACT_KILL_PROCESS", None),
           ("SCMP_ACT_TRAP", None)]


def value_rules(rng, names, n_values, index, dense, actions, nargs=1):
    """Value rules for a group of syscalls sharing them: n_values sets of
    nargs equalities; with actions > 1 some values get another action."""
    out = []
    vals = values(rng, n_values, dense)
    others = [i for i in range(6) if i != index]
    second = sorted(rng.sample(others, nargs - 1))
    for v in vals:
        args = [eq(index, v)] + [eq(j, rng.randrange(4)) for j in second]
        act, err = ("SCMP_ACT_ALLOW", None)
        if actions > 1 and rng.random() < 0.4:
            act, err = ACTIONS[rng.randrange(actions - 1)]
        out.append(rule(names, act, args, err))
    return out


# multiplexed on x86 (socketcall, ipc): libseccomp 2.5.4 refuses (EEXIST)
# rules of one of them whose actions differ
MULTIPLEXED = {"socket", "bind", "connect", "listen", "accept", "accept4",
               "getsockname", "getpeername", "socketpair", "sendto",
               "recvfrom", "shutdown", "setsockopt", "getsockopt",
               "sendmsg", "recvmsg", "recvmmsg", "sendmmsg", "semop",
               "semget", "semctl", "semtimedop", "msgsnd", "msgrcv",
               "msgget", "msgctl", "shmat", "shmdt", "shmget", "shmctl"}


def shaped(pool, seed, plain, checked, values_total, share=1, actions=1,
           dense=False, nargs=1, arches=None):
    """plain syscalls allowed outright; checked syscalls (in groups of
    `share` with identical rules) with values_total value rules in all."""
    rng = random.Random(seed)
    names = list(pool)
    rng.shuffle(names)
    if actions > 1:
        names = [n for n in names if n not in MULTIPLEXED]
    rules = [rule(sorted(names[:plain]))] if plain else []
    groups = [names[plain + i:plain + i + share]
              for i in range(0, checked, share)]
    per_group = split(rng, max(values_total // share, len(groups)),
                      len(groups))
    for group, n in zip(groups, per_group):
        rules += value_rules(rng, sorted(group), n, rng.randrange(3),
                             dense or rng.random() < 0.3, actions, nargs)
    return profile(rules, arches=arches)


def rule_count(p):
    return sum(len(r["names"]) for r in p["syscalls"])


def generated(pool):
    out = []
    for n in (30, 100, 300, 1000, 3000):
        out.append((f"valueset-{n}", shaped(pool, n, 20, 30, n)))
    for n in (300, 1000):
        out.append((f"valueset-dense-{n}",
                    shaped(pool, n + 1, 20, 30, n, dense=True)))
        out.append((f"valueset-2arg-{n}",
                    shaped(pool, n + 2, 20, 30, n, nargs=2)))
    for k in range(1, 7):
        out.append((f"share{k}-300", shaped(pool, 40 + k, 40, 12 * k, 300,
                                            share=k)))
    out.append(("share3-1000", shaped(pool, 50, 40, 36, 1000, share=3)))
    for s in (100, 150, 200, 250, 300):
        out.append((f"syscalls-{s}", shaped(pool, s, s - 10, 10, 60)))
    for n in (30, 100, 300, 1000):
        out.append((f"actions-{n}", shaped(pool, 60 + n, 20, 20, n,
                                           actions=4)))
    for seed in (1, 2, 3):
        out.append((f"issue1000-s{seed}", shaped(pool, seed, 250, 50, 750)))
    out.append(("issue1000-actions", shaped(pool, 4, 250, 50, 750,
                                            actions=3)))
    out.append(("issue1000-x86_64", shaped(pool, 5, 250, 50, 750,
                                           arches=["SCMP_ARCH_X86_64"])))
    for n in (500, 2000):
        out.append((f"recorder-mix-{n}", shaped(pool, 70 + n, 150, 60, n,
                                                share=2, actions=2,
                                                nargs=2)))
    return out
