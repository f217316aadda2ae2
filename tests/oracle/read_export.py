"""Independent reader for pairproof's Parquet export (pairproof.fingerprints/1).

Reads a shard or export with pyarrow (not pairproof's reader) and checks it against
docs/schemas.md and against `pairproof hash` JSON lines for the same files:
column names and types, the schema metadata, sha256, the derived id, and that pdq_whole /
pdq_whole_dihedral are PDQ hex-order bytes equal to the hashes `pairproof hash` prints.

    python tests/oracle/read_export.py SHARD.parquet HASH.jsonl

Run by tests/milvus/run.sh (its venv has pyarrow). Exit 0 when everything agrees.
"""
import json
import sys

import pyarrow as pa
import pyarrow.parquet as pq

EXPECTED = [
    ("id", pa.int64(), False),
    ("sha256", pa.binary(32), False),
    ("path", pa.string(), True),
    ("algorithm", pa.string(), False),
    ("algorithm_version", pa.uint32(), False),
    ("width", pa.uint32(), False),
    ("height", pa.uint32(), False),
    ("whole_quality", pa.uint8(), False),
    ("pdq_whole", pa.binary(32), False),
    ("pdq_whole_dihedral", pa.binary(256), False),
    ("canonical_x", pa.uint32(), True),
    ("canonical_y", pa.uint32(), True),
    ("canonical_width", pa.uint32(), True),
    ("canonical_height", pa.uint32(), True),
    ("canonical_quality", pa.uint8(), True),
    ("pdq_canonical", pa.binary(32), True),
    ("pdq_canonical_dihedral", pa.binary(256), True),
    ("windows", pa.binary(), False),
    ("features", pa.binary(), False),
]


def fail(msg):
    print(f"read_export: FAIL: {msg}")
    sys.exit(1)


def main(shard, hashes):
    table = pq.read_table(shard)
    schema = table.schema
    got = [(f.name, f.type, f.nullable) for f in schema]
    if got != EXPECTED:
        fail(f"schema differs from docs/schemas.md:\n{got}")
    meta = schema.metadata or {}
    if meta.get(b"pairproof.schema") != b"pairproof.fingerprints/1":
        fail(f"metadata {meta}")
    by_path = {}
    with open(hashes) as f:
        for line in f:
            d = json.loads(line)
            by_path[d["path"]] = d
    rows = table.to_pylist()
    if len(rows) != len(by_path):
        fail(f"{len(rows)} rows for {len(by_path)} hashed files")
    for r in rows:
        h = by_path.get(r["path"])
        if h is None:
            fail(f"row for unknown path {r['path']}")
        fp = h["fingerprint"]
        if r["sha256"].hex() != h["sha256"]:
            fail(f"{r['path']}: sha256")
        if r["id"] != int.from_bytes(r["sha256"][:8], "big") >> 1:
            fail(f"{r['path']}: id")
        if (r["width"], r["height"]) != (fp["width"], fp["height"]):
            fail(f"{r['path']}: size")
        whole = fp["whole"]
        if r["whole_quality"] != whole["quality"] or r["pdq_whole"].hex() != whole["hashes"][0]:
            fail(f"{r['path']}: pdq_whole")
        dihedral = [r["pdq_whole_dihedral"][32 * k : 32 * k + 32].hex() for k in range(8)]
        if dihedral != whole["hashes"]:
            fail(f"{r['path']}: pdq_whole_dihedral")
        canon = fp.get("canonical")
        if canon is None:
            if r["pdq_canonical"] is not None:
                fail(f"{r['path']}: unexpected canonical view")
        else:
            box, view = canon
            if [r["canonical_x"], r["canonical_y"], r["canonical_width"], r["canonical_height"]] != [
                box["x"], box["y"], box["width"], box["height"]
            ]:
                fail(f"{r['path']}: canonical box {box}")
            if r["pdq_canonical"].hex() != view["hashes"][0]:
                fail(f"{r['path']}: pdq_canonical")
    print(f"read_export: OK: {len(rows)} rows, schema and hashes agree (pyarrow {pa.__version__})")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
