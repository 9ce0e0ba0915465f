#!/usr/bin/env bash
# The seed models from the command line: `mcdl summary` accepts every Keras JSON file in
# experiments/models/ with Keras' parameter count, and `mcdl bench` prints one JSON line
# per requested model with positive figures (and refuses unknown names with exit 2).
# Args: mcdl-binary source-dir build-dir
set -uo pipefail
mcdl=$1 src=$2
fail=0
declare -A params=([ffnn]=3,457 [simplernn]=5,763 [lstm]=19,779 [gru]=15,299 [nested_rnn]=8,355
  [birnn]=11,459 [cnn]=151,651 [multimodal]=993,923 [iris]=4,675 [autoencoder]=222,384 [mnist_cnn]=693,962 [lstm_forecast]=19,009)
if "$mcdl" --help | grep -q '^  summary'; then
  for name in "${!params[@]}"; do
    f=$src/experiments/models/$name.json
    got=$("$mcdl" summary "$f" 2>&1 | grep '^Total params' || true)
    if [[ $got != "Total params: ${params[$name]} "* ]]; then
      echo "FAIL summary $name: '$got', want ${params[$name]}"; fail=1
    fi
  done
fi
# The XOR, GAN, ensemble and grid-search models: summary counts, then a short train and
# predict through the CLI (gan.json keeps its discriminator frozen through training).
declare -A params_b=([xor]=17 [ensemble_member]=4,385 [grid_search_lstm64]=16,961
  [gan_generator]=1,030,017 [gan_discriminator]=50,817 [gan]=1,080,834)
if "$mcdl" --help | grep -q '^  train'; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  for name in "${!params_b[@]}"; do
    got=$("$mcdl" summary "$src/experiments/models/$name.json" 2>&1 | grep '^Total params' || true)
    if [[ $got != "Total params: ${params_b[$name]} "* ]]; then
      echo "FAIL summary $name: '$got', want ${params_b[$name]}"; fail=1
    fi
  done
  python3 - "$src/tests/cli" "$work" <<'PY'
import os, sys
sys.path.insert(0, sys.argv[1])
from npy_tool import Lcg, f32, npy_bytes
w, rng = sys.argv[2], Lcg(11)
def save(name, shape, values):
    with open(os.path.join(w, name), "wb") as f:
        f.write(npy_bytes(shape, [f32(v) for v in values]))
def uniform(n, lo, hi):
    return [rng.uniform(lo, hi) for _ in range(n)]
save("xor_x.npy", (4, 2), [0, 0, 0, 1, 1, 0, 1, 1])
save("xor_y.npy", (4, 1), [0, 1, 1, 0])
save("z.npy", (8, 100), uniform(800, -2, 2))
save("img.npy", (8, 28, 28, 1), uniform(8 * 784, -1, 1))
save("seq.npy", (8, 10, 1), uniform(80, 0, 1))
save("ones.npy", (8, 1), [1] * 8)
save("alt.npy", (8, 1), [i % 2 for i in range(8)])
PY
  m=$src/experiments/models
  # name | model | x | y | extra train flags | predict output shape
  cases=("xor|$m/xor.json|xor_x|xor_y|--optimizer sgd --lr 0.1 --batch-size 4|(4, 1)"
    "disc|$m/gan_discriminator.json|img|alt||(8, 1)"
    "gan|$m/gan.json|z|ones||(8, 1)"
    "ens|$m/ensemble_member.json|seq|alt||(8, 1)")
  for c in "${cases[@]}"; do
    IFS='|' read -r tag model x y flags shape <<<"$c"
    # shellcheck disable=SC2086
    if ! "$mcdl" train "$model" --x "$work/$x.npy" --y "$work/$y.npy" --loss binary_crossentropy \
      --epochs 2 --threads 1 --seed 1 $flags --save "$work/$tag.mcdl" >"$work/$tag.log" 2>&1; then
      echo "FAIL train $tag:"; cat "$work/$tag.log"; fail=1; continue
    fi
    if ! "$mcdl" predict "$work/$tag.mcdl" --x "$work/$x.npy" --out "$work/$tag.npy" --threads 1 \
      >/dev/null 2>&1; then
      echo "FAIL predict $tag"; fail=1; continue
    fi
    got=$(head -c 128 "$work/$tag.npy" | grep -ao "'shape': ([0-9, ]*)" || true)
    [[ $got == "'shape': $shape" ]] || { echo "FAIL predict $tag: $got, want $shape"; fail=1; }
  done
  got=$("$mcdl" summary "$work/gan.mcdl" 2>&1 | grep '^Non-trainable params' || true)
  [[ $got == "Non-trainable params: 50,817 "* ]] ||
    { echo "FAIL gan.mcdl after train: '$got', want the discriminator's 50,817 frozen"; fail=1; }
  if "$mcdl" predict "$m/gan_generator.json" --x "$work/z.npy" --out "$work/g.npy" --threads 1 \
    >/dev/null 2>&1; then
    got=$(head -c 128 "$work/g.npy" | grep -ao "'shape': ([0-9, ]*)" || true)
    [[ $got == "'shape': (8, 28, 28, 1)" ]] || { echo "FAIL predict generator: $got"; fail=1; }
  else
    echo "FAIL predict generator"; fail=1
  fi
fi
out=$("$mcdl" bench --json --only ffnn,simplernn --seconds 0.2 --threads 1)
for name in ffnn simplernn; do
  if ! grep -Eq "^\{\"model\": \"$name\", \"train_samples_per_s\": [0-9]+\.[0-9], \"infer_b1_us\": [0-9]+\.[0-9]\}$" <<<"$out"; then
    echo "FAIL bench $name: $out"; fail=1
  fi
done
"$mcdl" bench --only nosuch >/dev/null 2>&1
rc=$?
[[ $rc -eq 2 ]] || { echo "FAIL bench --only nosuch exit $rc, want 2"; fail=1; }
[[ $fail -eq 0 ]] && echo "seeds cli: all passed"
exit $fail
