#!/usr/bin/env bash
# tools/bench-compare --rev HEAD --rev HEAD: tools/bench-baseline builds the committed HEAD
# in a temporary git worktree, runs one bench case, stores baselines/<machine>/<sha>.json
# (here under a temporary --baselines dir), removes the worktree; the second --rev reuses the
# stored file; same revision -> no regression (exit 0). Minutes (a full build): label slow.
# Args: source-dir build-dir.
set -euo pipefail
src=$1
git -C "$src" rev-parse --verify HEAD >/dev/null 2>&1 || { echo "not a git checkout: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
before=$(git -C "$src" worktree list | wc -l)
"$src/tools/bench-compare" --rev HEAD --rev HEAD --filter '^vexp:mcdl:n4096' \
  --baselines "$tmp" | tee "$tmp/out.txt"
sha=$(git -C "$src" rev-parse --short=12 HEAD)
ls "$tmp"/*/"$sha.json" >/dev/null
grep -q "0 regression(s)" "$tmp/out.txt"
after=$(git -C "$src" worktree list | wc -l)
[[ $before -eq $after ]] || { echo "FAIL: a temporary worktree was left behind"; exit 1; }
echo "PASS"
