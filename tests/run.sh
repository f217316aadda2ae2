#!/usr/bin/env bash
# The README's test command: provision what the tests use, then run them all.
#   bash tests/run.sh
# Installs, when missing (Debian packages via apt-get, as root on a fresh machine):
# - exiftool: writes/reads EXIF independently of us (strip test; evidence fixtures);
# - chromium (+ a CJK font): renders the evidence report headless (and prints it for
#   `evidence --pdf`) and runs the web page's end-to-end test, driven by playwright-core (npm,
#   pinned in tests/e2e/package-lock.json);
# - pdftotext (poppler-utils): reads the printed report's text back, independently of Chromium;
# - GNU time: peak RSS of every command in the bad-input matrix (tests/bad_input_cli.rs);
# - the pair-verdict benchmark (tests/verdicts.rs): Tux Paint stamps, fonts and a Python venv
#   with pinned Pillow/NumPy/scikit-image/qrcode, then benches/verdicts/gen.py into
#   target/verdicts (skipped when already made by the same generator).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v exiftool >/dev/null 2>&1 || need+=(libimage-exiftool-perl)
command -v chromium >/dev/null 2>&1 || need+=(chromium fonts-droid-fallback)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: need ${need[*]} (Debian packages) and apt-get is not available" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
command -v node >/dev/null 2>&1 || { echo "error: node (with npm) is needed for tests/e2e" >&2; exit 1; }
npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error
bash benches/verdicts/make.sh target/verdicts

# Library, binary and integration tests; examples are compiled by clippy in .ci/run, not
# linked again here (each linked example costs disk and link time on a 2-core CI machine).
cargo test --release --lib --bins --tests
