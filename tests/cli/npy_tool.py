#!/usr/bin/env python3
"""Independent reference for the CLI tests (Python 3 standard library only, no NumPy):

  npy_tool.py make-dense-case MODEL.json OUTDIR N SEED
      For a Sequential model of Dense layers (Keras JSON), writes OUTDIR/w.npz with random
      weights keyed by Keras variable paths (dense/kernel, dense/bias, ...), OUTDIR/x.npy
      (N, in) inputs, OUTDIR/expected.npy = the forward pass computed here in double
      precision, and OUTDIR/y.npy (N, 1) 0/1 labels for training.
  npy_tool.py compare A.npy B.npy TOL
      Exit 0 when both arrays have one shape and max |a - b| <= TOL, else print why, exit 1.
"""
import ast
import json
import math
import os
import struct
import sys
import zipfile


def npy_bytes(shape, values):
    shape_txt = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    d = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % shape_txt
    pad = (64 - (10 + len(d) + 1) % 64) % 64
    h = (d + " " * pad + "\n").encode("latin1")
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + struct.pack(
        "<%df" % len(values), *values)


def read_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        raise ValueError("%s: not an .npy file" % path)
    hlen = struct.unpack("<H", data[8:10])[0]
    header = ast.literal_eval(data[10:10 + hlen].decode("latin1"))
    if header["descr"] != "<f4" or header["fortran_order"]:
        raise ValueError("%s: want C-ordered <f4, got %r" % (path, header))
    shape = tuple(header["shape"])
    n = 1
    for d in shape:
        n *= d
    return shape, list(struct.unpack("<%df" % n, data[10 + hlen:10 + hlen + 4 * n]))


class Lcg:
    """A fixed generator, so the case is the same on every machine."""

    def __init__(self, seed):
        self.s = seed & 0xFFFFFFFFFFFFFFFF

    def uniform(self, lo, hi):
        self.s = (self.s * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        return lo + (hi - lo) * ((self.s >> 11) / float(1 << 53))


def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


ACT = {
    "linear": lambda v: v,
    "relu": lambda v: [max(0.0, a) for a in v],
    "sigmoid": lambda v: [1.0 / (1.0 + math.exp(-a)) for a in v],
    "tanh": lambda v: [math.tanh(a) for a in v],
}


def softmax(v):
    m = max(v)
    e = [math.exp(a - m) for a in v]
    s = sum(e)
    return [a / s for a in e]


def make_dense_case(model_path, outdir, n, seed):
    with open(model_path) as f:
        model = json.load(f)
    layers = model["config"]["layers"]
    rng = Lcg(seed)
    width = None
    dense = []
    for layer in layers:
        cfg = layer["config"]
        if layer["class_name"] == "InputLayer":
            shape = cfg.get("batch_shape") or cfg.get("batch_input_shape")
            width = shape[1]
            continue
        if layer["class_name"] != "Dense":
            sys.exit("make-dense-case handles Dense layers only, not %s" % layer["class_name"])
        units = cfg["units"]
        k = [f32(rng.uniform(-0.5, 0.5)) for _ in range(width * units)]
        b = [f32(rng.uniform(-0.1, 0.1)) for _ in range(units)]
        dense.append((cfg["name"], width, units, cfg.get("activation", "linear"), k, b))
        width = units
    os.makedirs(outdir, exist_ok=True)
    with zipfile.ZipFile(os.path.join(outdir, "w.npz"), "w") as z:
        for name, fin, units, _, k, b in dense:
            z.writestr(name + "/kernel.npy", npy_bytes((fin, units), k))
            z.writestr(name + "/bias.npy", npy_bytes((units,), b))
    fin0 = dense[0][1]
    x = [f32(rng.uniform(-2.0, 2.0)) for _ in range(n * fin0)]
    out, labels = [], []
    for i in range(n):
        v = x[i * fin0:(i + 1) * fin0]
        for _, fin, units, act, k, b in dense:
            v = [b[j] + sum(v[p] * k[p * units + j] for p in range(fin)) for j in range(units)]
            v = softmax(v) if act == "softmax" else ACT[act](v)
        out.extend(v)
        labels.append(1.0 if sum(x[i * fin0:(i + 1) * fin0]) > 0 else 0.0)
    with open(os.path.join(outdir, "x.npy"), "wb") as f:
        f.write(npy_bytes((n, fin0), x))
    with open(os.path.join(outdir, "expected.npy"), "wb") as f:
        f.write(npy_bytes((n, dense[-1][2]), [f32(v) for v in out]))
    with open(os.path.join(outdir, "y.npy"), "wb") as f:
        f.write(npy_bytes((n, 1), labels))


def compare(a_path, b_path, tol):
    sa, a = read_npy(a_path)
    sb, b = read_npy(b_path)
    if sa != sb:
        print("shapes differ: %s %s vs %s %s" % (a_path, sa, b_path, sb))
        return 1
    worst = max((abs(p - q) for p, q in zip(a, b)), default=0.0)
    if not worst <= tol:
        print("max |difference| %.3g > %.3g" % (worst, tol))
        return 1
    print("max |difference| %.3g <= %.3g over %d values" % (worst, tol, len(a)))
    return 0


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "make-dense-case":
        make_dense_case(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
        return 0
    if len(sys.argv) == 5 and sys.argv[1] == "compare":
        return compare(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
