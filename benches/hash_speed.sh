#!/usr/bin/env bash
# Whole-command fingerprinting speed, pairproof against its peers, in one run, one core each:
# imagehash pHash and pdqhash (Python, Pillow decode) and czkawka's hasher image_hasher
# (Rust, examples/image_hasher_peer.rs). Input: 100 seeded 1000×1000 baseline JPEGs (q90).
#   bash benches/hash_speed.sh [python-with-imagehash-and-pdqhash]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-python3}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$PY" - "$W/img" <<'PYEOF'
import os, sys
import numpy as np
from PIL import Image
out = sys.argv[1]
os.makedirs(out)
rng = np.random.default_rng(20261122)
for k in range(100):
    small = rng.integers(0, 256, size=(24, 24, 3), dtype=np.uint8)
    img = Image.fromarray(small).resize((1000, 1000), Image.BICUBIC)
    a = np.asarray(img).astype(np.int16) + rng.normal(0, 6, size=(1000, 1000, 3)).astype(np.int16)
    Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).save(f"{out}/p{k:03}.jpg", quality=90)
PYEOF
cargo build --release --quiet --example image_hasher_peer
B=target/release/pairproof
FILES=$(echo "$W"/img/*.jpg)
export RAYON_NUM_THREADS=1
hyperfine -N --warmup 1 --runs 5 --export-markdown "$W/table.md" \
  -n "pairproof hash (retrieval + windows + local features)" "$B hash $FILES" \
  -n "pairproof scan, new catalogue (everything, SQLite writes, matching)" --prepare "rm -f $W/cat.sqlite $W/cat.sqlite-wal $W/cat.sqlite-shm" "$B scan $W/img --catalogue $W/cat.sqlite --format json" \
  -n "imagehash pHash (Python)" "$PY benches/peers/hash_peers.py imagehash $FILES" \
  -n "pdqhash (Python binding of Meta's C++)" "$PY benches/peers/hash_peers.py pdqhash $FILES" \
  -n "image_hasher Gradient 8x8 (czkawka)" "target/release/examples/image_hasher_peer $FILES" \
  || true
$B scan "$W/img" --catalogue "$W/cat2.sqlite" --format json >/dev/null || true
hyperfine -N --warmup 1 --runs 5 --export-markdown "$W/rescan.md" \
  -n "pairproof re-scan, nothing changed" "$B scan $W/img --catalogue $W/cat2.sqlite --format json" || true
cat "$W/table.md" "$W/rescan.md"
