#!/usr/bin/env bash
# tools/bench-compare --instructions: callgrind counts of one tiny bench case are identical
# for two runs of the same binary (exit 0, +0.00%); counting the scalar path
# (--cand-env MCDL_ISA=ref) is flagged (exit 1). Args: source-dir build-dir.
set -euo pipefail
src=$1 build=$2
bench=$build/bench/mcdl_bench_vmath
[[ -x $bench ]] || { echo "no $bench (Google Benchmark missing): skipped"; exit 77; }
command -v valgrind >/dev/null || { echo "valgrind missing: skipped"; exit 77; }
out=$("$src/tools/bench-compare" --instructions --tool callgrind "$bench" "$bench" \
      --case '^vexp:mcdl:n4096')
echo "$out"
row=$(grep '^vexp:mcdl:n4096' <<<"$out")
read -r _ base cand change verdict <<<"$row"
[[ $base -gt 1000 && $base -eq $cand && $change == "+0.00%" && $verdict == same ]] ||
  { echo "FAIL: counts differ between two runs of one binary: $row"; exit 1; }
set +e
out=$("$src/tools/bench-compare" --instructions --tool callgrind "$bench" "$bench" \
      --case '^vexp:mcdl:n4096' --cand-env MCDL_ISA=ref)
rc=$?
set -e
echo "$out"
[[ $rc -eq 1 ]] && grep -q REGRESSION <<<"$out" ||
  { echo "FAIL: scalar path not flagged (exit $rc)"; exit 1; }
echo "PASS"
