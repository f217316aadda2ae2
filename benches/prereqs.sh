# Sourced by benches/verdicts/make.sh and benches/edits/make.sh (run from the repository root):
# installs Debian's Tux Paint stamps and fonts when missing (apt) and the shared Python venv
# with pinned packages from PyPI in $VENV (default target/pyvenv, or $VERDICT_VENV).
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
