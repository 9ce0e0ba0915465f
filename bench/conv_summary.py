#!/usr/bin/env python3
"""Summarises mcdl_bench_conv CSV runs (--benchmark_format=csv, aggregates only): per case
the median over runs of the median CPU times, the median and per-run oneDNN/mcdl ratios,
and the geometric mean / worst / best ratio per family. Usage: conv_summary.py run1.csv ..."""
import collections
import csv
import math
import statistics
import sys

def load(f):
    lines = [l for l in open(f) if l.startswith('name') or l.startswith('"')]
    med = {}
    for d in csv.DictReader(lines):
        n = d['name']
        if not n.endswith('_median'): continue
        op, impl, case = n[:-7].replace('/real_time','').split(':')
        med[(op, case, impl)] = float(d['cpu_time'])
    return med
runs = [load(f) for f in sys.argv[1:]]
fam = collections.defaultdict(list)
keys = sorted(k for k in runs[0] if k[2] == 'mcdl')
for op, case, _ in keys:
    rs = [r[(op, case, 'onednn')] / r[(op, case, 'mcdl')] for r in runs]
    m = statistics.median(rs)
    t = statistics.median(r[(op, case, 'mcdl')] for r in runs); o = statistics.median(r[(op, case, 'onednn')] for r in runs)
    fam['conv' if op in ('conv2d','deconv2d') else ('pool' if 'pool' in op else op)].append(m)
    if op in ('maxpool2d','avgpool2d'): fam[op].append(m)
    print(f"| {op} | {case} | {t:.0f} | {o:.0f} | {m:.2f} | {' '.join(f'{x:.2f}' for x in rs)} |")
for f, v in fam.items():
    g = math.exp(sum(map(math.log, v)) / len(v))
    print(f"{f}: geomean {g:.2f}, worst {min(v):.2f}, best {max(v):.2f} over {len(v)} cases")
