#!/usr/bin/env python3
"""Peer for the whole-command benchmark: read two images with Pillow, BT.601 luma, and
scikit-image SSIM with the platform's parameters. Prints the SSIM.
With --inner N, also time N runs of the SSIM call alone (no decode) and print the median ms."""
import sys
import time

import numpy as np
from PIL import Image
from skimage.metrics import structural_similarity as ssim

ARGS = dict(gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255)


def luma(p):
    a = np.asarray(Image.open(p).convert("RGB"), dtype=np.float64)
    return 0.299 * a[..., 0] + 0.587 * a[..., 1] + 0.114 * a[..., 2]


a, b = luma(sys.argv[1]), luma(sys.argv[2])
print("%.6f" % ssim(a, b, **ARGS))
if len(sys.argv) > 4 and sys.argv[3] == "--inner":
    ts = []
    for _ in range(int(sys.argv[4])):
        t = time.perf_counter()
        ssim(a, b, **ARGS)
        ts.append(time.perf_counter() - t)
    ts.sort()
    print("skimage ssim alone: median %.1f ms for %.2f MP" % (1e3 * ts[len(ts) // 2], a.size / 1e6))
