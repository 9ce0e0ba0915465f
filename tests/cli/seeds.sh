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
