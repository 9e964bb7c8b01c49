#!/usr/bin/env python3
"""Regenerates the small IDX samples bundled in the datasets plugin.

Takes the first 1,000 training and the first 500 test images (with their labels) of MNIST and Fashion-MNIST from
the shared data folder (../shared/data, already shuffled with a fixed seed, see its README) and writes them as
gzipped IDX files under src/main/resources/io/tessera/plugin/datasets/samples/<set>/. The gzip header carries no
name and mtime 0, so the output is byte-for-byte reproducible. Standard library only.

    python3 plugins/datasets/tools/make_samples.py [--data ../shared/data]
"""
import argparse
import gzip
import io
import os
import struct

SETS = ("mnist", "fashion-mnist")
SPLITS = (("train", 1000), ("t10k", 500))


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic = struct.unpack(">I", raw[:4])[0]
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return magic, dims, raw[4 + 4 * ndim:]


def write_idx(path, magic, dims, data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as g:
        g.write(struct.pack(">I", magic))
        g.write(struct.pack(">" + "I" * len(dims), *dims))
        g.write(data)
    with open(path, "wb") as f:
        f.write(buf.getvalue())


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    plugin = os.path.dirname(here)
    default_data = os.path.normpath(os.path.join(plugin, "..", "..", "..", "shared", "data"))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=default_data, help="folder holding mnist/ and fashion-mnist/")
    args = ap.parse_args()
    for name in SETS:
        out_dir = os.path.join(plugin, "src", "main", "resources", "io", "tessera", "plugin", "datasets",
                               "samples", name)
        os.makedirs(out_dir, exist_ok=True)
        for split, n in SPLITS:
            for kind in ("images-idx3", "labels-idx1"):
                src = os.path.join(args.data, name, f"{split}-{kind}-ubyte.gz")
                magic, dims, data = read_idx(src)
                per = 1
                for d in dims[1:]:
                    per *= d
                dst = os.path.join(out_dir, f"{split}-{kind}-ubyte.gz")
                write_idx(dst, magic, (n,) + tuple(dims[1:]), data[:n * per])
                print(f"{dst}: {n} of {dims[0]}")


if __name__ == "__main__":
    main()
