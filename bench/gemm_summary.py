#!/usr/bin/env python3
"""Summarises mcdl_bench_gemm JSON runs (--benchmark_format=json or --benchmark_out):
per-shape median and minimum wall times over the repetitions, oneDNN/mcdl and
OpenBLAS/mcdl time ratios (> 1 means mcdl is faster) from the minima and from the
medians, their geometric means, and the FMA peak probes.

usage: gemm_summary.py run.json [more.json ...]   (repetitions of all files are pooled)
"""
import json, math, re, statistics, sys
from collections import defaultdict

times = defaultdict(list)
peak = {}
for path in sys.argv[1:]:
    for b in json.load(open(path))["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        name = b["run_name"].split("/")[0]
        if name.startswith("gemm:peak:"):
            peak.setdefault(name, []).append(b["GFLOPS"] / 1e9 if b["GFLOPS"] > 1e6 else b["GFLOPS"])
            continue
        times[name].append(b["real_time"])

def parse(case):
    m = re.match(r"m(\d+)n(\d+)k(\d+)(t..)?$", case)
    return int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4) or ""

cases = [n.split(":", 2)[2] for n in times if n.startswith("gemm:mcdl:")]
best_peak = max((max(v) for v in peak.values()), default=None)
for n, v in sorted(peak.items()):
    print("%s: max %.1f GFLOPS, median %.1f over %d runs" % (n, max(v), statistics.median(v), len(v)))
print()
print("| shape MxNxK | mcdl min us | mcdl GFLOPS (min) | % of FMA peak | oneDNN min us | oneDNN/mcdl (min) | oneDNN/mcdl (median) | OpenBLAS/mcdl (min) |")
print("|---|---|---|---|---|---|---|---|")
rmin, rmed, rob, rows = [], [], [], []
for c in cases:
    M, N, K, t = parse(c)
    tm = times["gemm:mcdl:" + c]
    to = times.get("gemm:onednn:" + c)
    tb = times.get("gemm:openblas:" + c)
    gf = 2.0 * M * N * K / min(tm)
    r1 = min(to) / min(tm) if to else None
    r2 = statistics.median(to) / statistics.median(tm) if to else None
    r3 = min(tb) / min(tm) if tb else None
    if r1 and not t:
        rmin.append(r1), rmed.append(r2)
    if r3 and not t:
        rob.append(r3)
    thr = ""
    print("| %dx%dx%d%s | %.1f | %.1f | %s | %s | %s | %s | %s |" % (
        M, N, K, " " + t[1:] if t else "", min(tm) / 1e3, gf,
        "%.0f%%" % (100 * gf / best_peak) if best_peak and M * N * K >= 256 ** 3 else "",
        "%.1f" % (min(to) / 1e3) if to else "-", "%.2f" % r1 if r1 else "-",
        "%.2f" % r2 if r2 else "-", "%.2f" % r3 if r3 else "-"))

def gm(x):
    return math.exp(sum(map(math.log, x)) / len(x)) if x else float("nan")

print()
if rmin:
    print("geomean oneDNN/mcdl over the %d NN shapes: %.3f from minima (lowest %.2f), %.3f from medians (lowest %.2f)" % (
        len(rmin), gm(rmin), min(rmin), gm(rmed), min(rmed)))
if rob:
    print("geomean OpenBLAS/mcdl over the NN shapes (minima): %.3f" % gm(rob))
