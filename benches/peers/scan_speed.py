#!/usr/bin/env python3
"""Time whole scan commands on one folder, interleaved run by run so that load on a shared
machine hits every tool alike; print median wall seconds and the ratio to czkawka.
Run by benches/scan_speed.sh (which makes the venv with czkawka and imagehash)."""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(cmd, prepare=None):
    if prepare:
        prepare()
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t
    if out.returncode not in (0, 1):  # scan exits 1 when it finds copies
        sys.exit("error: %s exited %d\n%s" % (" ".join(cmd), out.returncode, out.stderr[-2000:]))
    return dt, out.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--save-scan", help="write the last new-catalogue scan's JSON here (to score it)")
    a = ap.parse_args()
    n = sum(len(fs) for _, _, fs in os.walk(a.dir))
    work = tempfile.mkdtemp()
    cat, cat_h, cat_re = (os.path.join(work, x) for x in ("c.sqlite", "h.sqlite", "re.sqlite"))

    def fresh(path):
        def f():
            for s in ("", "-wal", "-shm"):
                if os.path.exists(path + s):
                    os.remove(path + s)
        return f

    py = sys.executable
    tools = [
        ("pairproof scan, new catalogue", [a.bin, "scan", a.dir, "--catalogue", cat, "--format", "json"], fresh(cat)),
        ("pairproof scan --hashes-only, new catalogue",
         [a.bin, "scan", a.dir, "--catalogue", cat_h, "--hashes-only", "--format", "json"], fresh(cat_h)),
        ("pairproof re-scan, nothing changed", [a.bin, "scan", a.dir, "--catalogue", cat_re, "--format", "json"], None),
        ("czkawka find_similar (Rust core, PyPI 0.1.2)", [py, os.path.join(HERE, "scan_peers.py"), "czkawka", a.dir], None),
        ("imagehash.phash, every file, one process per core",
         [py, os.path.join(HERE, "scan_peers.py"), "imagehash", a.dir], None),
    ]
    # the re-scan needs a catalogue that already holds the folder
    subprocess.run([a.bin, "scan", a.dir, "--catalogue", cat_re, "--format", "json"], capture_output=True)
    times = {name: [] for name, _, _ in tools}
    notes = {}
    for r in range(a.runs):
        for name, cmd, prep in tools:
            dt, out = timed(cmd, prep)
            times[name].append(dt)
            try:  # pairproof prints one JSON document, the peers one JSON line
                d = json.loads(out)
            except json.JSONDecodeError:
                d = {}
            if "tool" in d:
                notes[name] = d
            elif "stats" in d:
                notes[name] = {"images": d["stats"].get("images"), "groups": len(d.get("groups", [])),
                               "candidate_pairs": d["stats"].get("candidate_pairs")}
            if a.save_scan and name == "pairproof scan, new catalogue":
                with open(a.save_scan, "w") as f:
                    f.write(out)
            print("run %d  %-52s %8.1f s" % (r + 1, name, dt), file=sys.stderr)
    shutil.rmtree(work)
    base = statistics.median(times["czkawka find_similar (Rust core, PyPI 0.1.2)"])
    print("folder %s (%d files), %d run(s), %s, %d cores, %s" % (
        a.dir, n, a.runs, platform.processor() or platform.machine(), os.cpu_count(), time.strftime("%Y-%m-%d")))
    print("| command | median wall | ÷ czkawka | output |")
    print("|---|---|---|---|")
    for name, _, _ in tools:
        m = statistics.median(times[name])
        print("| %s | %.1f s | %.2f× | %s |" % (name, m, m / base, json.dumps(notes.get(name, {}))))


if __name__ == "__main__":
    main()
