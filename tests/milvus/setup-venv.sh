#!/usr/bin/env bash
# Create a Python venv with the embedded Milvus 2.3.5 server (PyPI package
# `milvus`, which ships the standalone binary) and the matching pymilvus client,
# as used by tests/milvus/server.sh, and pyarrow, the independent reader of our Parquet
# exports (tests/oracle/read_export.py).
#
#   tests/milvus/setup-venv.sh VENV_DIR        (then: MILVUS_PY=VENV_DIR/bin/python)
#
# Environment: PYTHON (interpreter used to create the venv; default python3,
# needs >= 3.8).  The pins: milvus 2.3.5 needs setuptools < 70 (pkg_resources),
# pymilvus 2.3.x needs protobuf < 5 and marshmallow < 4 (environs 9).
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 VENV_DIR" >&2
    exit 2
fi
VENV=$1
PYTHON=${PYTHON:-python3}

if [[ ! -x "$VENV/bin/python" ]]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    'milvus==2.3.5' 'pymilvus==2.3.7' 'setuptools<70' 'protobuf<5' 'marshmallow<4' \
    'pyarrow==26.0.1'

# smoke check: both modules import, the packaged server binary is present
"$VENV/bin/python" - <<'PYEOF'
import os, milvus, pymilvus
bin_lzma = os.path.join(os.path.dirname(milvus.__file__), 'data', 'bin', 'milvus.lzma')
assert os.path.isfile(bin_lzma), bin_lzma
print(f'milvus server {milvus.__version__}, pymilvus {pymilvus.__version__}')
PYEOF
