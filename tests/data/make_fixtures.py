#!/usr/bin/env python3
"""Writes the .npy/.npz/CSV/IDX fixtures of mcdl's file tests (tests/data/*).

Python 3 standard library only (no NumPy): the .npy format is written by hand exactly as
numpy.lib.format does (magic, version, little-endian header length, a dict literal padded
with spaces to a 64-byte boundary and ended by a newline), and .npz archives with zipfile
(ZIP_STORED as np.savez, ZIP_DEFLATED as np.savez_compressed). Damaged variants are derived
from good ones. Run from anywhere: python3 tests/data/make_fixtures.py
"""
import os
import struct
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIXED_TIME = (1980, 1, 1, 12, 0, 0)  # byte-identical fixtures on every run


def npy_bytes(descr, shape, payload, version=(1, 0), fortran=False, header_override=None):
    shape_txt = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    fo = "True" if fortran else "False"
    d = header_override or "{'descr': %s, 'fortran_order': %s, 'shape': %s, }" % (
        repr(descr) if isinstance(descr, str) else str(descr), fo, shape_txt)
    pre = 10 if version[0] == 1 else 12
    pad = (64 - (pre + len(d) + 1) % 64) % 64
    hdr = (d + " " * pad + "\n").encode("latin1" if version[0] < 3 else "utf8")
    out = b"\x93NUMPY" + bytes(version)
    out += struct.pack("<H", len(hdr)) if version[0] == 1 else struct.pack("<I", len(hdr))
    return out + hdr + payload


def pack(fmt, values):
    return b"".join(struct.pack(fmt, v) for v in values)


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def npz_bytes(entries, compress):
    path = os.path.join(HERE, ".tmp.npz")
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            z.writestr(info, data)
    with open(path, "rb") as f:
        data = f.read()
    os.remove(path)
    return data


def main():
    # ---- good .npy files, one per dtype / version ----
    write("f4_2x3.npy", npy_bytes("<f4", (2, 3), pack("<f", [0.5, -1.25, 3.0, 1e-3, 7.0, -8.0])))
    write("f8_3.npy", npy_bytes("<f8", (3,), pack("<d", [1.0 / 3.0, -2.5, 1e10])))
    write("i4_4.npy", npy_bytes("<i4", (4,), pack("<i", [0, 1, -2, 16777216])))
    write("i8_2x2.npy", npy_bytes("<i8", (2, 2), pack("<q", [0, 9, 3, -4])))
    write("u1_5.npy", npy_bytes("|u1", (5,), bytes([0, 1, 2, 254, 255])))
    write("b1_3.npy", npy_bytes("|b1", (3,), bytes([1, 0, 1])))
    write("f4_be_2.npy", npy_bytes(">f4", (2,), pack(">f", [1.5, -2.0])))
    write("f4_scalar.npy", npy_bytes("<f4", (), pack("<f", [42.0])))
    write("f4_empty_0x3.npy", npy_bytes("<f4", (0, 3), b""))
    write("f4_v2.npy", npy_bytes("<f4", (2,), pack("<f", [1.0, 2.0]), version=(2, 0)))
    write("f4_v3.npy", npy_bytes("<f4", (2,), pack("<f", [3.0, 4.0]), version=(3, 0)))

    # ---- damaged or unsupported .npy files ----
    good = npy_bytes("<f4", (2, 3), pack("<f", [0.5, -1.25, 3.0, 1e-3, 7.0, -8.0]))
    write("bad_magic.npy", b"\x93NUMPZ" + good[6:])
    write("bad_trunc_header.npy", good[:40])
    write("bad_trunc_data.npy", good[:-5])
    write("bad_size_mismatch.npy", good + b"\0\0\0\0")
    write("bad_fortran.npy", npy_bytes("<f4", (2, 3), pack("<f", [0] * 6), fortran=True))
    write("bad_object.npy", npy_bytes("|O", (2,), b"\0" * 16))
    write("bad_structured.npy", npy_bytes([("a", "<f4"), ("b", "<i4")], (2,), b"\0" * 16))
    write("bad_i8_big.npy", npy_bytes("<i8", (2, 2), pack("<q", [1, 2, 3, 16777217])))
    write("bad_shape_overflow.npy", npy_bytes("<f4", (2 ** 62, 2 ** 62), b""))
    write("bad_rank7.npy", npy_bytes("<f4", (1,) * 7, pack("<f", [1.0])))
    write("bad_version.npy", npy_bytes("<f4", (1,), pack("<f", [1.0]), version=(4, 0)))
    write("bad_header_syntax.npy",
          npy_bytes("<f4", (1,), pack("<f", [1.0]),
                    header_override="{'descr': '<f4', 'fortran_order': False, 'shape': 3}"))
    write("bad_dtype_str.npy", npy_bytes("<U3", (1,), b"\0" * 12))
    write("bad_empty.npy", b"")

    # ---- .npz archives ----
    kernel = npy_bytes("<f4", (3, 2), pack("<f", [1, 2, 3, 4, 5, 6]))
    bias = npy_bytes("<f4", (2,), pack("<f", [0.5, -0.5]))
    labels = npy_bytes("<i8", (3,), pack("<q", [2, 0, 1]))
    entries = [("dense/kernel.npy", kernel), ("dense/bias.npy", bias), ("labels.npy", labels)]
    stored = npz_bytes(entries, False)
    write("weights_stored.npz", stored)
    write("weights_deflate.npz", npz_bytes(entries, True))
    write("empty.npz", npz_bytes([], False))
    # Flip one byte inside the stored kernel's float data: the zip stays well-formed and
    # only the CRC-32 check can notice.
    at = stored.index(kernel) + len(kernel) - 3
    write("bad_crc.npz", stored[:at] + bytes([stored[at] ^ 0x40]) + stored[at + 1:])
    write("bad_truncated.npz", stored[: len(stored) // 2])
    write("bad_notzip.npz", b"this is not a zip archive, just some text\n" * 4)
    write("bad_non_npy_entry.npz", npz_bytes([("readme.txt", b"hello")], False))
    write("bad_entry_damaged.npz",
          npz_bytes([("x.npy", npy_bytes("<f4", (4,), pack("<f", [1.0])))], True))
    write("bad_entry_fortran.npz",
          npz_bytes([("w.npy", npy_bytes("<f4", (2, 2), pack("<f", [0] * 4), fortran=True))], False))

    # ---- CSV ----
    with open(os.path.join(HERE, "small_named.csv"), "w") as f:
        f.write('"a","b",label\n1.5,2,cat\n-3,4e2,dog\n5,6,cat\n')
    with open(os.path.join(HERE, "small_numeric.csv"), "w") as f:
        f.write("1,2,0\r\n3,4,1\r\n\r\n5,6,2\r\n")
    with open(os.path.join(HERE, "bad_field.csv"), "w") as f:
        f.write("x,y\n1,2\n3,abc\n")
    with open(os.path.join(HERE, "bad_ragged.csv"), "w") as f:
        f.write("1,2,3\n4,5\n")
    with open(os.path.join(HERE, "bad_missing.csv"), "w") as f:
        f.write("1,2,3\n4,,6\n")

    # ---- IDX (MNIST format, big-endian) ----
    idx_u8 = bytes([0, 0, 0x08, 3]) + struct.pack(">III", 2, 2, 3) + bytes(range(0, 240, 20))
    write("u8_2x2x3.idx", idx_u8)
    write("f32_2.idx", bytes([0, 0, 0x0D, 1]) + struct.pack(">I", 2) + pack(">f", [0.25, -8.0]))
    write("bad_trunc.idx", idx_u8[:-1])
    write("bad_type.idx", bytes([0, 0, 0x07, 1]) + struct.pack(">I", 1) + b"\0")


if __name__ == "__main__":
    main()
