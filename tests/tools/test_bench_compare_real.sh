#!/usr/bin/env bash
# tools/bench-compare on real runs of bench/mcdl_bench_vmath: two runs of the same build
# report no regression (exit 0); a run with MCDL_ISA=ref (the scalar path: a deliberately
# slowed kernel) is flagged on the mcdl cases and exits 1. Runs alternate A B C A B C ... with
# one repetition each and are pooled, so machine noise spreads over all sides.
# Args: source-dir build-dir (the project's build dir). Exit 77 (skip) without the bench.
set -euo pipefail
src=$1 build=$2
bench=$build/bench/mcdl_bench_vmath
[[ -x $bench ]] || { echo "no $bench (Google Benchmark missing): skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
filter='^(vexp|vtanh):(mcdl|libm):n4096'
a=() b=() r=()
for i in 1 2 3 4 5; do
  # Swap which of a/b runs first each round: a fixed order lets a warm-up or turbo effect
  # separate the two sides completely, which the rank test reads as significant.
  order="a b r"
  (( i % 2 == 0 )) && order="b a r"
  for side in $order; do
    env=()
    [[ $side == r ]] && env=(MCDL_ISA=ref)
    env "${env[@]}" OMP_NUM_THREADS=1 "$bench" --benchmark_filter="$filter" \
      --benchmark_min_time=0.05 --benchmark_repetitions=1 \
      --benchmark_out="$tmp/$side$i.json" --benchmark_out_format=json >/dev/null 2>&1
  done
  a+=("$tmp/a$i.json") b+=("$tmp/b$i.json") r+=("$tmp/r$i.json")
done
join() { local IFS=,; echo "$*"; }

echo "== same build twice: expect no regression"
set +e
# A 15 % threshold: the same build must stay well inside it on a busy machine, and the
# scalar path below is several times slower, far beyond it.
"$src/tools/bench-compare" --metric cpu_time --threshold 15 "$(join "${a[@]}")" "$(join "${b[@]}")"
rc=$?
set -e
[[ $rc -eq 0 ]] || { echo "FAIL: same build flagged (exit $rc)"; exit 1; }

echo "== MCDL_ISA=ref candidate: expect the mcdl cases flagged, exit 1"
set +e
out=$("$src/tools/bench-compare" --metric cpu_time --threshold 15 "$(join "${a[@]}")" "$(join "${r[@]}")")
rc=$?
set -e
echo "$out"
[[ $rc -eq 1 ]] || { echo "FAIL: slowed kernel not flagged (exit $rc)"; exit 1; }
for c in vexp:mcdl:n4096 vtanh:mcdl:n4096; do
  grep -E "^$c(/real_time)? .*REGRESSION" <<<"$out" >/dev/null ||
    { echo "FAIL: $c not flagged"; exit 1; }
done
echo "PASS"
