#!/usr/bin/env bash
# Thread-scaling study and roofline: runs tools/peak once, then every bench case listed in
# cases.txt and two seed models' training (seed_train.py) with 1, 2, ... N threads (N = nproc
# by default), and writes tables, CSVs and PNG
# plots (gnuplot) to the output directory. Details: experiments/RESULTS.md "Scaling and
# roofline".
# usage: experiments/scaling/run.sh [--out DIR] [--threads "1 2 4 ..."] [--reps N]
#                                   [--min-time S] [--build DIR] [--skip-peak] [--skip-train]
# On a many-core machine export OMP_PLACES=cores OMP_PROC_BIND=close first (and see the
# NUMA notes in RESULTS.md); the script keeps whatever OMP_PLACES/OMP_PROC_BIND you set.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out="$here/results" build="$repo/build/release" reps=3 min_time=0.2 skip_peak=0 skip_train=0
threads=$(seq 1 "$(nproc)" | tr '\n' ' ')
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out=${2:?}; shift 2 ;;
    --threads) threads=${2:?}; shift 2 ;;
    --reps) reps=${2:?}; shift 2 ;;
    --min-time) min_time=${2:?}; shift 2 ;;
    --build) build=${2:?}; shift 2 ;;
    --skip-peak) skip_peak=1; shift ;;
    --skip-train) skip_train=1; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
# Sleeping (not spinning) idle OpenMP threads: on a shared machine a spinning thread uses up
# its scheduler share and then loses the CPU exactly when the work arrives (tools/peak's
# 2-thread FMA figure drops from ~235 to 8-30 GFLOPS at load 13 without this).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
mkdir -p "$out/raw"
{ echo "date: $(date -u +%FT%TZ)"; echo "uptime: $(uptime)"; echo "threads: $threads";
  echo "OMP_PLACES=${OMP_PLACES:-} OMP_PROC_BIND=${OMP_PROC_BIND:-} OMP_WAIT_POLICY=$OMP_WAIT_POLICY"; } > "$out/run-info.txt"

if [[ $skip_peak -eq 0 || ! -f "$out/peak.json" ]]; then
  echo "== tools/peak" >&2
  "$build/tools/peak" --json "$out/peak.json" --threads "$(echo $threads | awk '{print $NF}')" \
    > "$out/peak.txt"
fi

while read -r bin regex; do
  [[ -z "$bin" || "$bin" == \#* ]] && continue
  exe="$build/bench/$bin"
  if [[ ! -x "$exe" ]]; then echo "-- $bin not built: skipped" >&2; continue; fi
  for t in $threads; do
    echo "== $bin ($regex) threads=$t" >&2
    OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t MCDL_BENCH_THREADS=$t \
      "$exe" --benchmark_filter="$regex" --benchmark_repetitions="$reps" \
      --benchmark_min_time="$min_time" --benchmark_out="$out/raw/$bin.t$t.json" \
      --benchmark_out_format=json >/dev/null
  done
done < "$here/cases.txt"
# Two seed models' training (ffnn, autoencoder) through `mcdl train`: seed_train.py.
if [[ $skip_train -eq 0 && -x "$build/tools/mcdl" ]]; then
  echo "== seed-model training (mcdl train) threads: $threads" >&2
  /usr/bin/python3 "$here/seed_train.py" "$build/tools/mcdl" "$out" "$threads" \
    "$(( reps < 3 ? reps : 3 ))"
fi
echo "uptime after: $(uptime)" >> "$out/run-info.txt"

/usr/bin/python3 "$here/analyze.py" "$out"
for gp in scaling roofline; do
  gnuplot -e "dir='$out'" "$here/$gp.gp"
done
echo "results in $out (scaling.md, scaling.png, roofline.png)" >&2
