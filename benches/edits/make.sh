#!/usr/bin/env bash
# Make the everyday-edits benchmark (benches/edits/gen.py) in OUT (default target/edits), unless
# it is already there for the same generator. Installs what it needs, as benches/verdicts/make.sh
# does: Debian's Tux Paint stamps and fonts (apt, when missing) and the shared Python venv.
#   bash benches/edits/make.sh [OUT]
#   pairproof scan OUT/store --format json > scan.json
#   python3 benches/edits/score.py OUT scan.json [--markdown]
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-target/edits}
source benches/prereqs.sh
# the generator and everything it imports from the verdict benchmark
hash=$(cat benches/edits/gen.py benches/verdicts/gen.py benches/verdicts/overlays.py benches/verdicts/sources.txt | sha256sum | cut -c1-16)
if [ -f "$OUT/manifest.json" ] && [ "$(cat "$OUT/.generator" 2>/dev/null)" = "$hash" ]; then
  echo "edits benchmark up to date in $OUT"
  exit 0
fi
rm -rf "$OUT"
"$VENV/bin/python" benches/edits/gen.py --out "$OUT" --workers "$(nproc)"
echo "$hash" > "$OUT/.generator"
