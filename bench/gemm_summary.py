#!/usr/bin/env python3
"""Summarises mcdl_bench_gemm JSON runs: per-shape median times, oneDNN/mcdl and
OpenBLAS/mcdl time ratios (> 1 means mcdl is faster), their geometric means and the
spread (min-max of the repetitions, as % of the median).

usage: gemm_summary.py run.json [more.json ...]   (repetitions of all files are pooled)
"""
import json, math, re, statistics, sys
from collections import defaultdict

times = defaultdict(list)
gflops = defaultdict(list)
for path in sys.argv[1:]:
    for b in json.load(open(path))["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        name = b["run_name"].split("/")[0]
        times[name].append(b["real_time"])
        gflops[name].append(b.get("GFLOPS", 0) / 1e9 if b.get("GFLOPS", 0) > 1e6 else b.get("GFLOPS", 0))

cases = []
for name in times:
    m = re.match(r"gemm:(\w+):(.*)", name)
    if m and m.group(1) == "mcdl":
        cases.append(m.group(2))

def med(n):
    return statistics.median(times[n]) if times.get(n) else None

def spread(n):
    t = times[n]
    return 100.0 * (max(t) - min(t)) / statistics.median(t)

print("| shape (MxNxK[t]) | mcdl us | mcdl GFLOPS | oneDNN us | oneDNN/mcdl | OpenBLAS us | OpenBLAS/mcdl | spread mcdl/oneDNN % |")
print("|---|---|---|---|---|---|---|---|")
ratios, ratios_nn, ob = [], [], []
for c in cases:
    tm, to, tb = med("gemm:mcdl:" + c), med("gemm:onednn:" + c), med("gemm:openblas:" + c)
    r = to / tm if to else None
    rb = tb / tm if tb else None
    gf = statistics.median(gflops["gemm:mcdl:" + c])
    if r:
        ratios.append(r)
        if "t" not in c.split("k")[-1]:
            ratios_nn.append(r)
    if rb:
        ob.append(rb)
    print("| %s | %.1f | %.1f | %s | %s | %s | %s | %.0f / %s |" % (
        c, tm / 1e3, gf, "%.1f" % (to / 1e3) if to else "-", "%.2f" % r if r else "-",
        "%.1f" % (tb / 1e3) if tb else "-", "%.2f" % rb if rb else "-", spread("gemm:mcdl:" + c),
        "%.0f" % spread("gemm:onednn:" + c) if to else "-"))

def gm(x):
    return math.exp(sum(map(math.log, x)) / len(x)) if x else float("nan")

print()
print("geomean oneDNN/mcdl over the issue's shapes (NN): %.3f (min %.2f) over %d shapes" % (
    gm(ratios_nn), min(ratios_nn) if ratios_nn else float("nan"), len(ratios_nn)))
print("geomean oneDNN/mcdl including transposed cases: %.3f over %d" % (gm(ratios), len(ratios)))
if ob:
    print("geomean OpenBLAS/mcdl: %.3f over %d" % (gm(ob), len(ob)))
