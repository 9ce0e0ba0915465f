#!/usr/bin/env bash
# The file-based mcdl commands end to end: summary of Keras JSON files, predict with .npz
# weights against an independent Python forward pass (1e-5), train -> .mcdl -> evaluate /
# predict / export-weights round trips, and the exit codes and messages of bad input.
# Args: mcdl-binary source-dir build-dir
set -uo pipefail
mcdl=$1 src=$2 build=$3
if ! "$mcdl" --help | grep -q '^  predict'; then
  echo "skipped: this mcdl was built without MCDL_WITH_FILES"
  exit 77
fi
work=$(mktemp -d "$build/cli_model_files.XXXXXX")
trap 'rm -rf "$work"' EXIT
json=$src/tests/data/keras_json
tool="python3 $src/tests/cli/npy_tool.py"
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
# expect CODE PATTERN -- command...: exit code and a pattern in stdout+stderr
expect() {
  local code=$1 pattern=$2
  shift 3
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [[ $rc -ne $code ]]; then bad "exit $rc (want $code): $* :: $out"; return; fi
  if [[ -n "$pattern" ]] && ! grep -qE -- "$pattern" <<<"$out"; then
    bad "output lacks /$pattern/: $* :: $out"; return
  fi
  ok
}

# ---- summary ----
expect 0 'Total params: 3,457' -- "$mcdl" summary "$json/ffnn_keras3_sequential.json"
expect 0 'Total params: 186' -- "$mcdl" summary "$json/shared_dense_tfkeras2_functional.json"
expect 2 'model file is required' -- "$mcdl" summary
expect 1 'no_such.json' -- "$mcdl" summary "$work/no_such.json"
echo '{"class_name": "Sequential", "config": {"layers": [' >"$work/trunc.json"
expect 1 'not valid JSON' -- "$mcdl" summary "$work/trunc.json"

# ---- predict with .npz weights vs an independent forward pass ----
$tool make-dense-case "$json/ffnn_keras3_sequential.json" "$work/ffnn" 50 7 || bad "make-dense-case"
expect 0 '' -- "$mcdl" predict "$json/ffnn_keras3_sequential.json" --weights "$work/ffnn/w.npz" \
  --x "$work/ffnn/x.npy" --out "$work/ffnn/y_mcdl.npy" --batch-size 16
expect 0 'max' -- $tool compare "$work/ffnn/y_mcdl.npy" "$work/ffnn/expected.npy" 1e-5

# ---- train -> .mcdl -> evaluate / predict / export-weights ----
expect 0 'saved model' -- "$mcdl" train "$json/ffnn_keras3_sequential.json" --x "$work/ffnn/x.npy" \
  --y "$work/ffnn/y.npy" --loss binary_crossentropy --metrics accuracy --epochs 3 \
  --batch-size 10 --validation-split 0.2 --seed 3 --threads 1 --save "$work/m.mcdl"
expect 0 '^loss: [0-9.]+' -- "$mcdl" evaluate "$work/m.mcdl" --x "$work/ffnn/x.npy" --y "$work/ffnn/y.npy"
expect 0 'accuracy: [0-9.]+' -- "$mcdl" evaluate "$work/m.mcdl" --x "$work/ffnn/x.npy" --y "$work/ffnn/y.npy"
expect 0 'Total params: 3,457' -- "$mcdl" summary "$work/m.mcdl"
expect 0 '' -- "$mcdl" predict "$work/m.mcdl" --x "$work/ffnn/x.npy" --out "$work/p1.npy"
expect 0 'wrote 6 weights' -- "$mcdl" export-weights "$work/m.mcdl" "$work/w2.npz"
expect 0 '' -- "$mcdl" predict "$json/ffnn_keras3_sequential.json" --weights "$work/w2.npz" \
  --x "$work/ffnn/x.npy" --out "$work/p2.npy"
if cmp -s "$work/p1.npy" "$work/p2.npy"; then ok; else bad "predict from .mcdl and from exported .npz differ"; fi
expect 0 '' -- "$mcdl" predict "$json/ffnn_keras3_sequential.json" --weights "$work/m.mcdl" \
  --x "$work/ffnn/x.npy" --out "$work/p3.npy"
if cmp -s "$work/p1.npy" "$work/p3.npy"; then ok; else bad "--weights M.mcdl differs"; fi
# Continue training from the .mcdl (its loss and optimizer state are kept).
expect 0 'saved model' -- "$mcdl" train "$work/m.mcdl" --x "$work/ffnn/x.npy" --y "$work/ffnn/y.npy" \
  --epochs 1 --save "$work/m2.mcdl"
# Same seed and threads: bitwise identical training.
expect 0 'saved model' -- "$mcdl" train "$json/ffnn_keras3_sequential.json" --x "$work/ffnn/x.npy" \
  --y "$work/ffnn/y.npy" --loss binary_crossentropy --metrics accuracy --epochs 3 \
  --batch-size 10 --validation-split 0.2 --seed 3 --threads 1 --save "$work/m_again.mcdl"
expect 0 '' -- "$mcdl" predict "$work/m_again.mcdl" --x "$work/ffnn/x.npy" --out "$work/p4.npy"
if cmp -s "$work/p1.npy" "$work/p4.npy"; then ok; else bad "two identical training runs differ"; fi

# ---- two-input functional model ----
$tool make-dense-case "$json/ffnn_keras3_sequential.json" "$work/two" 5 9 >/dev/null
python3 - "$work" <<'PY'
import struct, sys
def npy(shape, vals):
    d = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % shape
    pad = (64 - (10 + len(d) + 1) % 64) % 64
    h = (d + " " * pad + "\n").encode()
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + struct.pack("<%df" % len(vals), *vals)
for name in ("a", "b"):
    open("%s/%s.npy" % (sys.argv[1], name), "wb").write(npy((4, 16), [0.01 * i for i in range(64)]))
PY
expect 0 '' -- "$mcdl" predict "$json/shared_dense_tfkeras2_functional.json" --x "$work/a.npy" \
  --x "$work/b.npy" --out "$work/ab.npy"
expect 2 '2 input' -- "$mcdl" predict "$json/shared_dense_tfkeras2_functional.json" --x "$work/a.npy" \
  --out "$work/ab.npy"

# ---- a model with two outputs: one --out per output, in order ----
cat >"$work/two_out.json" <<'JSON'
{"class_name": "Functional", "config": {"name": "heads", "layers": [
 {"class_name": "InputLayer", "name": "x", "config": {"batch_shape": [null, 16], "name": "x"}, "inbound_nodes": []},
 {"class_name": "Dense", "name": "a", "config": {"name": "a", "units": 3}, "inbound_nodes": [[["x", 0, 0, {}]]]},
 {"class_name": "Dense", "name": "b", "config": {"name": "b", "units": 2, "activation": "softmax"}, "inbound_nodes": [[["x", 0, 0, {}]]]}],
 "input_layers": [["x", 0, 0]], "output_layers": [["a", 0, 0], ["b", 0, 0]]}}
JSON
expect 0 '' -- "$mcdl" predict "$work/two_out.json" --x "$work/a.npy" --out "$work/oa.npy" --out "$work/ob.npy"
shapes=$(python3 -c "
import ast, sys
for p in sys.argv[1:]:
    d = open(p, 'rb').read()
    n = d[8] | d[9] << 8
    print(ast.literal_eval(d[10:10 + n].decode())['shape'])" "$work/oa.npy" "$work/ob.npy" | tr '\n' ' ')
[[ "$shapes" == "(4, 3) (4, 2) " ]] && ok || bad "two-output shapes: $shapes"

# ---- bad usage (exit 2) and bad input (exit 1, the sentence on stderr) ----
expect 2 'unknown command' -- "$mcdl" frobnicate
expect 2 'unknown option' -- "$mcdl" predict "$work/m.mcdl" --bogus 1
expect 2 'needs --x and --out' -- "$mcdl" predict "$work/m.mcdl"
expect 2 'needs a value' -- "$mcdl" predict "$work/m.mcdl" --x
expect 2 'positive integer' -- "$mcdl" train "$work/m.mcdl" --x a --y b --save c --epochs zero
expect 2 'needs --loss' -- "$mcdl" train "$json/ffnn_keras3_sequential.json" --x "$work/ffnn/x.npy" \
  --y "$work/ffnn/y.npy" --save "$work/x.mcdl"
expect 2 'train needs' -- "$mcdl" train "$json/ffnn_keras3_sequential.json" --loss mse
expect 2 'export-weights takes' -- "$mcdl" export-weights "$work/m.mcdl"
expect 1 'unknown_loss' -- "$mcdl" train "$json/ffnn_keras3_sequential.json" --x "$work/ffnn/x.npy" \
  --y "$work/ffnn/y.npy" --loss unknown_loss --save "$work/x.mcdl"
expect 1 "weight 'dense/kernel' has shape \(3, 2\).*\(20, 64\)" -- "$mcdl" predict \
  "$json/ffnn_keras3_sequential.json" --weights "$src/tests/data/weights_stored.npz" \
  --x "$work/ffnn/x.npy" --out "$work/z.npy"
expect 1 'bad_crc.npz.*CRC' -- "$mcdl" predict "$json/ffnn_keras3_sequential.json" \
  --weights "$src/tests/data/bad_crc.npz" --x "$work/ffnn/x.npy" --out "$work/z.npy"
expect 1 'Fortran-ordered' -- "$mcdl" predict "$work/m.mcdl" --x "$src/tests/data/bad_fortran.npy" \
  --out "$work/z.npy"
head -c 700 "$work/m.mcdl" >"$work/trunc.mcdl"
expect 1 'trunc.mcdl' -- "$mcdl" summary "$work/trunc.mcdl"
expect 1 'not an mcdl model file' -- "$mcdl" export-weights "$src/tests/data/weights_stored.npz" "$work/q.npz"
[[ ! -e "$work/z.npy" && ! -e "$work/x.mcdl" ]] && ok || bad "a failed command left an output file"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
