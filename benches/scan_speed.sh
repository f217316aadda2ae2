#!/usr/bin/env bash
# Whole-command scan speed against the peers, in one run on the same folder (issue 15):
# `pairproof scan` (new catalogue; unchanged re-scan; --hashes-only), czkawka's similar-image
# engine (PyPI `czkawka`, Rust core) and imagehash.phash over the same files (one process per
# core). Prints the median wall time of each and its ratio to czkawka.
#   bash benches/scan_speed.sh [DIR (default /tmp/neardup/dev)] [RUNS (default 1)] [SCAN_JSON]
# SCAN_JSON, when given, receives the new-catalogue scan's report, for example to score it with
# `python3 benches/neardup_scan.py /tmp/neardup SCAN_JSON`.
# DIR is any folder of images; the near-duplicate dev split is made by `bash benches/neardup.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/neardup/dev}
RUNS=${2:-1}
VENV=${SPEED_VENV:-target/speedvenv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q czkawka==0.1.2 imagehash==4.3.2 pillow==13.0.0
fi
cargo build --release --quiet
"$VENV/bin/python" benches/peers/scan_speed.py --dir "$DIR" --runs "$RUNS" --bin target/release/pairproof \
  ${3:+--save-scan "$3"}
