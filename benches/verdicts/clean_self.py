#!/usr/bin/env python3
"""False alarms on clean photos the verdict benchmark was not built from: `pairproof check X X`
over the originals of the near-duplicate benchmark's development split (every hidden image is
then a clean photo, and so is its main). Any failed `hidden.clean.*` rule is a false alarm.

    python3 benches/verdicts/clean_self.py [--manifest /tmp/neardup/manifest_dev.json]
                                           [--bin target/release/pairproof] [--list]

The split is made by ../shared/neardup-bench (see benches/neardup.sh). Standard library only.
"""
import argparse
import collections
import csv
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--manifest", default="/tmp/neardup/manifest_dev.json")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "pairproof"))
    ap.add_argument("--list", action="store_true", help="print each false alarm")
    a = ap.parse_args()
    man = json.load(open(a.manifest))
    base = os.path.dirname(os.path.abspath(a.manifest))
    origs = [os.path.join(base, i["path"]) for i in man["images"] if i.get("transform") is None]
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as f:
        w = csv.writer(f)
        w.writerow(["main", "hidden", "label"])
        for p in origs:
            w.writerow([p, p, os.path.basename(p)])
        pairs = f.name
    out = subprocess.run([a.bin, "check", "--pairs", pairs, "--format", "json"],
                         capture_output=True, text=True)
    os.unlink(pairs)
    by_rule, bad, n = collections.Counter(), 0, 0
    for line in out.stdout.splitlines():
        d = json.loads(line)
        if "findings" not in d:
            continue
        n += 1
        failed = [f for f in d["findings"] if f.get("status") == "fail" and f["id"].startswith("hidden.clean.")]
        bad += bool(failed)
        for f in failed:
            by_rule[f["id"]] += 1
            if a.list:
                for b in f.get("boxes", []):
                    print("%s  %s  %s %s" % (os.path.basename(d["hidden_path"]), f["id"], b.get("evidence"), b.get("box")))
    print("clean self-pairs: %d; with a hidden.clean failure: %d (%.1f %%); by rule: %s" % (
        n, bad, 100.0 * bad / max(1, n), dict(by_rule.most_common())))
    if n != len(origs):
        print("warning: %d originals, %d reports" % (len(origs), n), file=sys.stderr)


if __name__ == "__main__":
    main()
