#!/usr/bin/env bash
# Checkpoints survive a SIGKILL mid-write, and resume is bit-exact: an uninterrupted
# `mcdl train` of 6 epochs, then the same run with --checkpoint killed (SIGKILL) while it
# writes epoch 3's checkpoint (MCDL_TEST_WRITE_DELAY_MS makes the writer pause with half
# the bytes written), then --resume: epoch 2's checkpoint loads, the resumed run finishes,
# and its weights equal the uninterrupted run's byte for byte.
# Args: mcdl-binary source-dir build-dir
set -uo pipefail
mcdl=$1 src=$2 build=$3
if ! "$mcdl" --help | grep -q '^  predict'; then
  echo "skipped: this mcdl was built without MCDL_WITH_FILES"
  exit 77
fi
mkdir -p "$build"
work=$(mktemp -d "$build/cli_ckpt_kill.XXXXXX")
pid=
trap '[[ -n $pid ]] && kill -9 $pid 2>/dev/null; rm -rf "$work"' EXIT
json=$src/tests/data/keras_json/ffnn_keras3_sequential.json
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
python3 "$src/tests/cli/npy_tool.py" make-dense-case "$json" "$work/d" 64 5 >/dev/null
args=(--x "$work/d/x.npy" --y "$work/d/y.npy" --loss binary_crossentropy --epochs 6
      --batch-size 16 --seed 3 --threads 1)

"$mcdl" train "$json" "${args[@]}" --save "$work/full.mcdl" >/dev/null 2>&1 \
  && ok || bad "uninterrupted train"

# Killed while writing epoch 3's checkpoint.
MCDL_TEST_WRITE_DELAY_MS=1500 "$mcdl" train "$json" "${args[@]}" --checkpoint "$work/ck" \
  --every 1 --keep 2 --save "$work/never.mcdl" >"$work/killed.log" 2>&1 &
pid=$!
killed=0
for _ in $(seq 1 1200); do # up to 120 s (valgrind is slow)
  if [[ -f $work/ck/ckpt-000002.mcdl ]] && compgen -G "$work/ck/ckpt-000003.mcdl.tmp-*" >/dev/null; then
    kill -9 $pid && killed=1
    break
  fi
  kill -0 $pid 2>/dev/null || break
  sleep 0.1
done
wait $pid 2>/dev/null
pid=
[[ $killed == 1 ]] && ok || bad "did not catch the writer mid-write: $(ls "$work/ck" 2>&1) $(cat "$work/killed.log")"
[[ ! -e $work/ck/ckpt-000003.mcdl && ! -e $work/never.mcdl ]] && ok \
  || bad "a half-written checkpoint or model became visible: $(ls "$work/ck")"
"$mcdl" summary "$work/ck/ckpt-000002.mcdl" 2>&1 | grep -q 'Total params: 3,457' && ok \
  || bad "epoch 2's checkpoint does not load"

# Resume: loads epoch 2, trains epochs 3..6, removes the dead writer's temp file.
out=$("$mcdl" train "${args[@]}" --resume "$work/ck" --keep 2 --save "$work/resumed.mcdl" 2>&1)
grep -q 'after epoch 2' <<<"$out" && ok || bad "resume did not start after epoch 2: $out"
[[ -f $work/ck/ckpt-000006.mcdl && ! -e $work/ck/ckpt-000002.mcdl ]] && ok \
  || bad "resumed checkpoints (keep 2): $(ls "$work/ck")"
compgen -G "$work/ck/*.tmp-*" >/dev/null && bad "stale temp file kept: $(ls "$work/ck")" || ok

# Bitwise: the weight arrays of both models.
"$mcdl" export-weights "$work/full.mcdl" "$work/full.npz" >/dev/null 2>&1 || bad "export full"
"$mcdl" export-weights "$work/resumed.mcdl" "$work/resumed.npz" >/dev/null 2>&1 || bad "export resumed"
a=$(unzip -p "$work/full.npz" | md5sum) b=$(unzip -p "$work/resumed.npz" | md5sum)
[[ -n $a && $a == "$b" ]] && ok || bad "resumed weights differ from the uninterrupted run"

echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
