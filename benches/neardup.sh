#!/usr/bin/env bash
# Reproduce docs/accuracy.md: the shared near-duplicate benchmark (dev split) with pairproof
# plugged into its own runner. Installs the benchmark's prerequisites (Debian packages, a venv),
# generates the corpus once (~1.6 GB in $NEARDUP_DATA, 10–25 min), then scores all 36 435 pairs
# (~3 min on 2 cores). Usage: bash benches/neardup.sh [NAME]
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=${BENCH:-../shared/neardup-bench}
export NEARDUP_DATA=${NEARDUP_DATA:-/tmp/neardup}
VENV=${NDVENV:-/tmp/ndvenv}
NAME=${1:-pairproof}
if [ ! -f "$NEARDUP_DATA/manifest_dev.json" ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends tuxpaint-stamps-default gnome-backgrounds \
    mate-backgrounds plasma-workspace-wallpapers lomiri-wallpapers ukui-wallpapers fonts-dejavu-core
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q pillow==13.0.0 numpy==2.4.6 scikit-image==0.26.0 scikit-learn==1.9.1
  "$VENV/bin/python" "$BENCH/gen_corpus.py" --workers 2
fi
cargo build --release -q
# The runner's peer tables crash on the peers' n/a columns after writing the results JSON, so
# its exit status is not trusted; the JSON is.
"$VENV/bin/python" "$BENCH/eval_runner.py" --split dev --name "$NAME" --compare \
  --batch-cmd "$PWD/target/release/pairproof compare-batch --pairs {pairs} --format jsonl" \
  --score-field similarity | sed -n '1,5p' || true
"$VENV/bin/python" - "$NEARDUP_DATA/results/engine_${NAME}_dev.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for op in ("fpr0.1%", "naive85"):
    o = r["ops"][op]
    print("%-8s TPR %.1f%%  FPR %.3f%%  hard FPR %.3f%%  lowest transform %.1f%%" % (
        op, 100 * o["tpr_all"], 100 * o["fpr"], 100 * o["fpr_hard_any"], 100 * min(o["tpr"].values())))
PY
