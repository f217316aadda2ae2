#!/usr/bin/env python3
"""Run `pairproof check` over the verdict benchmark and print the confusion table per kind.

    python3 benches/verdicts/run.py [--data target/verdicts] [--bin target/release/pairproof]
                                    [--json OUT.json] [--markdown]

A verdict counts as `pass` when pairproof says pass or warn (exit 0), `fail` when it says fail.
Per kind: pairs, agreement with the expected verdict, false passes (expected fail, said pass)
and false fails (expected pass, said fail), with the rules that failed. A dirty hidden image is
*located* when a failed `hidden.clean.*` finding has a box touching the planted overlay's box
(a catch for another reason, e.g. a part of the product taken for an arrow, is not). Only the standard
library: reads the manifest gen.py wrote and pairproof's JSON lines.
"""
import argparse
import collections
import csv
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def touches(found, planted):
    """Does a finding's box ({x, y, width, height}) touch the planted box [x0, y0, x1, y1]?"""
    x0, y0 = max(found["x"], planted[0]), max(found["y"], planted[1])
    x1 = min(found["x"] + found["width"], planted[2])
    y1 = min(found["y"] + found["height"], planted[3])
    return x1 > x0 and y1 > y0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "target", "verdicts"))
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "pairproof"))
    ap.add_argument("--json", help="write per-pair results here")
    ap.add_argument("--markdown", action="store_true", help="print a docs/accuracy.md table")
    a = ap.parse_args()
    man = json.load(open(os.path.join(a.data, "manifest.json")))
    cases = man["cases"]
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as f:
        w = csv.writer(f)
        w.writerow(["main", "hidden", "label"])
        for c in cases:
            w.writerow([os.path.join(a.data, c["main"]), os.path.join(a.data, c["hidden"]), c["name"]])
        pairs = f.name
    out = subprocess.run([a.bin, "check", "--pairs", pairs, "--format", "json"],
                         capture_output=True, text=True)
    os.unlink(pairs)
    said = {}
    for line in out.stdout.splitlines():
        try:
            d = json.loads(line)
        except json.JSONDecodeError:
            continue
        if d.get("schema", "").startswith("pairproof.check/"):
            r = d
            failed = [f["id"] for f in r["findings"] if f["status"] == "fail"]
            boxes = [b["box"] for f in r["findings"] if f["status"] == "fail" and f["id"].startswith("hidden.clean.")
                     for b in f.get("boxes", [])]
            said[os.path.basename(r["main_path"])] = ("fail" if r["verdict"] == "fail" else "error" if r["verdict"] == "error" else "pass", failed,
                                next((f["measured"]["luma"] for f in r["findings"] if f["id"] == "ssim" and f["measured"]), None),
                                boxes)
    if len(said) != len(cases):
        sys.exit("error: pairproof answered %d of %d pairs\n%s" % (len(said), len(cases), out.stderr[-2000:]))
    by = collections.OrderedDict()
    rows = []
    for c in cases:
        v, failed, ssim, boxes = said[c["main"]]
        k = by.setdefault(c["kind"], {"n": 0, "ok": 0, "false_pass": 0, "false_fail": 0, "located": 0,
                                      "rules": collections.Counter()})
        k["n"] += 1
        ok = v == c["expected"]
        k["ok"] += ok
        located = any(touches(b, o["box"]) for b in boxes for o in c["hidden_overlays"] if o.get("box"))
        k["located"] += located
        if not ok and c["expected"] == "fail":
            k["false_pass"] += 1
        if not ok and c["expected"] == "pass":
            k["false_fail"] += 1
            k["rules"].update(failed)
        rows.append({"name": c["name"], "kind": c["kind"], "expected": c["expected"], "said": v,
                     "failed": failed, "located": located, "oracle_ssim": c["oracle_ssim"], "ssim": ssim})
    total = sum(k["n"] for k in by.values())
    agree = sum(k["ok"] for k in by.values())
    dirty = [k for name, k in by.items() if name.startswith("dirty_")]
    dirty_n = sum(k["n"] for k in dirty)
    dirty_caught = dirty_n - sum(k["false_pass"] for k in dirty)
    dirty_located = sum(k["located"] for k in dirty)
    clean_kinds = [k for name, k in by.items() if not name.startswith("dirty_")]
    clean_pass_expected = sum(1 for r in rows if not r["kind"].startswith("dirty_") and r["expected"] == "pass")
    false_alarms = sum(k["false_fail"] for k in clean_kinds)
    if a.markdown:
        print("| kind | pairs | expected pass / fail | agree | false pass | false fail | located | rules behind false fails |")
        print("|---|---|---|---|---|---|---|---|")
        for name, k in by.items():
            exp_pass = sum(1 for r in rows if r["kind"] == name and r["expected"] == "pass")
            rules = ", ".join("%s %d" % x for x in k["rules"].most_common(3))
            loc = "%d" % k["located"] if name.startswith("dirty_") else "–"
            print("| %s | %d | %d / %d | %.1f %% | %d | %d | %s | %s |" % (name, k["n"], exp_pass, k["n"] - exp_pass,
                                                           100.0 * k["ok"] / k["n"], k["false_pass"], k["false_fail"], loc, rules))
    else:
        for name, k in by.items():
            loc = "  located %2d" % k["located"] if name.startswith("dirty_") else ""
            print("%-18s %3d pairs  agree %5.1f %%  false pass %2d  false fail %2d%s  %s" % (
                name, k["n"], 100.0 * k["ok"] / k["n"], k["false_pass"], k["false_fail"], loc,
                dict(k["rules"].most_common(3))))
    print("all: %d/%d verdicts agree (%.1f %%); dirty hidden caught %d/%d (%.1f %%), located %d (%.1f %%); "
          "false alarms on clean hiddens %d/%d (%.1f %%)" % (
              agree, total, 100.0 * agree / total, dirty_caught, dirty_n, 100.0 * dirty_caught / max(1, dirty_n),
              dirty_located, 100.0 * dirty_located / max(1, dirty_n), false_alarms, clean_pass_expected,
                                       100.0 * false_alarms / max(1, clean_pass_expected)))
    if a.json:
        json.dump({"rows": rows}, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
