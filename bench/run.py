#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`make bench`: callfence against libseccomp 2.5.4, side by side, in one run.

Drives build/bench/cf-bench (compile times, program shape, kernel times),
times `callfence run`, prints Markdown tables (medians; ratios are
callfence / libseccomp) and draws the compile-time chart with gnuplot.
Goals are printed next to the numbers for the reader: nothing here fails
because of a timing.
"""
import argparse
import math
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = [10, 100, 1000, 10000]
LSC_LIMIT_S = 10.0  # libseccomp: skip a size predicted to take longer


def parse_kv(text):
    out = {}
    for line in text.splitlines():
        if "\t" in line:
            k, v = line.split("\t", 1)
            out[k] = v
    return out


def run_bench(args, *argv, timeout=None):
    cmd = [args.bench] + [str(a) for a in argv]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if p.returncode != 0:
        sys.stderr.write("bench: %s failed (%d): %s\n" %
                         (" ".join(cmd), p.returncode, p.stderr.strip()))
        return {}
    return parse_kv(p.stdout)


# ---- compile times ----------------------------------------------------------

def compile_time(args, which, path, budget_ms, timeout=None):
    r = run_bench(args, "compile", which, path, 2000, budget_ms,
                  timeout=timeout)
    if r is None:
        return {"status": "timeout"}
    if not r:
        return {"status": "failed"}
    res = {"status": "ok", "ms": float(r["median_ns"]) / 1e6,
           "runs": int(r["runs"])}
    if "error" in r:
        res["status"] = "rejected"
        res["error"] = r["error"]
    else:
        res["len"] = int(r["len"])
    return res


def predict(points, n):
    """Time for n rules from the last two measured sizes (power law, at
    least linear growth)."""
    if len(points) < 2:
        return 0
    (n1, t1), (n2, t2) = points[-2], points[-1]
    k = max(1.0, math.log(t2 / t1) / math.log(n2 / n1)) if t1 > 0 else 1
    return t2 * (n / n2) ** k


def compile_suite(args, profiles):
    rows = []
    lsc_points = {"lin": [], "tree": []}
    for label, path, nrules in profiles:
        row = {"label": label, "rules": nrules}
        row["cf"] = compile_time(args, "cf", path, 600,
                                 timeout=3 * LSC_LIMIT_S + 30)
        for which in ("lin", "tree"):
            est = predict(lsc_points[which], nrules) / 1e3 if nrules else 0
            if est > LSC_LIMIT_S:
                row[which] = {"status": "skipped", "est_s": est}
                continue
            r = compile_time(args, which, path, 600,
                             timeout=3 * LSC_LIMIT_S + 30)
            row[which] = r
            if nrules and r["status"] == "ok":
                lsc_points[which].append((nrules, r["ms"]))
        rows.append(row)
        sys.stderr.write("bench: compiled %s\n" % label)
    return rows


# ---- `callfence run` start cost ---------------------------------------------

def run_start_cost(args, n):
    variants = {"builtin": [], "unconfined": []}
    for i in range(n):
        for v in ("builtin", "unconfined"):
            t0 = time.perf_counter_ns()
            p = subprocess.run([args.callfence, "run", "--security-opt",
                                "seccomp=" + v, "--", "/bin/true"],
                               capture_output=True)
            t = time.perf_counter_ns() - t0
            if p.returncode != 0:
                return {"error": p.stderr.decode(errors="replace").strip()
                        or "exit %d" % p.returncode}
            variants[v].append(t / 1e6)
    return {v: median(ts) for v, ts in variants.items()}


def median(v):
    v = sorted(v)
    n = len(v)
    return (v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2) if n \
        else float("nan")


# ---- formatting -------------------------------------------------------------

def fmt_ms(r):
    if r is None:
        return "n/a"
    st = r["status"]
    if st == "skipped":
        return "not run (predicted %.0f s > %.0f s)" % (r["est_s"],
                                                        LSC_LIMIT_S)
    if st == "timeout":
        return "stopped (> %.0f s)" % (3 * LSC_LIMIT_S + 30)
    if st == "failed":
        return "failed"
    s = fmt_time(r["ms"])
    if st == "rejected":
        s += " (%s)" % short_error(r["error"])
    elif r.get("len", 0) > 4096:
        s += " (not loadable: %d instructions > 4096)" % r["len"]
    if r.get("runs", 0) < 3:
        s += " (%d run%s)" % (r["runs"], "" if r["runs"] == 1 else "s")
    return s


def fmt_time(ms):
    if ms >= 1000:
        return "%.2f s" % (ms / 1000)
    if ms >= 1:
        return "%.2f ms" % ms
    return "%.0f µs" % (ms * 1000)


def short_error(msg):
    m = re.search(r"needs (\d+) BPF instructions", msg)
    if m:
        return "rejected, not loadable: %s instructions > 4096" % m.group(1)
    return "rejected: " + (msg if len(msg) < 80 else msg[:77] + "...")


def ok_ms(r):
    return r is not None and r.get("status") == "ok"


def loadable(r):
    return ok_ms(r) and r.get("len", 0) <= 4096


def speedup(cf, other):
    """libseccomp time / callfence time; both must have done the whole
    compile (a program, or callfence's rejection of an over-long one)."""
    if not (ok_or_rejected(cf) and ok_or_rejected(other)):
        return None
    return other["ms"] / cf["ms"]


def yesno(b):
    return "n/a" if b is None else ("yes" if b else "**no**")


def table(header, rows):
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def num(d, key, cast=float):
    return cast(d[key]) if d and key in d else None


def ratio_str(cf, a, b, fmt="%.2f"):
    parts = []
    for x in (a, b):
        parts.append(fmt % (cf / x) if cf is not None and x else "n/a")
    return " / ".join(parts)


def main_table(comp, prog, kern, start):
    """The issue's table: Docker's default, x86_64+x86+x32, default caps."""
    rows = []
    d = comp[0]
    s_lin, s_tree = speedup(d["cf"], d["lin"]), speedup(d["cf"], d["tree"])
    rows.append(["compile, JSON text → loadable program (median)",
                 fmt_ms(d["lin"]), fmt_ms(d["tree"]), fmt_ms(d["cf"]),
                 faster(s_lin, s_tree),
                 "≥ 50× faster",
                 yesno(None if s_lin is None else min(s_lin, s_tree) >= 50)])
    big = next((r for r in comp if r["rules"] == 1000), None)
    if big:
        s1, s2 = speedup(big["cf"], big["lin"]), speedup(big["cf"],
                                                           big["tree"])
        ss = [s for s in (s1, s2) if s is not None]
        met = yesno(min(ss) >= 200 if ss else None)
        if ss and not all(loadable(big[k]) for k in ("lin", "tree", "cf")):
            met += " (speed only: not every program is loadable)"
        rows.append(["compile, 1,000 rules with argument conditions, 3 ABIs",
                     fmt_ms(big["lin"]), fmt_ms(big["tree"]),
                     fmt_ms(big["cf"]), faster(s1, s2),
                     "≥ 200× faster", met])
    g = growth(comp)
    met = yesno(None if g is None else g <= nlogn(10, 10000))
    if g is not None and not ok_ms(next(r["cf"] for r in comp
                                        if r["rules"] == 10000)):
        met += " (to the rejection)"
    rows.append(["compile growth, 10 → 10,000 rules (time ratio)",
                 growth_str(comp, "lin"), growth_str(comp, "tree"),
                 growth_str(comp, "cf"), "",
                 "≤ n log n (%.0f×)" % nlogn(10, 10000), met])
    L = {k: num(prog, k + ".len", int) for k in ("lin", "tree", "cf")}
    rows.append(["program length (instructions)", L["lin"], L["tree"],
                 L["cf"], ratio_str(L["cf"], L["lin"], L["tree"]),
                 "≤ 600", yesno(L["cf"] is not None and L["cf"] <= 600)])
    m = {k: num(prog, k + ".argfree_mean") for k in ("lin", "tree", "cf")}
    w = {k: num(prog, k + ".argfree_worst", int)
         for k in ("lin", "tree", "cf")}
    rows.append(["instructions executed, syscalls without argument rules: "
                 "mean over the recorded mix",
                 m["lin"], m["tree"], m["cf"],
                 ratio_str(m["cf"], m["lin"], m["tree"]), "≤ 9",
                 yesno(m["cf"] is not None and m["cf"] <= 9)])
    rows.append(["… worst over every number below 1024, 3 ABIs "
                 "(where: %s)" % prog.get("cf.argfree_worst_at", "?"),
                 w["lin"], w["tree"], w["cf"],
                 ratio_str(w["cf"], w["lin"], w["tree"]), "≤ 12",
                 yesno(w["cf"] is not None and w["cf"] <= 12)])
    a = {k: num(prog, k + ".argcheck_worst", int)
         for k in ("lin", "tree", "cf")}
    rows.append(["instructions executed, argument-checked syscalls "
                 "(clone, socket, personality; worst)",
                 a["lin"], a["tree"], a["cf"],
                 ratio_str(a["cf"], a["lin"], a["tree"]), "≤ 18",
                 yesno(a["cf"] is not None and a["cf"] <= 18)])
    c = {}
    for k in ("lin", "tree", "cf"):
        if prog and k + ".cache_cacheable" in prog:
            c[k] = "%s of %s argument-free ALLOWs" % (
                prog[k + ".cache_cacheable"], prog[k + ".cache_argfree_allow"])
    rows.append(["kernel constant-action cache (x86_64 + x86 numbers, "
                 "emulated seccomp_is_const_allow)",
                 c.get("lin"), c.get("tree"), c.get("cf"), "",
                 "all argument-free ALLOWs cacheable",
                 yesno(prog.get("cf.cache_missed") == "0"
                       if "cf.cache_missed" in prog else None)])
    rows += kernel_rows(kern)
    if kern and "kernel.cf.attach" in kern and all(
            ok_ms(d[k]) for k in ("lin", "tree", "cf")):
        # what a runtime pays per container for its filter: compile it
        # from the JSON text, then attach it (medians of separate runs)
        tot = {k: d[k]["ms"] + float(kern["kernel.%s.attach" % k]) / 1e6
               for k in ("lin", "tree", "cf")}
        rows.append(["… compile + attach together (sum of the two medians)",
                     fmt_time(tot["lin"]), fmt_time(tot["tree"]),
                     fmt_time(tot["cf"]),
                     faster(tot["lin"] / tot["cf"], tot["tree"] / tot["cf"]),
                     "(not a goal)", ""])
    if start and "error" not in start:
        over = start["builtin"] - start["unconfined"]
        rows.append(["`callfence run` start: builtin over unconfined "
                     "(/bin/true)", "—", "—", "%+.2f ms" % over, "",
                     "≤ 0.5 ms", yesno(over <= 0.5)])
        pc = start.get("pieces") or {}
        if all("start." + k in pc for k in ("target", "profile", "compile",
                                             "attach")):
            rows.append(["… its pieces, each round in a fresh child "
                         "(`cf-bench start`): target / built-in profile / "
                         "compile / attach", "", "",
                         " / ".join("%.0f µs" % (float(pc["start." + k]) / 1e3)
                                    for k in ("target", "profile", "compile",
                                              "attach")),
                         "", "(reference)", ""])
    elif start:
        rows.append(["`callfence run` start", "—", "—",
                     "failed: " + start["error"], "", "≤ 0.5 ms", "n/a"])
    return table(["measure (Docker default, x86_64+x86+x32, default caps)",
                  "libseccomp linear", "libseccomp tree", "callfence",
                  "ratio cf/linear / cf/tree", "goal", "met?"], rows)


def kernel_rows(k):
    if not k:
        return [["kernel time", "n/a", "n/a", "n/a", "", "", "n/a"]]

    def t(v, p):
        return float(k["kernel.%s.%s" % (v, p)])

    none = {p: t("none", p) for p in ("personality", "kcmp", "nr1000",
                                      "getppid")}
    rows = []
    for p, label, goal in (
            ("personality", "kernel time, personality(0xffffffff) "
             "(argument-checked), ratio to no filter", "≤ 1.20×"),
            ("kcmp", "kernel time, kcmp (denied), ratio to no filter",
             "no slower than tree"),
            ("nr1000", "kernel time, syscall 1000 (unknown), ratio to no "
             "filter", "no slower than tree")):
        r = {v: t(v, p) / none[p] for v in ("lin", "tree", "cf")}
        met = r["cf"] <= 1.20 if p == "personality" else r["cf"] <= r["tree"]
        rows.append([label, "%.2f×" % r["lin"], "%.2f×" % r["tree"],
                     "%.2f× (%.0f ns; none %.0f ns)" % (r["cf"], t("cf", p),
                                                        none[p]),
                     ratio_str(r["cf"], r["lin"], r["tree"]), goal,
                     yesno(met)])
    rows.append(["… floors, personality: one-instruction ALLOW filter "
                 "(cached) / load + ALLOW (runs the filter)", "", "",
                 "%.2f× / %.2f×" % (t("floor1", "personality") /
                                    none["personality"],
                                    t("floor2", "personality") /
                                    none["personality"]),
                 "", "(reference)", ""])
    d = {v: t(v + "_defeat", "getppid") - none["getppid"]
         for v in ("lin", "tree", "cf")}
    rows.append(["kernel time, cache defeated (leading args[0] load), "
                 "getppid, over no filter",
                 "%+.0f ns" % d["lin"], "%+.0f ns" % d["tree"],
                 "%+.0f ns" % d["cf"], "", "≤ +20 ns", yesno(d["cf"] <= 20)])
    own = t("floor2", "getppid") - t("floor1", "getppid")
    rows.append(["… that load's own cost: 2-instruction (load + ALLOW) vs "
                 "1-instruction filter, getppid", "", "",
                 "%+.0f ns" % own, "", "(reference)", ""])
    if "kernel.cf.attach" in k:
        a = {v: t(v, "attach") / 1e3 for v in ("lin", "tree", "cf")}
        rows.append(["attaching the program: the seccomp() call (kernel "
                     "check, eBPF translation, JIT, cache bitmap), µs",
                     "%.0f" % a["lin"], "%.0f" % a["tree"],
                     "%.0f (1-instruction filter: %.0f)" % (
                         a["cf"], t("floor1", "attach") / 1e3),
                     ratio_str(a["cf"], a["lin"], a["tree"]),
                     "(not a goal)", ""])
    return rows


def faster(s_lin, s_tree):
    """cf/libseccomp time ratios, and the speed-up they mean."""
    if s_lin is None and s_tree is None:
        return "n/a"
    cells = ["%.4f" % (1 / s) if s else "n/a" for s in (s_lin, s_tree)]
    ups = ["%.0f×" % s if s else "n/a" for s in (s_lin, s_tree)]
    return "%s (%s faster)" % (" / ".join(cells), " / ".join(ups))


def nlogn(a, b):
    return (b * math.log(b)) / (a * math.log(a))


def growth(comp, which="cf"):
    t = {r["rules"]: r[which] for r in comp if r["rules"]}
    if not (ok_or_rejected(t.get(10)) and ok_or_rejected(t.get(10000))):
        return None
    return t[10000]["ms"] / t[10]["ms"]


def ok_or_rejected(r):
    return r is not None and r.get("status") in ("ok", "rejected")


def growth_str(comp, which):
    g = growth(comp, which)
    if g is not None:
        big = next(r[which] for r in comp if r["rules"] == 10000)
        return "%.0f×%s" % (g, "" if ok_ms(big) else
                            " (10,000: to the rejection)")
    big = next((r[which] for r in comp if r["rules"] == 10000), None)
    return "n/a (10,000: %s)" % (big["status"] if big else "missing")


def compile_table(comp):
    rows = []
    for r in comp:
        s1, s2 = speedup(r["cf"], r["lin"]), speedup(r["cf"], r["tree"])
        lens = "%s / %s / %s" % tuple(
            str(r[k].get("len", "—")) for k in ("lin", "tree", "cf"))
        rows.append([r["label"], fmt_ms(r["lin"]), fmt_ms(r["tree"]),
                     fmt_ms(r["cf"]),
                     "%s / %s" % ("%.0f×" % s1 if s1 else "n/a",
                                  "%.0f×" % s2 if s2 else "n/a"), lens])
    return table(["profile", "libseccomp linear", "libseccomp tree",
                  "callfence", "callfence faster than linear / tree",
                  "length linear / tree / callfence"], rows)


# ---- chart ------------------------------------------------------------------

def chart(comp, out):
    dat = os.path.join(out, "compile-time.dat")
    png = os.path.join(out, "compile-time.png")
    with open(dat, "w") as f:
        f.write("# rules callfence_ms libseccomp_linear_ms "
                "libseccomp_tree_ms\n")
        for r in comp:
            if not r["rules"]:
                continue
            cells = [str(r["rules"])]
            for k in ("cf", "lin", "tree"):
                cells.append("%.6f" % r[k]["ms"] if ok_or_rejected(r[k])
                             else "NaN")
            f.write(" ".join(cells) + "\n")
    if not shutil.which("gnuplot"):
        return "gnuplot not found: no chart (data in %s)" % dat
    script = f"""
set terminal pngcairo size 900,600 font ",11"
set output "{png}"
set title "Compile time, JSON text to BPF program (x86_64 + x86 + x32, median)" noenhanced
set xlabel "rules with argument conditions"
set ylabel "milliseconds"
set logscale xy
set format y "%g"
set grid
set key top left
set datafile missing "NaN"
plot "{dat}" using 1:3 with linespoints lw 2 pt 7 title "libseccomp 2.5.4 linear", \\
     "{dat}" using 1:4 with linespoints lw 2 pt 5 title "libseccomp 2.5.4 tree", \\
     "{dat}" using 1:2 with linespoints lw 2 pt 9 title "callfence"
"""
    p = subprocess.run(["gnuplot"], input=script, text=True,
                       capture_output=True)
    if p.returncode != 0:
        return "gnuplot failed: " + p.stderr.strip()
    return png


# ---- main -------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default="build/bench/cf-bench")
    ap.add_argument("--callfence", default="build/callfence")
    ap.add_argument("--out", default="build/bench")
    ap.add_argument("--profiles",
                    default=os.path.join(os.environ.get("CF_SHARED",
                                                        "../shared"),
                                         "fixtures/profiles"))
    ap.add_argument("--mix", default=os.path.join(HERE, "mix.tsv"))
    ap.add_argument("--rounds", type=int, default=61)
    ap.add_argument("--runs", type=int, default=401)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    t0 = time.time()

    docker = os.path.join(args.profiles, "docker-default.json")
    podman = os.path.join(args.profiles, "podman-default.json")
    for f in (docker, podman):
        if not os.path.exists(f):
            sys.exit("bench: %s missing (set CF_SHARED)" % f)
    profiles = [("Docker default", docker, 0), ("Podman default", podman, 0)]
    for n in SIZES:
        path = os.path.join(args.out, "synthetic-%d.json" % n)
        with open(path, "w") as f:
            subprocess.run([sys.executable, os.path.join(HERE,
                                                         "gen-profile.py"),
                            str(n)], stdout=f, check=True)
        profiles.append(("synthetic, %d rules" % n, path, n))

    st = subprocess.run([args.bench, "selftest", docker],
                        capture_output=True, text=True)
    selftest = (st.stdout.strip().splitlines() or ["no output"])
    if st.returncode != 0:
        sys.stderr.write("bench: selftest failed:\n%s\n" % st.stdout)
    comp = compile_suite(args, profiles)
    prog = run_bench(args, "prog", docker, args.mix) or {}
    prog_podman = run_bench(args, "prog", podman, args.mix) or {}
    sys.stderr.write("bench: program shapes done\n")
    kern = run_bench(args, "kernel", docker, args.rounds)
    sys.stderr.write("bench: kernel times done\n")
    start = run_start_cost(args, args.runs) if os.path.exists(
        args.callfence) else {"error": args.callfence + " not built"}
    if start and "error" not in start:
        start["pieces"] = run_bench(args, "start", args.runs // 2 * 2 + 1)
    png = chart(comp, args.out)

    print("## callfence vs libseccomp %s — %s, %s\n" % (
        lsc_version(), os.uname().release, time.strftime("%Y-%m-%d")))
    print(main_table(comp, prog, kern, start))
    print("\n### Compile time by profile (median, end to end)\n")
    print(compile_table(comp))
    print("\n### Podman default: program shape\n")
    print(shape_table(prog_podman))
    if start and "error" not in start:
        print("\n`callfence run -- /bin/true` medians over %d runs each: "
              "builtin %.2f ms, unconfined %.2f ms." % (
                  args.runs, start["builtin"], start["unconfined"]))
    print("\nChart: %s" % png)
    print("Kernel times: medians of %d interleaved rounds of 20,000 calls, "
          "each in a fresh child with no_new_privs and "
          "SECCOMP_FILTER_FLAG_SPEC_ALLOW." % args.rounds)
    print("Measuring tools' selftest (cf-bench selftest): %s." %
          selftest[-1])
    print("Whole run: %.0f s." % (time.time() - t0))


def shape_table(p):
    rows = []
    for key, label in (("len", "program length"),
                       ("argfree_mean", "instructions, argument-free, mix mean"),
                       ("argfree_worst", "instructions, argument-free, worst"),
                       ("argcheck_worst", "instructions, argument-checked, "
                                          "worst"),
                       ("cache_cacheable", "cacheable numbers"),
                       ("cache_missed", "argument-free ALLOWs not cacheable")):
        rows.append([label] + [p.get("%s.%s" % (k, key), "n/a")
                               for k in ("lin", "tree", "cf")])
    return table(["measure", "libseccomp linear", "libseccomp tree",
                  "callfence"], rows)


def lsc_version():
    try:
        p = subprocess.run(["dpkg-query", "-W", "-f", "${Version}",
                            "libseccomp-dev"], capture_output=True,
                           text=True)
        return p.stdout.strip() or "2.5.4"
    except OSError:
        return "2.5.4"


if __name__ == "__main__":
    main()
