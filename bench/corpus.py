#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`make bench-corpus`: callfence's programs against libseccomp's on a corpus
of profiles (issue 11's acceptance), in one command.

The corpus: the reference profiles of ../shared/fixtures/profiles (read in
place), Docker's default as callfence has it built in (`callfence
default`), Podman's default of this machine (/usr/share/containers), the
synthetic profiles of bench/gen-profile.py at 10-3,000 rules, and the
profiles of bench/corpus_shapes.py (libseccomp regression-test shapes and
recorder-like generated shapes); generated files go to OUT/corpus/.

Per profile (`cf-bench corpus`, bench/corpus.c): callfence's length with
runc's ENOSYS stub and with `--enosys=none`, or "refused"; libseccomp's
linear length, what runc loads (linear + runc's ENOSYS stub), the tree's
length; the worst executed path of argument-checked syscalls (callfence,
tree). libseccomp's results depend only on the profile text, libseccomp
and the kernel version: they are cached in OUT/corpus-lsc-cache.json.

Prints the table, the distribution of the two ratios, the violations of
"compiles whenever libseccomp fits", "never longer than runc's program",
"with --enosys=none never longer than libseccomp's" (profiles whose names
libseccomp all knows) and "worst argument-checked path no longer than the
tree's"; with --assert exits 1 if there is any. Draws OUT/corpus-length.png
(gnuplot). --speed adds compile speed (in process, whole process,
callgrind growth from 500 to 2,000 rules); with --base-bench, the same
in process and under callgrind for an older cf-bench, side by side.
"""
import argparse
import hashlib
import importlib.util
import json
import math
import os
import re
import resource
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LIMIT = 4096
CACHE_VERSION = "corpus-lsc-2"
LSC_MAX_X86_64_NR = 447  # the newest numbers libseccomp 2.5.4 surely knows


def load_module(name, file):
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(HERE, file))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


shapes = load_module("corpus_shapes", "corpus_shapes.py")
genprofile = load_module("gen_profile", "gen-profile.py")


def parse_kv(text):
    return dict(line.split("\t", 1) for line in text.splitlines()
                if "\t" in line)


# ---- the corpus -------------------------------------------------------

def syscall_pool(callfence):
    """Names on x86_64, x86 and x32, by x86_64 number, known to
    libseccomp 2.5.4."""
    tables = {}
    for abi in ("x86_64", "x86", "x32"):
        out = subprocess.run([callfence, "list", "--json", "syscalls",
                              "--abi", abi], capture_output=True,
                             text=True, check=True).stdout
        tables[abi] = {e["name"]: e["nr"] for e in json.loads(out)}
    common = [n for n in tables["x86_64"]
              if n in tables["x86"] and n in tables["x32"]
              and tables["x86_64"][n] <= LSC_MAX_X86_64_NR]
    return sorted(common, key=lambda n: tables["x86_64"][n])


def write_json(path, doc):
    text = json.dumps(doc, indent=1) + "\n"
    if not os.path.exists(path) or open(path).read() != text:
        with open(path, "w") as f:
            f.write(text)
    return path


def corpus(args):
    """[(name, source, path)], generated files written to OUT/corpus."""
    gen_dir = os.path.join(args.out, "corpus")
    os.makedirs(gen_dir, exist_ok=True)
    out, notes = [], []
    ref = os.path.join(args.shared, "fixtures", "profiles")
    if os.path.isdir(ref):
        for f in sorted(os.listdir(ref)):
            if f.endswith(".json"):
                out.append((f[:-5], "reference", os.path.join(ref, f)))
    else:
        notes.append(f"reference profiles not found in {ref}: skipped")
    builtin = subprocess.run([args.callfence, "default"],
                             capture_output=True, text=True, check=True)
    path = os.path.join(gen_dir, "docker-builtin.json")
    with open(path, "w") as f:
        f.write(builtin.stdout)
    out.append(("docker-builtin", "built-in", path))
    if os.path.exists(args.podman):
        out.append(("podman-system", "this machine", args.podman))
    else:
        notes.append(f"{args.podman} absent (containers-common not "
                     "installed): Podman's default of the machine skipped")
    for n in (10, 20, 50, 100, 200, 300, 500, 1000, 2000, 3000):
        path = os.path.join(gen_dir, f"gen-{n}.json")
        out.append((f"gen-{n}", "gen-profile.py",
                    write_json(path, genprofile.profile(n, 5))))
    pool = syscall_pool(args.callfence)
    for family, items in (("lsc shape", shapes.lsc_shapes(pool)),
                          ("generated", shapes.generated(pool))):
        for name, doc in items:
            path = os.path.join(gen_dir, name + ".json")
            out.append((name, family, write_json(path, doc)))
    if args.only:
        out = [p for p in out if re.search(args.only, p[0])]
    return out, notes


def rule_count(path):
    """Rules as libseccomp is given them: one per (name, rule)."""
    doc = json.load(open(path))
    n = 0
    for r in doc.get("syscalls") or []:
        n += len(r.get("names") or []) + (1 if r.get("name") else 0)
    return n


# ---- measuring --------------------------------------------------------

def cf_bench(args, path, which, timeout=None):
    try:
        p = subprocess.run([args.bench, "corpus", path, which],
                           capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"timeout": str(timeout)}
    if p.returncode != 0:
        return {"failed": p.stderr.strip() or str(p.returncode)}
    return parse_kv(p.stdout)


def lsc_key(path):
    h = hashlib.sha256(open(path, "rb").read())
    h.update((CACHE_VERSION + os.uname().release).encode())
    return h.hexdigest()


def measure(args, profiles):
    cache_path = os.path.join(args.out, "corpus-lsc-cache.json")
    cache = json.load(open(cache_path)) if os.path.exists(cache_path) else {}
    rows = []
    for name, source, path in profiles:
        t0 = time.time()
        r = cf_bench(args, path, "cf")
        key = lsc_key(path)
        if key not in cache or "timeout" in cache[key] and args.retry:
            cache[key] = cf_bench(args, path, "lsc",
                                  args.lsc_timeout or None)
            with open(cache_path, "w") as f:
                json.dump(cache, f, indent=0)
        r.update(cache[key])
        r.update(name=name, source=source, rules=rule_count(path))
        sys.stderr.write("corpus: %-24s %5.1f s\n" % (name, time.time() - t0))
        rows.append(r)
    return rows


# ---- judging ----------------------------------------------------------

def num(r, key):
    v = r.get(key)
    return int(v) if v is not None and v.isdigit() else None


def refused_len(r, prefix):
    m = re.search(r"(\d+) BPF instructions", r.get(prefix + ".refused", ""))
    return int(m.group(1)) if m else None


def judge(r):
    """Fills derived fields and the list of violations of one row."""
    cf, none = num(r, "cf.len"), num(r, "cf_none.len")
    lin, stub = num(r, "lin.len"), num(r, "runc_stub")
    r["runc"] = lin + stub if lin is not None and stub is not None else None
    r["names_known"] = r.get("unknown_names") == "0"
    r["fits"] = lin is not None and lin <= LIMIT
    v = []
    if r["fits"] and cf is None:
        v.append("refused where libseccomp fits")
    if cf is not None and r["runc"] is not None and cf > r["runc"]:
        v.append("longer than runc's program")
    if (none is not None and lin is not None and r["names_known"]
            and none > lin):
        v.append("--enosys=none longer than libseccomp's")
    cw, tw = num(r, "cf.argworst"), num(r, "tree.argworst")
    if cw is not None and tw is not None and cw > tw:
        v.append("argument-checked worst path longer than the tree's")
    r["violations"] = v
    r["ratio_runc"] = cf / r["runc"] if cf is not None and r["runc"] else None
    r["ratio_lin"] = (none / lin if none is not None and lin
                      and r["names_known"] else None)
    return r


def show_len(r, prefix):
    n = num(r, prefix + ".len")
    if n is not None:
        return str(n)
    if prefix + ".refused" in r:
        n = refused_len(r, prefix)
        return f"refused ({n})" if n else "refused"
    if "timeout" in r:
        return f"not run (> {r['timeout']} s)"
    return r.get(prefix + ".error", "—")


def fmt_ratio(x):
    return "%.2f" % x if x is not None else ""


def table(rows):
    print("| profile | source | rules | callfence | callfence "
          "--enosys=none | libseccomp linear | runc loads (stub) | "
          "libseccomp tree | linear fits 4096 | worst arg path cf / tree "
          "| names all in libseccomp | cf / runc | none / linear | "
          "violations |")
    print("|" + "---|" * 14)
    for r in rows:
        stub = r.get("runc_stub", "")
        runc = f"{r['runc']} ({stub})" if r["runc"] is not None else "—"
        worst = "%s / %s" % (r.get("cf.argworst", "—"),
                             r.get("tree.argworst", "—"))
        print(f"| {r['name']} | {r['source']} | {r['rules']} | "
              f"{show_len(r, 'cf')} | {show_len(r, 'cf_none')} | "
              f"{show_len(r, 'lin')} | {runc} | {show_len(r, 'tree')} | "
              f"{'yes' if r['fits'] else 'no'} | {worst} | "
              f"{'yes' if r['names_known'] else 'no'} | "
              f"{fmt_ratio(r['ratio_runc'])} | {fmt_ratio(r['ratio_lin'])} "
              f"| {'; '.join(r['violations'])} |")


def quantile(xs, q):
    xs = sorted(xs)
    i = (len(xs) - 1) * q
    lo = math.floor(i)
    return xs[lo] + (xs[min(lo + 1, len(xs) - 1)] - xs[lo]) * (i - lo)


def distribution(label, xs):
    if not xs:
        print(f"| {label} | 0 | | | | | | |")
        return
    print(f"| {label} | {len(xs)} | %.2f | %.2f | %.2f | %.2f | %.2f | %d |"
          % (min(xs), quantile(xs, 0.25), quantile(xs, 0.5),
             quantile(xs, 0.75), max(xs), sum(1 for x in xs if x > 1)))


def summary(rows):
    print()
    print("| ratio | profiles | min | 25 % | median | 75 % | max | > 1 |")
    print("|---|---|---|---|---|---|---|---|")
    distribution("callfence / runc loads",
                 [r["ratio_runc"] for r in rows if r["ratio_runc"]])
    distribution("callfence --enosys=none / libseccomp linear (names all "
                 "known)", [r["ratio_lin"] for r in rows if r["ratio_lin"]])
    print()
    kinds = {}
    for r in rows:
        for v in r["violations"]:
            kinds.setdefault(v, []).append(r["name"])
    checks = ["refused where libseccomp fits", "longer than runc's program",
              "--enosys=none longer than libseccomp's",
              "argument-checked worst path longer than the tree's"]
    print("| check | violations | profiles |")
    print("|---|---|---|")
    for c in checks:
        names = kinds.get(c, [])
        print(f"| {c} | {len(names)} | {', '.join(names[:12])}"
              f"{' …' if len(names) > 12 else ''} |")
    missing = [r["name"] for r in rows if r["runc"] is None]
    if missing:
        print(f"\nlibseccomp not measured (timeout or error): "
              f"{', '.join(missing)}")
    return sum(len(r["violations"]) for r in rows)


def chart(args, rows):
    dat = os.path.join(args.out, "corpus-length.dat")
    with open(dat, "w") as f:
        f.write("# rules callfence runc_loads lsc_linear lsc_tree name\n")
        for r in sorted(rows, key=lambda r: r["rules"]):
            cf = num(r, "cf.len") or refused_len(r, "cf") or "NaN"
            f.write("%d %s %s %s %s %s\n" % (
                max(r["rules"], 1), cf, r["runc"] or "NaN",
                r.get("lin.len", "NaN"), r.get("tree.len", "NaN"),
                r["name"]))
    if not shutil.which("gnuplot"):
        print(f"\n(gnuplot absent: chart data in {dat})")
        return
    png = os.path.join(args.out, "corpus-length.png")
    script = f"""set terminal pngcairo size 900,600
set output '{png}'
set logscale xy
set xlabel 'rules (one per name and condition set)'
set ylabel 'BPF instructions'
set key top left
set title 'Program length against rules, {len(rows)} profiles'
plot '{dat}' using 1:2 title 'callfence (refused: the length named)' pt 7 ps 0.8, \\
 '' using 1:3 title 'runc loads (libseccomp linear + ENOSYS stub)' pt 6, \\
 '' using 1:5 title 'libseccomp tree' pt 4 ps 0.7, \\
 {LIMIT} title 'kernel limit (4096)' lt 0
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=False)
    print(f"\nChart: {png} (data {dat})")


# ---- compile speed ----------------------------------------------------

def compile_ns(args, which, path, reps, budget_ms, bench=None):
    """Median CPU time of one compile in a process that keeps compiling
    (cf-bench compile): the machine is shared, CPU time is what the
    compile itself costs."""
    p = subprocess.run([bench or args.bench, "compile", which, path,
                        str(reps),
                        str(budget_ms)], capture_output=True, text=True)
    r = parse_kv(p.stdout)
    if "median_cpu_ns" not in r:
        return None
    args.faults[(bench or args.bench, which, path)] = float(
        r.get("faults_per_compile", "nan"))
    return float(r["median_cpu_ns"])


def whole_process_s(args, which, path, runs):
    """Median CPU time (user + system) of a fresh cf-bench process that
    reads the file and compiles it once (process start included)."""
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([args.bench, "compile", which, path, "1", "0"],
                       capture_output=True, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime +
                     after.ru_stime - before.ru_stime)
    return sorted(times)[len(times) // 2]


def callgrind_instructions(args, path, bench=None):
    """Instructions callfence executes in cf_profile_parse + cf_compile
    for one compile of path (valgrind --tool=callgrind)."""
    out = os.path.join(args.out, "callgrind.tmp")
    p = subprocess.run(["valgrind", "--tool=callgrind",
                        "--callgrind-out-file=" + out,
                        "--toggle-collect=cf_profile_parse",
                        "--toggle-collect=cf_compile",
                        bench or args.bench, "compile", "cf", path, "1",
                        "0"],
                       capture_output=True, text=True)
    if os.path.exists(out):
        os.unlink(out)
    m = re.search(r"Collected : (\d+)", p.stderr)
    return int(m.group(1)) if m else None


def speed_profiles(paths_by_name):
    """Docker's default and the 1,000-rule profile of every shape."""
    names = ["docker-default", "gen-1000", "valueset-1000",
             "valueset-dense-1000", "valueset-2arg-1000", "share3-1000",
             "actions-1000", "issue1000-s1", "issue1000-actions"]
    return [(n, paths_by_name[n]) for n in names if n in paths_by_name]


def growth_profiles(args, pool):
    """(shape, 500-rule path, 2,000-rule path)."""
    d = os.path.join(args.out, "corpus-speed")
    os.makedirs(d, exist_ok=True)
    makers = {
        "gen-profile": lambda n: genprofile.profile(n, 5),
        "valueset": lambda n: shapes.shaped(pool, 9, 20, 30, n),
        "actions": lambda n: shapes.shaped(pool, 9, 20, 20, n, actions=4),
        "2arg": lambda n: shapes.shaped(pool, 9, 20, 30, n, nargs=2),
        "share3": lambda n: shapes.shaped(pool, 9, 40, 36, n, share=3),
        # issue 11's: 250 plain + 50 argument-checked syscalls, the rest
        # value rules
        "issue": lambda n: shapes.shaped(pool, 9, 250, 50, n - 250),
    }
    out = []
    for shape, make in makers.items():
        paths = [write_json(os.path.join(d, f"{shape}-{n}.json"), make(n))
                 for n in (500, 2000)]
        out.append((shape, paths[0], paths[1]))
    return out


def speed_base(args, paths, growth):
    """--base-bench: the same in-process and callgrind measures of another
    cf-bench (an older build), interleaved with this one's, so both
    columns come from one run on the same machine state."""
    print("\n| profile | base in process | this in process | speed-up | "
          "base callgrind | this callgrind | page faults per compile, "
          "base / this |")
    print("|---|---|---|---|---|---|---|")
    for name, path in paths:
        old = compile_ns(args, "cf", path, 2000, 600, args.base_bench)
        new = compile_ns(args, "cf", path, 2000, 600)
        print("| %s | %.0f µs | %.0f µs | %.2f× | %d | %d | %.0f / %.0f |"
              % (name, old / 1e3, new / 1e3, old / new,
                 callgrind_instructions(args, path, args.base_bench) or 0,
                 callgrind_instructions(args, path) or 0,
                 args.faults[(args.base_bench, "cf", path)],
                 args.faults[(args.bench, "cf", path)]), flush=True)
    print("\n| shape | base exponent 500→2,000 | this exponent |")
    print("|---|---|---|")
    for shape, p500, p2000 in growth:
        e = [math.log(callgrind_instructions(args, p2000, b) /
                      callgrind_instructions(args, p500, b), 4)
             for b in (args.base_bench, args.bench)]
        print("| %s | %.2f | %.2f |" % (shape, e[0], e[1]), flush=True)


def speed(args, paths, pool):
    print("\n### Compile speed\n")
    print("CPU time (the machine is shared): medians of compiles in one "
          "process, and of whole processes (start, read, one compile).\n")
    print("| profile | callfence in process | libseccomp linear in process "
          "| ratio | callfence whole process | libseccomp whole process "
          "| ratio | page faults per compile, callfence / libseccomp |")
    print("|---|---|---|---|---|---|---|---|")
    for name, path in paths:
        cf = compile_ns(args, "cf", path, 2000, 600)
        lin = compile_ns(args, "lin", path, 5, 2000)
        wcf = whole_process_s(args, "cf", path, 5)
        wlin = whole_process_s(args, "lin", path, 3 if lin < 1e9 else 1)
        print("| %s | %.0f µs | %.2f ms | %.0f× | %.2f ms | %.2f ms | %.1f× "
              "| %.0f / %.0f |"
              % (name, cf / 1e3, lin / 1e6, lin / cf, wcf * 1e3,
                 wlin * 1e3, wlin / wcf,
                 args.faults[(args.bench, "cf", path)],
                 args.faults[(args.bench, "lin", path)]), flush=True)
    if not shutil.which("valgrind"):
        print("\n(valgrind absent: no callgrind growth)")
        return
    nlogn = math.log(2000 * math.log(2000) / (500 * math.log(500)), 4)
    print("\n| shape | callgrind instructions, 500 rules | 2,000 rules | "
          "growth | exponent (n log n: %.2f) |" % nlogn)
    print("|---|---|---|---|---|")
    for shape, p500, p2000 in growth_profiles(args, pool):
        i500 = callgrind_instructions(args, p500)
        i2000 = callgrind_instructions(args, p2000)
        if not i500 or not i2000:
            print(f"| {shape} | callgrind failed | | | |")
            continue
        print("| %s | %d | %d | %.2f× | %.2f |" % (
            shape, i500, i2000, i2000 / i500,
            math.log(i2000 / i500, 4)))
    if args.base_bench:
        speed_base(args, paths, growth_profiles(args, pool))


# ---- main -------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", default="build/bench/cf-bench")
    ap.add_argument("--callfence", default="build/callfence")
    ap.add_argument("--out", default="build/bench")
    ap.add_argument("--shared", default=os.environ.get(
        "CF_SHARED", os.path.join(HERE, "..", "..", "shared")))
    ap.add_argument("--podman", default="/usr/share/containers/seccomp.json")
    ap.add_argument("--lsc-timeout", type=float, default=300,
                    help="seconds for libseccomp's two compiles of one "
                    "profile (0: no limit); results are cached")
    ap.add_argument("--retry", action="store_true",
                    help="measure again profiles whose libseccomp run "
                    "timed out")
    ap.add_argument("--only", help="profiles whose name matches (regex)")
    ap.add_argument("--speed", action="store_true",
                    help="compile speed: in process, whole process, "
                    "callgrind growth")
    ap.add_argument("--base-bench",
                    help="with --speed: another cf-bench (an older "
                    "build) measured side by side with --bench")
    ap.add_argument("--assert", dest="check", action="store_true",
                    help="exit 1 on any violation")
    args = ap.parse_args()
    args.faults = {}  # (bench, compiler, path): faults per compile
    os.makedirs(args.out, exist_ok=True)
    started = time.time()
    selftest = subprocess.run([args.bench, "selftest"], capture_output=True,
                              text=True)
    if selftest.returncode != 0:
        sys.stderr.write("corpus: cf-bench selftest failed:\n" +
                         selftest.stdout)
        return 1
    profiles, notes = corpus(args)
    rows = [judge(r) for r in measure(args, profiles)]
    print(f"## Corpus: {len(rows)} profiles\n")
    for n in notes:
        print(f"Note: {n}\n")
    table(rows)
    violations = summary(rows)
    chart(args, rows)
    if args.speed:
        by_name = {name: path for name, _, path in profiles}
        speed(args, speed_profiles(by_name), syscall_pool(args.callfence))
    print("\nMeasuring tools' selftest (cf-bench selftest): " +
          selftest.stdout.strip().splitlines()[-1] + ".")
    print(f"Whole run: {time.time() - started:.0f} s.")
    return 1 if args.check and violations else 0


if __name__ == "__main__":
    sys.exit(main())
