#!/usr/bin/python3
"""Training step time of two seed models (SEED_MODELS.md: ffnn, autoencoder) with `mcdl train`
for each thread count, written as Google Benchmark JSON (DIR/raw/seed_train.t<n>.json) so
analyze.py treats them like the kernel benches. The models are written as Keras 3 JSON and
the data as random .npy (standard library only); the time per step is the one mcdl train
prints for each epoch, best over epochs after the first and over repetitions. GFLOPS counts
6 x parameters x batch per step (forward 2, backward 4 flops per weight and sample).
usage: seed_train.py MCDL_BINARY OUT_DIR "1 2 ..." REPS"""
import json
import os
import random
import re
import struct
import subprocess
import sys

MODELS = {
    # name: (input width, [(units, activation)], loss, params, batch, samples, epochs)
    "ffnn": (20, [(64, "relu"), (32, "relu"), (1, "sigmoid")], "binary_crossentropy", 3457,
             256, 8192, 3),
    "autoencoder": (784, [(128, "relu"), (64, "relu"), (32, "relu"), (64, "relu"),
                          (128, "relu"), (784, "sigmoid")], "mse", 222384, 256, 1024, 3),
}


def save_npy(path, shape, values):
    hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % (
        ", ".join(map(str, shape)) + ("," if len(shape) == 1 else ""))
    hdr += " " * (63 - (10 + len(hdr)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode())
        f.write(struct.pack("<%df" % len(values), *values))


def keras_sequential(name, width, layers):
    def dense(i, units, act):
        return {"module": "keras.layers", "class_name": "Dense",
                "config": {"name": f"dense_{i}", "units": units, "activation": act,
                           "use_bias": True,
                           "kernel_initializer": {"module": "keras.initializers",
                                                  "class_name": "GlorotUniform",
                                                  "config": {"seed": None}},
                           "bias_initializer": {"module": "keras.initializers",
                                                "class_name": "Zeros", "config": {}}}}
    ls = [{"module": "keras.layers", "class_name": "InputLayer",
           "config": {"batch_shape": [None, width], "dtype": "float32", "name": "input"}}]
    ls += [dense(i, u, a) for i, (u, a) in enumerate(layers)]
    return {"module": "keras", "class_name": "Sequential", "config": {"name": name, "layers": ls}}


def step_seconds(text):
    """Per-step times of the epochs after the first, from lines like '... 154us/step ...'."""
    out = []
    for m in re.finditer(r"Epoch (\d+)/\d+.*?([\d.]+)(us|ms|s)/step", text):
        if int(m.group(1)) > 1:
            out.append(float(m.group(2)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[m.group(3)])
    return out


def main(mcdl, out, threads, reps):
    data = os.path.join(out, "seed_data")
    os.makedirs(data, exist_ok=True)
    os.makedirs(os.path.join(out, "raw"), exist_ok=True)
    rng = random.Random(1)
    for name, (width, layers, loss, _, _, n, _) in MODELS.items():
        with open(os.path.join(data, name + ".json"), "w") as f:
            json.dump(keras_sequential(name, width, layers), f)
        x = [rng.random() for _ in range(n * width)]
        save_npy(os.path.join(data, name + "_x.npy"), (n, width), x)
        if name == "autoencoder":
            save_npy(os.path.join(data, name + "_y.npy"), (n, width), x)
        else:
            save_npy(os.path.join(data, name + "_y.npy"), (n, 1),
                     [float(rng.random() < 0.5) for _ in range(n)])
    for t in threads:
        entries = []
        for name, (_, _, loss, params, batch, _, epochs) in MODELS.items():
            best = None
            for _ in range(reps):
                cmd = [mcdl, "train", os.path.join(data, name + ".json"),
                       "--x", os.path.join(data, name + "_x.npy"),
                       "--y", os.path.join(data, name + "_y.npy"), "--loss", loss,
                       "--epochs", str(epochs), "--batch-size", str(batch),
                       "--threads", str(t), "--seed", "1",
                       "--save", os.path.join(data, name + ".mcdl")]
                r = subprocess.run(cmd, capture_output=True, text=True)
                if r.returncode != 0:
                    sys.exit(f"seed_train.py: {' '.join(cmd)} failed:\n{r.stderr}")
                steps = step_seconds(r.stdout + r.stderr)
                if steps and (best is None or min(steps) < best):
                    best = min(steps)
            if best is None:
                sys.exit(f"seed_train.py: no per-step time in the output of mcdl train ({name})")
            entries.append({"name": f"train:mcdl:{name}_b{batch}",
                            "run_name": f"train:mcdl:{name}_b{batch}", "run_type": "iteration",
                            "real_time": best, "cpu_time": best, "time_unit": "s",
                            "GFLOPS": 6.0 * params * batch / best * 1e-9, "threads": t})
        with open(os.path.join(out, "raw", f"seed_train.t{t}.json"), "w") as f:
            json.dump({"context": {"source": "seed_train.py"}, "benchmarks": entries}, f,
                      indent=1)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__.splitlines()[-1])
    main(sys.argv[1], sys.argv[2], [int(x) for x in sys.argv[3].split()], int(sys.argv[4]))
