#!/usr/bin/env python3
"""The labelled pair-verdict benchmark: (main, hidden) pairs with the verdict the platform's
published rules give, generated deterministically from the shared dev sources and our fixtures.

    bash benches/verdicts/make.sh            # installs the prerequisites, then runs this
    /tmp/ndvenv/bin/python benches/verdicts/gen.py --out target/verdicts [--per-kind N]

Prerequisites: Debian `tuxpaint-stamps-default fonts-dejavu-core fonts-noto-cjk
fonts-droid-fallback`, and pillow, numpy, scikit-image, qrcode (pinned in make.sh).

Every pair has a `kind` and an `expected` verdict:
- promo_*: the main image carries overlays (banner, badge, price tag, logo, text, frame, arrow,
  QR, watermark), the hidden image is the clean photo. The rules allow overlays on the main, so
  the verdict is decided by the SSIM gate alone: `pass` iff scikit-image SSIM >= 0.92 (the
  independent oracle, same definition as tests/oracle/ssim_oracle.py).
- reencode: the hidden image is the same photo saved again (JPEG q55–95, PNG). Oracle SSIM.
- dirty_<kind>: the hidden image itself carries a banner, sticker, price tag, logo, text,
  semi-transparent watermark (30–60 % opacity, any angle, single or tiled), frame, QR code
  (20–120 px), barcode or arrow; the main carries the same (or more). Always `fail`: the platform
  rejects a hidden image with any of these, whatever SSIM says. An overlay that changes no
  pixel by 10 levels (white text on the white background) is drawn again.
- printed: text printed *on the product* (inside it, following its shading and perspective),
  in both images; the main may add overlays. Oracle SSIM (product print is not an overlay).
- clean: the same photo in both (the main may carry a small logo). Oracle SSIM.

Seeds: every random draw comes from sha256(seed, source, kind, index), so adding a kind or a
source does not move the others. Output bytes depend on Pillow/libjpeg versions; the manifest
records each file's sha256.
"""
import argparse
import hashlib
import io
import json
import os
import random
import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import overlays as ov  # noqa: E402

SOURCES = os.path.join(HERE, "sources.txt")
TUX = "/usr/share/tuxpaint/stamps"
GATE = 0.92
SSIM_ARGS = dict(gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255)


def rng(*parts):
    h = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(h[:8], "big"))


def luma(a):
    a = a.astype(np.float64)
    return 0.299 * a[..., 0] + 0.587 * a[..., 1] + 0.114 * a[..., 2]


def oracle_ssim(main_bytes, hidden_bytes):
    from skimage.metrics import structural_similarity as ssim
    a = np.asarray(Image.open(io.BytesIO(main_bytes)).convert("RGB"))
    b = np.asarray(Image.open(io.BytesIO(hidden_bytes)).convert("RGB"))
    if a.shape != b.shape:
        return None
    return float(ssim(luma(a), luma(b), **SSIM_ARGS))


# ------------------------------------------------------------------ sources

def dev_sources():
    want = [l.strip() for l in open(SOURCES) if l.strip() and not l.startswith("#")]
    out = []
    for sid in want:
        if sid.startswith("tux:"):
            p = os.path.join(TUX, sid[4:] + ".png")
            if os.path.exists(p):
                out.append({"sid": sid, "kind": "product", "path": p})
        elif sid.startswith(("skimage:", "sklearn:")):
            out.append({"sid": sid, "kind": "scene", "path": None})
    out.append({"sid": "fixture:shoe-hidden", "kind": "product",
                "path": os.path.join(ROOT, "fixtures", "shoe-hidden.jpg")})
    return out


def render(src, r):
    """(RGB image, product mask or None). Products: cut-out on a white 1000x1000 canvas at a
    random fill and place; scenes: long side 800–1000."""
    if src["sid"].startswith("fixture:"):
        im = Image.open(src["path"]).convert("RGB")
        a = np.asarray(im).astype(np.int16)
        return im, np.any(np.abs(a - 255) > 24, axis=2)
    if src["kind"] == "product":
        im = Image.open(src["path"]).convert("RGBA")
        bbox = im.getchannel("A").point(lambda v: 255 if v > 8 else 0).getbbox()
        im = im.crop(bbox)
        fill = r.uniform(0.6, 0.88)
        s = fill * 1000 / max(im.size)
        im = im.resize((max(1, round(im.width * s)), max(1, round(im.height * s))), Image.Resampling.LANCZOS)
        canvas = Image.new("RGBA", (1000, 1000), (255, 255, 255, 255))
        x = r.randint(max(0, 500 - im.width // 2 - 60), min(1000 - im.width, max(0, 500 - im.width // 2 + 60)))
        y = r.randint(max(0, 500 - im.height // 2 - 60), min(1000 - im.height, max(0, 500 - im.height // 2 + 60)))
        canvas.alpha_composite(im, (x, y))
        mask = np.zeros((1000, 1000), bool)
        mask[y:y + im.height, x:x + im.width] = np.asarray(im.getchannel("A")) > 128
        return canvas.convert("RGB"), mask
    kind, name = src["sid"].split(":", 1)
    if kind == "skimage":
        import skimage
        d = os.path.join(os.path.dirname(skimage.__file__), "data")
        p = next(os.path.join(d, name + e) for e in (".png", ".jpg") if os.path.exists(os.path.join(d, name + e)))
    else:
        import sklearn
        p = os.path.join(os.path.dirname(sklearn.__file__), "datasets", "images", name + ".jpg")
    im = Image.open(p).convert("RGB")
    long = r.randint(800, 1000)
    s = long / max(im.size)
    im = im.resize((round(im.width * s), round(im.height * s)), Image.Resampling.LANCZOS)
    return im, None


def jpeg(im, q):
    b = io.BytesIO()
    im.save(b, "JPEG", quality=q)
    return b.getvalue()


def png(im):
    b = io.BytesIO()
    im.save(b, "PNG")
    return b.getvalue()


# ------------------------------------------------------------------ overlays by kind

def draw(kind, im, r, strength):
    """Draw one overlay of `kind`; strength in [0, 1] picks its size/opacity from the range."""
    import qrcode
    s = strength
    if kind == "banner":
        return ov.banner(im, r, 0.05 + 0.12 * s)
    if kind == "badge":
        return ov.badge(im, r, 0.08 + 0.14 * s)
    if kind == "price_tag":
        return ov.price_tag(im, r, 0.12 + 0.16 * s)
    if kind == "logo":
        return ov.logo(im, r, 0.05 + 0.08 * s)
    if kind == "text":
        return ov.text_line(im, r, round(18 + 60 * s), angle=r.choice([0, 0, 0, r.uniform(-30, 30)]))
    if kind == "watermark":
        return ov.watermark(im, r, 0.3 + 0.3 * s, tiled=r.random() < 0.4)
    if kind == "frame":
        return ov.frame(im, r, round(4 + 36 * s))
    if kind == "qr":
        return ov.qr(im, r, round(20 + 100 * s * s), qrcode)
    if kind == "barcode":
        return ov.barcode(im, r, round(120 + 200 * s))
    if kind == "arrow":
        return ov.arrow(im, r, 0.12 + 0.2 * s)
    raise ValueError(kind)


def visible_px(before, after):
    """Pixels an overlay changed by 10 levels or more in some channel (before JPEG)."""
    d = np.abs(np.asarray(after.convert("RGB"), dtype=np.int16) - np.asarray(before.convert("RGB"), dtype=np.int16))
    return int((d.max(axis=2) >= 10).sum())


PROMO_KINDS = ["banner", "badge", "price_tag", "logo", "text", "frame", "arrow", "qr", "watermark", "barcode"]
DIRTY_KINDS = ["banner", "badge", "price_tag", "logo", "text", "watermark", "frame", "qr", "barcode", "arrow"]


def promo_main(im, r, n, strength):
    boxes = []
    for k in r.sample(PROMO_KINDS, n):
        im, b = draw(k, im, r, strength * r.uniform(0.5, 1.0))
        boxes.append({"kind": k, "box": list(b)})
    return im, boxes


# ------------------------------------------------------------------ cases

def make_case(job):
    src, kind, idx, out = job
    r = rng("verdicts-v1", src["sid"], kind, idx)
    im, mask = render(src, r)
    q = r.choice([88, 90, 92, 95])
    main_overlays, hidden_overlays = [], []
    if kind == "clean":
        hidden = im
        main = im
        if r.random() < 0.5:
            main, b = ov.logo(im, r, 0.05)
            main_overlays.append({"kind": "logo", "box": list(b)})
        hb, mb = jpeg(hidden, q), jpeg(main, q)
    elif kind.startswith("promo_"):
        size = kind.split("_", 1)[1]
        n, st = {"small": (1, 0.25), "medium": (2, 0.55), "large": (3, 0.95)}[size]
        main, main_overlays = promo_main(im, r, n, st)
        hb, mb = jpeg(im, q), jpeg(main, q)
    elif kind == "reencode":
        main = im
        if r.random() < 0.5:
            main, main_overlays = promo_main(im, r, 1, 0.3)
        mb = jpeg(main, 92)
        hq = r.choice([55, 65, 75, 85, 95, "png"])
        hb = png(im) if hq == "png" else jpeg(im, hq)
    elif kind.startswith("dirty_"):
        ok = kind.split("_", 1)[1]
        strength = [0.0, 0.35, 0.7, 1.0][idx % 4]
        # An overlay that changes no pixel (white text drawn on the white background) is not
        # on the hidden image at all, so the pair is not dirty: draw again (seeded stream).
        for _ in range(5):
            hidden, b = draw(ok, im, r, strength)
            if visible_px(im, hidden) >= 50:
                break
        hidden_overlays.append({"kind": ok, "box": list(b)})
        main = hidden
        main_overlays = list(hidden_overlays)
        if r.random() < 0.4:
            main, extra = promo_main(hidden, r, 1, 0.3)
            main_overlays += extra
        hb, mb = jpeg(hidden, q), jpeg(main, q)
    elif kind == "printed":
        if mask is None:
            return None
        res = ov.product_print(im, mask, r)
        if res is None:
            return None
        printed, pb = res
        main = printed
        if r.random() < 0.5:
            main, main_overlays = promo_main(printed, r, 1, 0.3)
        hb, mb = jpeg(printed, q), jpeg(main, q)
        hidden_overlays.append({"kind": "print_on_product", "box": list(pb)})
    else:
        raise ValueError(kind)
    ssim = oracle_ssim(mb, hb)
    if kind.startswith("dirty_"):
        expected = "fail"
    else:
        expected = "pass" if ssim is not None and ssim >= GATE else "fail"
    name = "%s__%s__%d" % (kind, src["sid"].replace(":", "_").replace("/", "_"), idx)
    ext = "png" if hb[:4] == b"\x89PNG" else "jpg"
    mp, hp = os.path.join(out, name + "__main.jpg"), os.path.join(out, name + "__hidden." + ext)
    with open(mp, "wb") as f:
        f.write(mb)
    with open(hp, "wb") as f:
        f.write(hb)
    return {"name": name, "kind": kind, "source": src["sid"], "source_kind": src["kind"],
            "main": os.path.basename(mp), "hidden": os.path.basename(hp),
            "main_sha256": hashlib.sha256(mb).hexdigest(), "hidden_sha256": hashlib.sha256(hb).hexdigest(),
            "oracle_ssim": ssim, "expected": expected,
            "main_overlays": main_overlays, "hidden_overlays": hidden_overlays}


KINDS = (["clean", "promo_small", "promo_medium", "promo_large", "reencode", "printed"]
         + ["dirty_" + k for k in DIRTY_KINDS])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "verdicts"))
    ap.add_argument("--per-kind", type=int, default=24, help="pairs per kind")
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    srcs = dev_sources()
    if len([s for s in srcs if s["kind"] == "product"]) < 20:
        sys.exit("error: the Tux Paint stamps are missing (apt-get install tuxpaint-stamps-default)")
    products = [s for s in srcs if s["kind"] == "product"]
    scenes = [s for s in srcs if s["kind"] == "scene"]
    jobs = []
    for kind in KINDS:
        pr = rng("verdicts-v1", "sources", kind)
        pool = products if kind == "printed" else products * 3 + scenes  # ~85 % products
        picks = pr.sample(pool, min(len(pool), a.per_kind + (8 if kind == "printed" else 0)))
        for i, s in enumerate(picks):
            jobs.append((s, kind, i, a.out))
    with ProcessPoolExecutor(a.workers) as ex:
        cases = [c for c in ex.map(make_case, jobs, chunksize=4) if c is not None]
    # printed: keep per_kind of those that found room on the product
    by = {}
    for c in cases:
        by.setdefault(c["kind"], []).append(c)
    cases = [c for k in KINDS for c in by.get(k, [])[: a.per_kind]]
    import PIL
    import skimage
    man = {"schema": "pairproof.verdict-bench/1", "gate": GATE,
           "oracle": "scikit-image %s structural_similarity %s on BT.601 luma" % (skimage.__version__, SSIM_ARGS),
           "pillow": PIL.__version__, "numpy": np.__version__, "cases": cases}
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(man, f, indent=1)
    counts = {}
    for c in cases:
        counts.setdefault(c["kind"], [0, 0])[c["expected"] == "pass"] += 1
    for k in KINDS:
        fp = counts.get(k, [0, 0])
        print("%-18s %3d pairs (%d pass, %d fail)" % (k, sum(fp), fp[1], fp[0]))


if __name__ == "__main__":
    main()
