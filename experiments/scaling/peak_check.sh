#!/usr/bin/env bash
# Checks tools/peak's 1-core FMA figure against the best single-thread GEMM measured: many
# short repetitions (5 ms each) so that on a shared machine some of them run undisturbed,
# best repetition per case, wall time and thread CPU time. Prints a table; exit 0 when the
# peak is within 10% of the best GEMM (by either clock), 1 otherwise.
# usage: experiments/scaling/peak_check.sh [--build DIR] [--reps N] [--filter REGEX]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build="$here/../../build/release" reps=30
filter='^gemm:(mcdl|onednn|openblas):(m256n256k256|m512n512k512|m1024n1024k1024)/'
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build=${2:?}; shift 2 ;;
    --reps) reps=${2:?}; shift 2 ;;
    --filter) filter=${2:?}; shift 2 ;;
    *) echo "peak_check.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}  # see run.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "load before: $(uptime)"
"$build/tools/peak" --threads 1 --seconds 2 --max-mib 1 --json "$tmp/peak.json" >/dev/null
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MCDL_BENCH_THREADS=1 "$build/bench/mcdl_bench_gemm" \
  --benchmark_filter="$filter" --benchmark_min_time=0.005 --benchmark_repetitions="$reps" \
  --benchmark_out="$tmp/gemm.json" --benchmark_out_format=json >/dev/null 2>&1
echo "load after:  $(uptime)"
/usr/bin/python3 - "$tmp/peak.json" "$tmp/gemm.json" <<'PY'
import json, sys
peak = json.load(open(sys.argv[1]))
best = {}
for b in json.load(open(sys.argv[2]))["benchmarks"]:
    if b.get("run_type") != "iteration" or "GFLOPS" not in b:
        continue
    name = b["run_name"].replace("/real_time", "")
    g = b["GFLOPS"]
    gc = g * b["real_time"] / b["cpu_time"] if b["cpu_time"] > 0 else 0
    w, c = best.get(name, (0, 0))
    best[name] = (max(w, g), max(c, gc))
p_wall, p_cpu = peak["peak_gflops_1t"], peak["peak_gflops_1t_cputime"]
print(f"tools/peak 1 core: {p_wall:.1f} GFLOPS (wall), {p_cpu:.1f} (thread CPU time)")
print(f"{'case':<30} {'best wall':>10} {'best cpu':>10}")
for n in sorted(best):
    print(f"{n:<30} {best[n][0]:>10.1f} {best[n][1]:>10.1f}")
bw = max(best.items(), key=lambda kv: kv[1][0])
bc = max(best.items(), key=lambda kv: kv[1][1])
ok_w = abs(p_wall - bw[1][0]) <= 0.1 * bw[1][0]
ok_c = abs(p_cpu - bc[1][1]) <= 0.1 * bc[1][1]
print(f"wall: best GEMM {bw[0]} {bw[1][0]:.1f} = {100 * bw[1][0] / p_wall:.0f}% of peak "
      f"-> peak within 10%: {'yes' if ok_w else 'no'}")
print(f"cpu:  best GEMM {bc[0]} {bc[1][1]:.1f} = {100 * bc[1][1] / p_cpu:.0f}% of peak "
      f"-> peak within 10%: {'yes' if ok_c else 'no'}")
sys.exit(0 if ok_w or ok_c else 1)
PY
