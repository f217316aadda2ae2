#!/usr/bin/env python3
"""Independent SSIM reference values for pairproof's test cases (scikit-image, not our code).

    python3 -m venv /tmp/ppvenv && /tmp/ppvenv/bin/pip install scikit-image==0.26.0 pillow==12.0.0 numpy
    cargo run --release --example ssim_cases -- /tmp/ssim-cases
    /tmp/ppvenv/bin/python tests/oracle/ssim_oracle.py /tmp/ssim-cases > tests/golden/ssim.json

Definition (Wang et al. 2004 as scikit-image computes it): BT.601 luma in float64
(Y = 0.299 R + 0.587 G + 0.114 B on the 8-bit values, no rounding), Gaussian window sigma 1.5
(11 taps), K1 0.01, K2 0.03, data_range 255, population covariance, mean over the valid region.
The RGB value is the mean of the three per-channel SSIMs (channel_axis=2).
"""
import hashlib
import json
import os
import sys

import numpy as np
import skimage
from PIL import Image
from skimage.metrics import structural_similarity as ssim

ARGS = dict(gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255)


def luma(a):
    a = a.astype(np.float64)
    return 0.299 * a[..., 0] + 0.587 * a[..., 1] + 0.114 * a[..., 2]


def main(d):
    names = sorted({f[:-len("__a.png")] for f in os.listdir(d) if f.endswith("__a.png")})
    cases = []
    for n in names:
        a = np.asarray(Image.open(os.path.join(d, n + "__a.png")).convert("RGB"))
        b = np.asarray(Image.open(os.path.join(d, n + "__b.png")).convert("RGB"))
        cases.append({
            "name": n,
            "size": [a.shape[1], a.shape[0]],
            "a_sha256": hashlib.sha256(a.tobytes()).hexdigest(),
            "b_sha256": hashlib.sha256(b.tobytes()).hexdigest(),
            "ssim_luma": float(ssim(luma(a), luma(b), **ARGS)),
            "ssim_rgb_mean": float(ssim(a.astype(np.float64), b.astype(np.float64), channel_axis=2, **ARGS)),
        })
    json.dump({"oracle": "scikit-image %s structural_similarity" % skimage.__version__,
               "numpy": np.__version__, "args": ARGS, "cases": cases}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/ssim-cases")
