#!/usr/bin/env bash
# The Keras JSON files of the image, text and forecasting experiments (transformer,
# imdb_lstm, resnet, cifar_cnn, stacked_lstm_forecast in experiments/models/): `mcdl summary`
# reads each with Keras' total (and, for resnet, non-trainable) parameter count.
# Args: mcdl-binary source-dir build-dir
set -uo pipefail
mcdl=$1 src=$2
fail=0
declare -A params=([transformer]=1,544,193 [imdb_lstm]=10,451 [resnet]=880,266
  [cifar_cnn]=122,570 [stacked_lstm_forecast]=52,545)
"$mcdl" --help | grep -q '^  summary' || { echo "skipped: no summary command"; exit 0; }
for name in "${!params[@]}"; do
  out=$("$mcdl" summary "$src/experiments/models/$name.json" 2>&1)
  got=$(grep '^Total params' <<<"$out" || true)
  if [[ $got != "Total params: ${params[$name]} "* ]]; then
    echo "FAIL summary $name: '$got', want ${params[$name]}"; fail=1
  fi
done
got=$("$mcdl" summary "$src/experiments/models/resnet.json" 2>&1 | grep '^Non-trainable' || true)
[[ $got == "Non-trainable params: 768 "* ]] || { echo "FAIL resnet non-trainable: '$got'"; fail=1; }
[[ $fail -eq 0 ]] && echo "experiment models cli: all passed"
exit $fail
