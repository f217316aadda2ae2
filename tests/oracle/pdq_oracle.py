#!/usr/bin/env python3
"""Independent PDQ reference values: Meta's C++ reference via the `pdqhash` PyPI bindings.

    /tmp/ppvenv/bin/pip install pdqhash==0.2.8 pillow numpy
    cargo run --release --example pdq_cases -- /tmp/pdq-cases
    /tmp/ppvenv/bin/python tests/oracle/pdq_oracle.py /tmp/pdq-cases > tests/golden/pdq.json

Each case is a PNG, so both implementations see identical RGB and therefore identical float luma
(pdqhash computes it in float64 and casts to float32, as pairproof does). Dihedral order:
original, rotate90, rotate180, rotate270, flipx, flipy, flip+1, flip-1.
"""
import hashlib
import json
import os
import sys

import numpy as np
import pdqhash
from PIL import Image


def to_hex(bits):
    bits = [int(b) for b in bits]  # bits[0] is bit 255 (pdqhash.hash_to_vector reverses)
    return "".join("%x" % int("".join(map(str, bits[i:i + 4])), 2) for i in range(0, 256, 4))


def main(d):
    cases = []
    for f in sorted(os.listdir(d)):
        if not f.endswith(".png"):
            continue
        a = np.ascontiguousarray(np.asarray(Image.open(os.path.join(d, f)).convert("RGB")))
        hashes, quality = pdqhash.compute_dihedral(a)
        cases.append({
            "name": f[:-4],
            "size": [a.shape[1], a.shape[0]],
            "rgb_sha256": hashlib.sha256(a.tobytes()).hexdigest(),
            "quality": int(quality),
            "dihedral_hex": [to_hex(h) for h in hashes],
        })
    json.dump({"oracle": "pdqhash %s (Meta PDQ C++ reference)" % pdqhash.__version__, "cases": cases},
              sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/pdq-cases")
