#!/usr/bin/env bash
# Make the pair-verdict benchmark (benches/verdicts/gen.py) in OUT (default target/verdicts),
# unless it is already there for the same generator. Installs what it needs: Debian's Tux Paint
# stamps and fonts (apt, when missing) and a Python venv with pinned packages from PyPI.
#   bash benches/verdicts/make.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-target/verdicts}
source benches/prereqs.sh
hash=$(cat benches/verdicts/gen.py benches/verdicts/overlays.py benches/verdicts/sources.txt | sha256sum | cut -c1-16)
if [ -f "$OUT/manifest.json" ] && [ "$(cat "$OUT/.generator" 2>/dev/null)" = "$hash" ]; then
  echo "verdict benchmark up to date in $OUT"
  exit 0
fi
rm -rf "$OUT"
"$VENV/bin/python" benches/verdicts/gen.py --out "$OUT" --per-kind 30 --workers "$(nproc)"
echo "$hash" > "$OUT/.generator"
