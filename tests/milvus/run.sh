#!/usr/bin/env bash
# Run the Milvus integration test (tests/milvus.rs) against a fresh embedded Milvus 2.3.5:
# create the venv if needed, start the server on 127.0.0.1, run the test, stop the server.
# Then read a Parquet shard of the fixtures with pyarrow (an independent reader, from the same
# venv) and check it against docs/schemas.md and `pairproof hash` (tests/oracle/read_export.py).
#
#   bash tests/milvus/run.sh            (VENV defaults to target/milvus-venv)
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=${MILVUS_VENV:-target/milvus-venv}
DATA=$(mktemp -d /tmp/pairproof-milvus.XXXXXX)
bash tests/milvus/setup-venv.sh "$VENV" >/dev/null
case "$VENV" in /*) ;; *) VENV="$PWD/$VENV" ;; esac
export MILVUS_PY="$VENV/bin/python"
trap 'MILVUS_PY="$MILVUS_PY" bash tests/milvus/server.sh stop "$DATA" >/dev/null 2>&1 || true; rm -rf "$DATA"' EXIT
addr=$(MILVUS_PORT=0 bash tests/milvus/server.sh start "$DATA" | sed -n 's/^MILVUS_ADDR=//p')
[ -n "$addr" ] || { echo "error: the embedded Milvus server did not start (logs in $DATA/logs)" >&2; exit 1; }
echo "embedded Milvus 2.3.5 at $addr"
MILVUS_ADDR="$addr" cargo test --release --features milvus --test milvus -- --nocapture

# The export format, read by pyarrow rather than by us (the binary the test build just made).
bin=target/release/pairproof
ls "$PWD"/fixtures/*.jpg "$PWD"/fixtures/*.png > "$DATA/manifest.txt"
"$bin" hash --manifest "$DATA/manifest.txt" --out "$DATA/shard.parquet" >/dev/null
# shellcheck disable=SC2046
"$bin" hash $(cat "$DATA/manifest.txt") > "$DATA/hash.jsonl"
"$MILVUS_PY" tests/oracle/read_export.py "$DATA/shard.parquet" "$DATA/hash.jsonl"
