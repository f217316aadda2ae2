#!/usr/bin/env bash
# Whole commands side by side, in one run: pairproof vs scikit-image vs ImageMagick, on the shipped
# 1000×1000 JPEG pair and a generated 4000×3000 pair; 1 vs 2 threads; peak RSS.
# Needs: hyperfine, imagemagick (Debian), a venv with scikit-image + Pillow at $VENV.
# Usage: bash benches/compare.sh [OUTDIR]   (writes OUTDIR/*.json and prints a summary)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/pairproof-bench}
VENV=${VENV:-/tmp/ppvenv}
mkdir -p "$OUT"
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine
command -v compare >/dev/null || apt-get install -y -qq imagemagick
[ -x "$VENV/bin/python" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q scikit-image==0.26.0 pillow==12.0.0 numpy; }
cargo build --release -q
PP=target/release/pairproof
PY="$VENV/bin/python"
[ -f "$OUT/large_main.jpg" ] || "$PY" benches/peers/make_large_pair.py "$OUT"

echo "== machine: $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) cores), $(date -u +%F), commit $(git rev-parse --short HEAD)"
for size in 1000 4000; do
  if [ $size = 1000 ]; then A=fixtures/shoe-main.jpg; B=fixtures/shoe-hidden.jpg; else A=$OUT/large_main.jpg; B=$OUT/large_hidden.jpg; fi
  hyperfine -N --warmup 3 --runs 20 --export-json "$OUT/check-$size.json" \
    -n "pairproof check (2 threads)" "$PP check $A $B --format json" \
    -n "pairproof check (1 thread)" "env RAYON_NUM_THREADS=1 $PP check $A $B --format json" \
    -n "scikit-image (python: decode + luma + ssim)" "$PY benches/peers/skimage_ssim.py $A $B" \
    -n "ImageMagick compare -metric RMSE (no SSIM in 6.9.11)" "compare -metric RMSE $A $B null:" \
    -i 2>&1 | grep -E "^Benchmark|Time \(mean|±" || true
done
echo "== SSIM alone, in process"
"$PY" benches/peers/skimage_ssim.py fixtures/shoe-main.jpg fixtures/shoe-hidden.jpg --inner 10 | tail -1
"$PY" benches/peers/skimage_ssim.py "$OUT/large_main.jpg" "$OUT/large_hidden.jpg" --inner 3 | tail -1
echo "== peak RSS (kB), 4000×3000 pair"
/usr/bin/time -v $PP check "$OUT/large_main.jpg" "$OUT/large_hidden.jpg" --format json 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p'
/usr/bin/time -v $PP check "$OUT/large_main.jpg" "$OUT/large_hidden.jpg" --heatmap "$OUT/h.png" --format json 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p'
