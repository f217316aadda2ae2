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
VENV=${VERDICT_VENV:-target/pyvenv}
need=()
[ -d /usr/share/tuxpaint/stamps ] || need+=(tuxpaint-stamps-default)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ] || need+=(fonts-dejavu-core)
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc ] || need+=(fonts-noto-cjk)
[ -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] || need+=(fonts-droid-fallback)
if [ ${#need[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || { echo "error: need Debian packages ${need[*]}" >&2; exit 1; }
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q pillow==13.0.0 numpy==2.4.6 scikit-image==0.26.0 scikit-learn==1.9.1 qrcode==8.2
fi
# the generator and everything it imports from the verdict benchmark
hash=$(cat benches/edits/gen.py benches/verdicts/gen.py benches/verdicts/overlays.py benches/verdicts/sources.txt | sha256sum | cut -c1-16)
if [ -f "$OUT/manifest.json" ] && [ "$(cat "$OUT/.generator" 2>/dev/null)" = "$hash" ]; then
  echo "edits benchmark up to date in $OUT"
  exit 0
fi
rm -rf "$OUT"
"$VENV/bin/python" benches/edits/gen.py --out "$OUT" --workers "$(nproc)"
echo "$hash" > "$OUT/.generator"
