#!/usr/bin/env python3
"""Peers of `pairproof scan`, as whole commands on one folder (run by benches/scan_speed.py):

    scan_peers.py czkawka DIR [SIMILARITY]   czkawka's similar-image engine (PyPI `czkawka`, its
                                             Rust core), default similarity level (15 of 50)
    scan_peers.py imagehash DIR              imagehash.phash of every image, one process per core

Prints one JSON line: how many images were read and how many groups / images in groups.
"""
import json
import multiprocessing
import os
import sys

EXT = (".jpg", ".jpeg", ".png", ".webp")


def files(d):
    out = []
    for root, _, names in os.walk(d):
        out += [os.path.join(root, n) for n in names if n.lower().endswith(EXT)]
    return sorted(out)


def phash(p):
    import imagehash
    from PIL import Image
    try:
        with Image.open(p) as im:
            return str(imagehash.phash(im))
    except Exception:  # an unreadable file is skipped, as czkawka skips it
        return None


def main():
    tool, d = sys.argv[1], sys.argv[2]
    if tool == "czkawka":
        import czkawka
        f = czkawka.ImageSimilarity()
        f.set_directories([d])
        if len(sys.argv) > 3:
            f.set_similarity(int(sys.argv[3]))
        groups = f.find_similar()
        print(json.dumps({"tool": tool, "groups": len(groups), "in_groups": sum(len(g) for g in groups)}))
    elif tool == "imagehash":
        fs = files(d)
        with multiprocessing.Pool(os.cpu_count()) as pool:
            hashes = pool.map(phash, fs, chunksize=32)
        ok = [h for h in hashes if h is not None]
        print(json.dumps({"tool": tool, "images": len(ok), "unreadable": len(fs) - len(ok),
                          "distinct_hashes": len(set(ok))}))
    else:
        sys.exit("unknown tool " + tool)


if __name__ == "__main__":
    main()
