#!/usr/bin/python3
"""Tables and plot data of the scaling study: reads DIR/raw/<bench>.t<threads>.json (Google
Benchmark, repetitions) and DIR/peak.json (tools/peak) and writes
  DIR/scaling.md     speed-up and parallel efficiency per case, % of peak, the peak check
  DIR/scaling.csv    threads and speed-up per case (columns), for scaling.gp
  DIR/roofline.csv   arithmetic intensity and GFLOPS per case at the most threads
  DIR/roofs.gp       gnuplot variables: peaks and bandwidths, for roofline.gp
Each case's time at a thread count is the best (smallest) of its repetitions: on a shared
machine interference only adds time, so the best repetition is the closest to what the
code can do. Standard library only."""
import glob
import json
import os
import re
import sys


def load(dirname):
    cases = {}  # name -> {threads: {"time": s, "gflops": x, "bps": y, "cpu": s}}
    for path in sorted(glob.glob(os.path.join(dirname, "raw", "*.t*.json"))):
        m = re.search(r"\.t(\d+)\.json$", path)
        threads = int(m.group(1))
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for b in doc.get("benchmarks", []):
            if b.get("run_type") == "aggregate" or b.get("error_occurred"):
                continue
            name = b["run_name"].replace("/real_time", "")
            scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
            t = b["real_time"] * scale
            row = cases.setdefault(name, {}).get(threads)
            if row is None or t < row["time"]:
                cases[name][threads] = {"time": t, "gflops": b.get("GFLOPS"),
                                        "bps": b.get("bytes_per_second"),
                                        "cpu": b["cpu_time"] * scale}
    return cases


def ai_from_name(name):
    """Arithmetic intensity of a GEMM case named ...:m<M>n<N>k<K>...: 2MNK flops over the
    compulsory traffic 4(MK + KN + MN) bytes (read A and B once, write C once)."""
    m = re.search(r"gemm:[^:]+:m(\d+)n(\d+)k(\d+)", name)
    if not m:
        return None
    mm, nn, kk = (int(x) for x in m.groups())
    return 2.0 * mm * nn * kk / (4.0 * (mm * kk + kk * nn + mm * nn))


def main(dirname):
    cases = load(dirname)
    if not cases:
        sys.exit(f"analyze.py: no bench results under {dirname}/raw")
    peak = {}
    pj = os.path.join(dirname, "peak.json")
    if os.path.exists(pj):
        with open(pj, encoding="utf-8") as f:
            peak = json.load(f)
    all_threads = sorted({t for c in cases.values() for t in c})
    tmax = all_threads[-1]
    p1, pall = peak.get("peak_gflops_1t"), peak.get("peak_gflops_all")
    lines = ["# Thread scaling (best of repetitions per thread count)", ""]
    info = os.path.join(dirname, "run-info.txt")
    if os.path.exists(info):
        with open(info, encoding="utf-8") as f:
            lines += ["```"] + f.read().strip().splitlines() + ["```", ""]
    hdr = "| case | " + " | ".join(f"{t} thr" for t in all_threads) + \
          f" | speed-up {tmax} thr | efficiency | GFLOPS {tmax} thr | % of peak |"
    lines += [hdr, "|" + "---|" * (hdr.count("|") - 1)]
    csv_names = []
    for name in sorted(cases):
        c = cases[name]
        if 1 not in c:
            continue
        cells = []
        for t in all_threads:
            cells.append(f"{c[t]['time'] * 1e3:.3g} ms" if t in c else "-")
        tt = max(c)
        sp = c[1]["time"] / c[tt]["time"]
        g = c[tt]["gflops"]
        pct = f"{100 * g / pall:.0f}%" if g and pall else "-"
        gs = f"{g:.1f}" if g else "-"
        lines.append(f"| {name} | " + " | ".join(cells) +
                     f" | {sp:.2f} | {100 * sp / tt:.0f}% | {gs} | {pct} |")
        csv_names.append(name)
    with open(os.path.join(dirname, "scaling.csv"), "w", encoding="utf-8") as f:
        f.write("threads," + ",".join(csv_names) + "\n")
        for t in all_threads:
            vals = []
            for n in csv_names:
                c = cases[n]
                vals.append(f"{c[1]['time'] / c[t]['time']:.4f}" if t in c else "")
            f.write(f"{t}," + ",".join(vals) + "\n")

    # Roofline: arithmetic intensity = flops / bytes = GFLOPS * 1e9 / bytes_per_second.
    with open(os.path.join(dirname, "roofline.csv"), "w", encoding="utf-8") as f:
        f.write("# case ai_flop_per_byte gflops is_mcdl\n")
        for name in csv_names:
            r = cases[name][max(cases[name])]
            ai = ai_from_name(name)
            if r["gflops"] and r["bps"]:
                ai = r["gflops"] * 1e9 / r["bps"]
            if r["gflops"] and ai:
                f.write(f"{name} {ai:.4g} {r['gflops']:.4g} {int(':mcdl:' in name)}\n")
    lv = peak.get("levels", {})
    with open(os.path.join(dirname, "roofs.gp"), "w", encoding="utf-8") as f:
        f.write(f"peak_all = {pall or 0}\npeak_1t = {p1 or 0}\n")
        for k in ("L1", "L2", "L3", "DRAM"):
            f.write(f"bw_{k} = {lv.get(k, {}).get('gbps_all', 0)}\n")
        f.write(f"threads_max = {tmax}\n")

    # Peak check: the best GEMM GFLOPS against tools/peak's FMA figure.
    gemm = [(n, t, r) for n, c in cases.items() if re.match(r"s?gemm:", n)
            for t, r in c.items() if r["gflops"]]
    lines += ["", "# Peak check (tools/peak FMA figure vs the best GEMM measured)", ""]
    if gemm and p1:
        p1c = peak.get("peak_gflops_1t_cputime") or p1
        lines += ["One thread: both sides as work / CPU time of the thread (a loaded machine does",
                  "not change them); all threads: wall time, best repetition.", "",
                  "| threads | peak GFLOPS | best GEMM case | GEMM GFLOPS | GEMM / peak | "
                  "peak within 10% of GEMM |", "|---|---|---|---|---|---|"]
        for t, pk in ((1, p1c), (tmax, pall)):
            rows = [(n, r) for n, tt, r in gemm if tt == t]
            if not rows:
                continue
            if t == 1:
                rows = [(n, dict(r, gflops=r["gflops"] * r["time"] / r["cpu"])) for n, r in rows
                        if r["cpu"] > 0]
            n, r = max(rows, key=lambda x: x[1]["gflops"])
            g = r["gflops"]
            ok = "yes" if abs(pk - g) <= 0.1 * g else "no"
            lines.append(f"| {t} | {pk:.1f} | {n} | {g:.1f} | {100 * g / pk:.0f}% | {ok} |")
    else:
        lines.append("(no GEMM case with a GFLOPS counter, or no peak.json)")
    with open(os.path.join(dirname, "scaling.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "results"))
