"""Peers for the whole-command fingerprinting comparison (benches/hash_speed.sh).

    python hash_peers.py imagehash|pdqhash FILE...

Hashes every file in turn on one core (decode with Pillow, as each peer's docs do) and prints
one hex hash per line, so the work cannot be skipped.
"""
import sys

import numpy as np
from PIL import Image

method, files = sys.argv[1], sys.argv[2:]
out = []
if method == "imagehash":
    import imagehash

    for f in files:
        out.append(str(imagehash.phash(Image.open(f))))
elif method == "pdqhash":
    import pdqhash

    for f in files:
        img = np.asarray(Image.open(f).convert("RGB"))
        h, q = pdqhash.compute(img)
        out.append("".join(str(int(b)) for b in h[:16]) + f" {q}")
else:
    sys.exit(f"unknown method {method}")
print("\n".join(out))
