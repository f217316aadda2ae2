#!/usr/bin/env python3
"""The "everyday edits" benchmark: does `pairproof scan` find copies of an image after the edits
people really make (collages, phone screenshots, heavy crops, new backgrounds, stickers, ...)?

    bash benches/edits/make.sh                  # installs the prerequisites, then runs this
    target/pyvenv/bin/python benches/edits/gen.py --out target/edits [--sources 60] [--negatives 15]
    pairproof scan target/edits/store --format json > scan.json
    python3 benches/edits/score.py target/edits scan.json [--markdown]

Sources and rendering are those of the pair-verdict benchmark (benches/verdicts/gen.py,
sources.txt): Tux Paint stamps (products, cut out by their alpha channel) and scikit-image /
scikit-learn sample photos (scenes). The sources are split by a seeded hash: the first
`--sources` become originals; the rest is the "other" pool, itself split (by hash) into a
*filler* pool (collage cells, picture-in-picture and new-background scenes; all other-pool
scenes) and a *negative* pool (products only) used for the hard negatives (background_other
therefore uses colour/gradient/texture backgrounds, never a scene). So a negative never shares
pixels with an original or a copy, while copies may share a filler with each other and
negatives a product with each other (the manifest's `contains` lists every source whose pixels
are in an image; score.py uses it to tell explained joins from false ones).

Layout of OUT:
    store/orig/NNN_<sid>.jpg              one original per chosen source (JPEG q92)
    store/copies/<edit>/NNN_<sid>.jpg     one copy per (original, edit), made from the decoded
                                          original (new_background: from the product cut-out)
    store/negatives/<kind>/NNN.jpg        hard negatives from the negative pool
    manifest.json                         schema pairproof.edits-bench/1

Seeds: every random draw comes from rng(SEED, source, edit, index) (sha256, as in the verdict
benchmark), and pools/fillers are chosen by ranking sha256(SEED, ..., sid), so adding an edit or
a source does not move the others. Output bytes depend on Pillow/libjpeg versions.
"""
import argparse
import hashlib
import importlib.util
import io
import json
import math
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VERDICTS = os.path.join(ROOT, "benches", "verdicts")
sys.path.insert(0, VERDICTS)
_spec = importlib.util.spec_from_file_location("verdicts_gen", os.path.join(VERDICTS, "gen.py"))
vg = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vg)
dev_sources, render, rng, jpeg = vg.dev_sources, vg.render, vg.rng, vg.jpeg
ov = vg.ov  # benches/verdicts/overlays.py: fonts, text fitting, colours

SEED = "edits-v1"
SCHEMA = "pairproof.edits-bench/1"
LANCZOS = Image.Resampling.LANCZOS
BICUBIC = Image.Resampling.BICUBIC
WHITE = (255, 255, 255)

EDITS = ["collage_2x2", "collage_1x2", "screenshot", "crop_heavy", "crop_aniso_mirror",
         "new_background", "picture_in_picture", "shrink_canvas", "rotate", "perspective",
         "sticker", "grayscale", "thumbnail", "tiled_watermark", "noise_blur", "stretch"]
NEG_KINDS = ["collage_other", "screenshot_other", "same_layout", "background_other"]

UI_ACCENTS = [(255, 80, 0), (230, 30, 50), (20, 120, 240), (7, 193, 96), (255, 40, 110),
              (120, 60, 200), (250, 160, 0), (0, 150, 160)]
STICKER_TEXT = ["HOT", "SALE -50%", "新品", "NEW", "-30%", "热卖", "SALE", "限时特价", "BEST", "特价",
                "-70%", "TOP"]
WATERMARK_TEXT = ["SAMPLE", "© shop photo", "样品", "DO NOT COPY", "@shop_official", "PREVIEW",
                  "版权所有"]


# ------------------------------------------------------------------ seeds and pools

def hkey(*parts):
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


def ranked(pool, *parts):
    """The pool in a seeded order that only depends on each member's own sid (rendezvous
    hashing): adding a member never reorders the others."""
    return sorted(pool, key=lambda s: hkey(*parts, s["sid"]))


def safe(sid):
    return sid.replace(":", "_").replace("/", "_")


def split_sources(srcs, n):
    order = ranked(srcs, SEED, "originals")
    originals, other = order[:n], order[n:]
    fillers = [s for s in other if s["kind"] == "scene" or int(hkey(SEED, "pool", s["sid"])[:8], 16) % 2]
    negpool = [s for s in other if s not in fillers]
    return originals, fillers, negpool


# ------------------------------------------------------------------ image helpers

def resize(im, w, h, r=None):
    return im.resize((max(1, round(w)), max(1, round(h))), LANCZOS)


def contain(im, w, h, bg=WHITE):
    s = min(w / im.width, h / im.height)
    t = resize(im, im.width * s, im.height * s)
    c = Image.new("RGB", (w, h), bg)
    c.paste(t, ((w - t.width) // 2, (h - t.height) // 2))
    return c


def cover(im, w, h):
    s = max(w / im.width, h / im.height)
    t = resize(im, im.width * s, im.height * s)
    x, y = (t.width - w) // 2, (t.height - h) // 2
    return t.crop((x, y, x + w, y + h))


def hsv_colour(r, s=(0.6, 1.0), v=(0.6, 1.0)):
    import colorsys
    c = colorsys.hsv_to_rgb(r.random(), r.uniform(*s), r.uniform(*v))
    return tuple(int(255 * k) for k in c)


def is_cjk(text):
    return any(0x2E80 <= ord(c) <= 0x9FFF or 0xF900 <= ord(c) <= 0xFAFF or 0xFF00 <= ord(c) <= 0xFFEF
               for c in text)


def pick_font(r, size, text):
    """A random font of overlays.py that has the text's glyphs (Noto CJK for Chinese: Droid
    Sans Fallback has no Latin digits)."""
    from PIL import ImageFont
    pool = [f for f in ov.CJK_FONTS if "Noto" in f] if is_cjk(text) else ov.FONTS
    pool = ov._available(pool) or ov._available(ov.CJK_FONTS + ov.FONTS)
    return ImageFont.truetype(r.choice(pool) if r is not None else pool[0], max(6, int(size)))


def text_layer(text, size, fill, r=None):
    """Text on a transparent layer: a random font with r, else the first (DejaVu Sans Bold or
    Noto Sans CJK Bold)."""
    return ov._text_layer(text, pick_font(r, size, text), fill)


def fit_text_layer(r, text, max_w, max_h, fill):
    """Text in the largest size (one font, picked once) that fits max_w x max_h."""
    from PIL import ImageFont
    path = pick_font(r, 10, text).path
    size = max(6, int(max_h))
    while True:
        f = ImageFont.truetype(path, size)
        x0, y0, x1, y1 = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox((0, 0), text, font=f)
        if (x1 - x0 <= max_w and y1 - y0 <= max_h) or size <= 6:
            return ov._text_layer(text, f, fill)
        size = max(6, int(size * 0.92))


def stamp_rgba(src):
    """The product cut-out (RGBA, cropped to its alpha) of a product source."""
    if src["sid"].startswith("fixture:"):
        im, mask = render(src, rng(SEED, "unused"))
        return mask_cutout(im, mask)
    im = Image.open(src["path"]).convert("RGBA")
    return im.crop(im.getchannel("A").point(lambda v: 255 if v > 8 else 0).getbbox())


def mask_cutout(im, mask):
    """RGBA cut-out of a photo on white from its product mask (holes filled, edges softened)."""
    from scipy import ndimage
    m = ndimage.binary_fill_holes(ndimage.binary_closing(mask, iterations=3))
    a = Image.fromarray((m * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(1))
    rgba = im.convert("RGBA")
    rgba.putalpha(a)
    return rgba.crop(a.getbbox())


def placed_cutout(src, parts, check=None, check_mask=None):
    """(RGBA layer the size of render()'s canvas with the product exactly where render() put it
    with rng(*parts), product bbox). `check` is render()'s output for the same parts: the
    layer on white must reproduce it, else we fall back to cutting out by the mask."""
    if src["sid"].startswith("fixture:"):
        im, mask = render(src, rng(*parts))
        cut = mask_cutout(im, mask)
        ys, xs = np.nonzero(mask)
        layer = Image.new("RGBA", im.size, (255, 255, 255, 0))
        layer.paste(cut, (int(xs.min()), int(ys.min())))
        return layer, (int(xs.min()), int(ys.min()), int(xs.min()) + cut.width, int(ys.min()) + cut.height), "mask"
    # the same draws and arithmetic as verdicts/gen.py render() for products
    r = rng(*parts)
    im = stamp_rgba(src)
    fill = r.uniform(0.6, 0.88)
    s = fill * 1000 / max(im.size)
    im = im.resize((max(1, round(im.width * s)), max(1, round(im.height * s))), LANCZOS)
    x = r.randint(max(0, 500 - im.width // 2 - 60), min(1000 - im.width, max(0, 500 - im.width // 2 + 60)))
    y = r.randint(max(0, 500 - im.height // 2 - 60), min(1000 - im.height, max(0, 500 - im.height // 2 + 60)))
    layer = Image.new("RGBA", (1000, 1000), (255, 255, 255, 0))
    layer.paste(im, (x, y))
    bbox = (x, y, x + im.width, y + im.height)
    if check is not None:
        white = Image.new("RGBA", layer.size, WHITE + (255,))
        white.alpha_composite(layer)
        if not np.array_equal(np.asarray(white.convert("RGB")), np.asarray(check)):
            # render() changed: cut the product out of its output by the mask instead
            cut = mask_cutout(check, check_mask)
            x0, y0, _, _ = mask_bbox(check_mask)
            layer = Image.new("RGBA", check.size, (255, 255, 255, 0))
            layer.paste(cut, (x0, y0))
            return layer, (x0, y0, x0 + cut.width, y0 + cut.height), "mask"
    return layer, bbox, "alpha"


def mask_bbox(mask):
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def np_rng(r):
    return np.random.default_rng(r.getrandbits(64))


# ------------------------------------------------------------------ shared layouts

def collage_2x2(cells, r):
    """cells: 4 (image, 'contain'|'cover'). Equal square cells, thin white/grey gutters."""
    side = r.randint(960, 1040)
    g = r.randint(4, 12)
    gcol = r.choice([WHITE, WHITE, (235, 235, 235), (200, 200, 200), (128, 128, 128)])
    outer = r.choice([0, g])
    cw = (side - 2 * outer - g) // 2
    canvas = Image.new("RGB", (2 * cw + g + 2 * outer,) * 2, gcol)
    for i, (im, mode) in enumerate(cells):
        x, y = outer + (i % 2) * (cw + g), outer + (i // 2) * (cw + g)
        canvas.paste(contain(im, cw, cw) if mode == "contain" else cover(im, cw, cw), (x, y))
    return canvas, {"cell": cw, "gutter": g, "gutter_colour": list(gcol)}


def background(r, W, H, scenes, parts):
    """A new background: solid saturated colour, gradient, texture or a scene photo."""
    styles = ["solid", "gradient", "texture"] + (["scene"] if scenes else [])
    style = r.choice(styles)
    if style == "solid":
        return Image.new("RGB", (W, H), hsv_colour(r)), {"style": style}
    if style == "gradient":
        c1, c2 = np.array(hsv_colour(r)), np.array(hsv_colour(r, s=(0.2, 0.9), v=(0.7, 1.0)))
        ang = r.uniform(0, 2 * math.pi)
        yy, xx = np.mgrid[0:H, 0:W]
        t = (xx / W - 0.5) * math.cos(ang) + (yy / H - 0.5) * math.sin(ang)
        t = (t - t.min()) / max(1e-9, t.max() - t.min())
        a = c1[None, None, :] * (1 - t[..., None]) + c2[None, None, :] * t[..., None]
        return Image.fromarray(a.astype(np.uint8)), {"style": style}
    if style == "texture":
        kind = r.choice(["stripes", "dots", "fabric"])
        c1, c2 = hsv_colour(r, s=(0.3, 0.9)), hsv_colour(r, s=(0.3, 0.9))
        im = Image.new("RGB", (W, H), c1)
        d = ImageDraw.Draw(im)
        if kind == "stripes":
            w = r.randint(18, 60)
            for k in range(-H, W + H, 2 * w):
                d.polygon([(k, 0), (k + w, 0), (k + w - H, H), (k - H, H)], fill=c2)
        elif kind == "dots":
            step, rad = r.randint(40, 90), r.randint(6, 18)
            for j, y in enumerate(range(0, H + step, step)):
                for x in range(-(j % 2) * step // 2, W + step, step):
                    d.ellipse([x - rad, y - rad, x + rad, y + rad], fill=c2)
        else:
            n = np_rng(r).normal(0, 1, (H // 8 + 1, W // 8 + 1)).astype(np.float32)
            n = np.asarray(Image.fromarray(n, "F").resize((W, H), BICUBIC))[..., None] * 18
            im = Image.fromarray(np.clip(np.asarray(im, np.float32) + n, 0, 255).astype(np.uint8))
        return im, {"style": style, "texture": kind}
    src = r.choice(scenes)
    sc, _ = render(src, rng(*parts, "bg", src["sid"]))
    im, info = scene_crop(sc, W, H, r)
    info.update({"style": style, "scene": src["sid"]})
    return im, info


def scene_crop(sc, W, H, r):
    """A W x H view of a scene photo: random zoom (1–1.6x over cover) and place, maybe blurred
    (so the same photo behind two copies is not the same pixels)."""
    z = r.uniform(1.0, 1.6)
    s = max(W / sc.width, H / sc.height) * z
    t = resize(sc, sc.width * s, sc.height * s)
    x, y = r.randint(0, t.width - W), r.randint(0, t.height - H)
    im = t.crop((x, y, x + W, y + H))
    if r.random() < 0.5:
        im = ImageOps.mirror(im)
    blur = r.choice([0, 0, 2, 4])
    if blur:
        im = im.filter(ImageFilter.GaussianBlur(blur))
    return im, {"zoom": round(z, 3), "blur": blur}


def recomposite(layer, bbox, r, scenes, parts):
    """Cut-out layer (RGBA, on a canvas) at roughly its place/size on a new background, with an
    optional soft shadow."""
    W, H = layer.size
    bg, info = background(r, W, H, scenes, parts)
    cut = layer.crop(bbox)
    s = r.uniform(0.94, 1.06)
    cut = resize(cut, cut.width * s, cut.height * s)
    cx = (bbox[0] + bbox[2]) / 2 + r.uniform(-0.03, 0.03) * W
    cy = (bbox[1] + bbox[3]) / 2 + r.uniform(-0.03, 0.03) * H
    x = int(min(max(cx - cut.width / 2, 0), W - cut.width)) if cut.width < W else (W - cut.width) // 2
    y = int(min(max(cy - cut.height / 2, 0), H - cut.height)) if cut.height < H else (H - cut.height) // 2
    base = bg.convert("RGBA")
    shadow = r.random() < 0.5
    if shadow:
        op = r.uniform(0.35, 0.55)
        a = cut.getchannel("A").point(lambda v: int(v * op)).filter(ImageFilter.GaussianBlur(r.uniform(6, 14)))
        sh = Image.new("RGBA", cut.size, (0, 0, 0, 0))
        sh.putalpha(a)
        off = r.randint(6, 20)
        tmp = Image.new("RGBA", base.size, (0, 0, 0, 0))
        tmp.paste(sh, (x + off, y + off))
        base = Image.alpha_composite(base, tmp)
    tmp = Image.new("RGBA", base.size, (0, 0, 0, 0))
    tmp.paste(cut, (x, y))
    base = Image.alpha_composite(base, tmp)
    info.update({"scale": round(s, 3), "shadow": shadow, "place": [x, y, x + cut.width, y + cut.height]})
    return base.convert("RGB"), info


def screenshot(img, r):
    """A phone screenshot of a shop app's product page showing `img`."""
    W, H = 1080, 2340
    dark = r.random() < 0.2
    bg = (18, 18, 18) if dark else r.choice([WHITE, (245, 245, 245), (248, 246, 242)])
    fg = (235, 235, 235) if dark else (25, 25, 25)
    sub = (150, 150, 150) if dark else (120, 120, 120)
    acc = r.choice(UI_ACCENTS)
    acc2 = r.choice([c for c in UI_ACCENTS if c != acc])
    cjk = r.random() < 0.5
    c = Image.new("RGBA", (W, H), bg + (255,))
    d = ImageDraw.Draw(c)
    # status bar
    head_col = r.choice([acc, bg])
    d.rectangle([0, 0, W, 260], fill=head_col)
    on_head = ov.contrast_on(head_col) if head_col != bg else fg
    t = "%d:%02d" % (r.randint(7, 23), r.randint(0, 59))
    c.alpha_composite(text_layer(t, 42, on_head + (255,)), (60, 32))
    bx = W - 150
    d.rounded_rectangle([bx, 38, bx + 76, 76], radius=9, outline=on_head, width=4)
    d.rectangle([bx + 78, 50, bx + 84, 64], fill=on_head)
    lvl = r.uniform(0.15, 1.0)
    d.rectangle([bx + 8, 46, bx + 8 + int(60 * lvl), 68], fill=(60, 200, 80) if lvl > 0.2 else (230, 40, 40))
    for k in range(4):
        d.rectangle([bx - 120 + 18 * k, 70 - 10 * (k + 1), bx - 108 + 18 * k, 72], fill=on_head)
    # header: back chevron, title, menu dots
    d.line([(70, 185), (45, 160), (70, 135)], fill=on_head, width=7)
    title = r.choice(["商品详情", "宝贝详情", "商品", ] if cjk else ["Product details", "Details", "Item"])
    if r.random() < 0.4:
        title = r.choice(ov.SHOPS)
    tl = fit_text_layer(r, title, 700, 56, on_head + (255,))
    c.alpha_composite(tl, ((W - tl.width) // 2, 160 - tl.height // 2))
    for k in range(3):
        d.ellipse([W - 90 + 22 * k - 7, 153, W - 90 + 22 * k + 7, 167], fill=on_head)
    if head_col == bg:
        d.line([(0, 259), (W, 259)], fill=sub, width=2)
    # the picture
    wf = r.uniform(0.85, 1.0)
    pw = round(W * wf)
    ph = round(pw * img.height / img.width)
    if ph > 1350:
        ph = 1350
        pw = round(ph * img.width / img.height)
    px, py = (W - pw) // 2, 260 + (0 if wf > 0.97 else r.randint(10, 60))
    c.paste(resize(img, pw, ph).convert("RGBA"), (px, py))
    y = py + ph + 24
    n = r.randint(3, 6)  # pager dots
    for k in range(n):
        x0 = W // 2 - n * 15 + 30 * k
        d.ellipse([x0, y, x0 + 14, y + 14], fill=acc if k == 0 else sub)
    y += 40
    # price, old price, title lines, placeholder text
    price = r.choice(["¥%d.%02d" % (r.randint(9, 999), r.choice([0, 90, 99])),
                      "$%d.%02d" % (r.randint(3, 300), r.choice([0, 49, 99])), "€%d,90" % r.randint(5, 200)])
    pl = text_layer(price, r.randint(70, 96), acc + (255,), r)
    c.alpha_composite(pl, (50, y))
    old = text_layer(price[0] + str(r.randint(300, 1999)), 40, sub + (255,), r)
    ox, oy = 50 + pl.width + 30, y + pl.height - old.height - 6
    c.alpha_composite(old, (ox, oy))
    d.line([(ox, oy + old.height // 2), (ox + old.width, oy + old.height // 2)], fill=sub, width=3)
    y += pl.height + 30
    for k in range(2):
        w, cj = ov.words(r, cjk)
        line = (w + " " + ov.words(r, cjk)[0]) if not cj else w + ov.words(r, cjk)[0]
        tl = fit_text_layer(r, line, 980, 50, fg + (255,))
        c.alpha_composite(tl, (50, y))
        y += 70
    while y < H - 330:
        d.rounded_rectangle([50, y, 50 + r.randint(400, 980), y + 26], radius=8,
                            fill=(60, 60, 60) if dark else (228, 228, 228))
        y += r.randint(50, 70)
    # bottom bar: icons and two buttons
    d.rectangle([0, H - 250, W, H], fill=(28, 28, 28) if dark else WHITE)
    d.line([(0, H - 250), (W, H - 250)], fill=sub, width=2)
    for k in range(3):
        d.ellipse([40 + 105 * k, H - 215, 90 + 105 * k, H - 165], outline=sub, width=4)
    b1, b2 = (["加入购物车", "立即购买"] if cjk else [r.choice(["Add to cart", "Add to bag"]), "Buy now"])
    split = r.choice([True, False])
    for k, (txt, col) in enumerate([(b1, acc2), (b2, acc)]):
        x0 = 360 + k * 350 if split else 360 + k * 355
        d.rounded_rectangle([x0, H - 225, x0 + 340, H - 135], radius=45 if r.random() < 0.7 else 10, fill=col)
        tl = fit_text_layer(r, txt, 290, 44, ov.contrast_on(col) + (255,))
        c.alpha_composite(tl, (x0 + (340 - tl.width) // 2, H - 180 - tl.height // 2))
    d.rounded_rectangle([W // 2 - 140, H - 40, W // 2 + 140, H - 28], radius=6, fill=fg)
    s = r.uniform(0.46, 0.54)
    out = c.convert("RGB").resize((round(W * s), round(H * s)), LANCZOS)
    return out, {"picture_width": round(wf, 3), "dark": dark, "cjk": cjk, "scale": round(s, 3)}


# ------------------------------------------------------------------ edits
# Each takes (ctx, r) and returns (image, coverage, params, extra source ids, jpeg quality).

def e_collage_2x2(ctx, r):
    fill = ranked(ctx["fillers"], SEED, ctx["sid"], "collage_2x2")[:3]
    cells = [(render(f, rng(SEED, ctx["sid"], "collage_2x2", "filler", f["sid"]))[0], "cover") for f in fill]
    pos = r.randrange(4)
    cells.insert(pos, (ctx["orig"], "contain"))
    im, p = collage_2x2(cells, r)
    p["cell_index"] = pos
    return im, 1.0, p, [f["sid"] for f in fill], 85


def e_collage_1x2(ctx, r):
    f = ranked(ctx["fillers"], SEED, ctx["sid"], "collage_1x2")[0]
    other = render(f, rng(SEED, ctx["sid"], "collage_1x2", "filler", f["sid"]))[0]
    g = r.randint(4, 12)
    gcol = r.choice([WHITE, WHITE, (235, 235, 235), (200, 200, 200)])
    outer = r.choice([0, g])
    cw = (1000 - 2 * outer - g) // 2
    ch = round(cw * r.choice([1.0, 1.0, 1.25, 4 / 3]))
    canvas = Image.new("RGB", (2 * cw + g + 2 * outer, ch + 2 * outer), gcol)
    left = r.random() < 0.5
    xs = [outer, outer + cw + g]
    canvas.paste(contain(ctx["orig"], cw, ch), (xs[0 if left else 1], outer))
    canvas.paste(cover(other, cw, ch), (xs[1 if left else 0], outer))
    return canvas, 1.0, {"side": "left" if left else "right", "gutter": g}, [f["sid"]], 85


def e_screenshot(ctx, r):
    im, p = screenshot(ctx["orig"], r)
    return im, 1.0, p, [], 85


def _crop_box(W, H, wf, hf, r):
    cw, ch = max(1, round(W * wf)), max(1, round(H * hf))
    x, y = r.randint(0, W - cw), r.randint(0, H - ch)
    return (x, y, x + cw, y + ch)


def e_crop_heavy(ctx, r):
    im = ctx["orig"]
    a = r.uniform(0.40, 0.65)
    wf = min(max(math.sqrt(a) * math.exp(r.uniform(-0.3, 0.3)), a / 0.97), 0.97)
    box = _crop_box(im.width, im.height, wf, a / wf, r)
    cov = (box[2] - box[0]) * (box[3] - box[1]) / (im.width * im.height)
    return im.crop(box), cov, {"box": list(box)}, [], 85


def e_crop_aniso_mirror(ctx, r):
    im = ctx["orig"]
    a = r.uniform(0.40, 0.65)
    long = r.uniform(0.85, 0.95)
    wide = r.random() < 0.5
    wf, hf = (long, a / long) if wide else (a / long, long)
    box = _crop_box(im.width, im.height, wf, hf, r)
    cov = (box[2] - box[0]) * (box[3] - box[1]) / (im.width * im.height)
    return ImageOps.mirror(im.crop(box)), cov, {"box": list(box), "mirrored": True}, [], 85


def e_new_background(ctx, r):
    if ctx["kind"] != "product":
        return None
    layer, bbox, how = placed_cutout(ctx["src"], ctx["render_parts"], ctx["rendered"], ctx["mask"])
    scenes = [s for s in ctx["fillers"] if s["kind"] == "scene"]
    im, p = recomposite(layer, bbox, r, scenes, (SEED, ctx["sid"], "new_background"))
    p["cutout"] = how
    extra = [p["scene"]] if "scene" in p else []
    return im, 1.0, p, extra, 85


def e_picture_in_picture(ctx, r):
    img = ctx["orig"]
    W = 1000
    scenes = [s for s in ctx["fillers"] if s["kind"] == "scene"]
    wf = r.uniform(0.5, 0.7)
    iw = round(W * wf)
    ih = round(iw * img.height / img.width)
    H = max(r.choice([1000, 800, 1250]), round(ih / 0.85))
    extra = []
    if scenes and r.random() < 0.6:
        f = ranked(scenes, SEED, ctx["sid"], "picture_in_picture")[0]
        sc = render(f, rng(SEED, ctx["sid"], "picture_in_picture", "bg", f["sid"]))[0]
        bg, info = scene_crop(sc, W, H, r)
        info.update({"background": "scene", "scene": f["sid"]})
        extra = [f["sid"]]
    else:
        bg, info = background(r, W, H, [], None)
        info = {"background": info["style"]}
    inset = resize(img, iw, ih)
    x = r.randint(int(W * 0.04), W - iw - int(W * 0.04))
    y = r.randint(int(H * 0.04), H - ih - int(H * 0.04))
    base = bg.convert("RGBA")
    if r.random() < 0.5:
        bw = r.randint(2, 8)
        col = r.choice([WHITE, (0, 0, 0), (90, 90, 90)])
        ImageDraw.Draw(base).rectangle([x - bw, y - bw, x + iw + bw - 1, y + ih + bw - 1], fill=col + (255,))
        info["border"] = bw
    else:
        off, blur, op = r.randint(6, 16), r.uniform(5, 12), r.uniform(0.4, 0.6)
        sh = Image.new("L", base.size, 0)
        ImageDraw.Draw(sh).rectangle([x + off, y + off, x + iw + off, y + ih + off], fill=int(255 * op))
        sh = sh.filter(ImageFilter.GaussianBlur(blur))
        layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
        layer.putalpha(sh)
        base = Image.alpha_composite(base, layer)
        info["shadow"] = off
    base.paste(inset.convert("RGBA"), (x, y))
    info.update({"inset_width": round(wf, 3), "place": [x, y, x + iw, y + ih]})
    return base.convert("RGB"), 1.0, info, extra, 85


def e_shrink_canvas(ctx, r):
    img = ctx["orig"]
    W, H = img.size
    if ctx["bbox"] is not None:
        x0, y0, x1, y1 = ctx["bbox"]
        pad = r.randint(4, 20)
        x0, y0, x1, y1 = max(0, x0 - pad), max(0, y0 - pad), min(W, x1 + pad), min(H, y1 + pad)
        while (x1 - x0) * (y1 - y0) < 0.3 * W * H:  # keep >= 30 % of the original's area
            x0, y0, x1, y1 = max(0, x0 - 10), max(0, y0 - 10), min(W, x1 + 10), min(H, y1 + 10)
        crop = img.crop((x0, y0, x1, y1))
    else:
        crop = img
    C = r.randint(1000, 1300)
    frac = r.uniform(0.30, 0.40)
    s = frac * C / max(crop.size)
    t = resize(crop, crop.width * s, crop.height * s)
    canvas = Image.new("RGB", (C, C), WHITE)
    x, y = r.randint(0, C - t.width), r.randint(0, C - t.height)
    canvas.paste(t, (x, y))
    cov = crop.width * crop.height / (W * H)
    return canvas, cov, {"canvas": C, "fill": round(frac, 3), "place": [x, y, x + t.width, y + t.height]}, [], 85


def e_rotate(ctx, r):
    img = ctx["orig"]
    ang = r.uniform(6, 20) * r.choice([-1, 1])
    expand = r.random() < 0.5
    fill = r.choice([WHITE, (0, 0, 0)])
    out = img.rotate(ang, resample=BICUBIC, expand=expand, fillcolor=fill)
    if expand:
        cov = 1.0
    else:
        m = Image.new("L", img.size, 255).rotate(ang, resample=Image.Resampling.NEAREST, expand=False, fillcolor=0)
        cov = float(np.asarray(m).mean() / 255)
    return out, cov, {"angle": round(ang, 2), "expand": expand, "fill": list(fill)}, [], 85


def _homography(src, dst):
    """Coefficients (a..h) of the projective map taking src points to dst points."""
    A, B = [], []
    for (x, y), (u, v) in zip(src, dst):
        A.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        B.append(u)
        A.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        B.append(v)
    return np.linalg.solve(np.array(A, float), np.array(B, float))


def e_perspective(ctx, r):
    img = ctx["orig"]
    W, H = img.size
    corners = [(0, 0), (W, 0), (W, H), (0, H)]
    moved = []
    for (x, y) in corners:
        to_c = math.atan2(H / 2 - y, W / 2 - x)
        a = to_c + r.uniform(-1.0, 1.0) * (math.pi / 3 if r.random() < 0.8 else math.pi)
        k = r.uniform(0.05, 0.12)
        moved.append((x + k * W * math.cos(a), y + k * H * math.sin(a)))
    inv = _homography(moved, corners)  # output -> input, what Pillow wants
    out = img.transform((W, H), Image.Transform.PERSPECTIVE, tuple(inv), BICUBIC, fillcolor=WHITE)
    fw = _homography(corners, moved)
    gx, gy = np.meshgrid(np.linspace(0.5, W - 0.5, 80), np.linspace(0.5, H - 0.5, 80))
    den = fw[6] * gx + fw[7] * gy + 1
    u, v = (fw[0] * gx + fw[1] * gy + fw[2]) / den, (fw[3] * gx + fw[4] * gy + fw[5]) / den
    cov = float(np.mean((u >= 0) & (u < W) & (v >= 0) & (v < H)))
    return out, cov, {"corners": [[round(a, 1), round(b, 1)] for a, b in moved]}, [], 85


def sticker_layer(r, area, text):
    col = hsv_colour(r, s=(0.75, 1.0), v=(0.85, 1.0))
    fg = ov.contrast_on(col)
    if r.random() < 0.5:
        dia = round(math.sqrt(4 * area / math.pi))
        w = h = dia
        lay = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        d = ImageDraw.Draw(lay)
        d.ellipse([0, 0, w - 1, h - 1], fill=col + (255,))
        if r.random() < 0.5:
            ring = max(3, w // 30)
            d.ellipse([ring * 2, ring * 2, w - 1 - ring * 2, h - 1 - ring * 2], outline=fg + (255,), width=ring)
        tl = fit_text_layer(r, text, int(w * 0.66), int(h * 0.36), fg + (255,))
        shape = "circle"
    else:
        asp = r.uniform(1.4, 2.4)
        w = round(math.sqrt(area * asp))
        h = round(area / w)
        lay = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        ImageDraw.Draw(lay).rounded_rectangle([0, 0, w - 1, h - 1], radius=int(h * r.uniform(0.12, 0.5)),
                                              fill=col + (255,))
        tl = fit_text_layer(r, text, int(w * 0.8), int(h * 0.55), fg + (255,))
        shape = "rounded_rect"
    lay.alpha_composite(tl, ((w - tl.width) // 2, (h - tl.height) // 2))
    ang = r.uniform(-15, 15)
    lay = lay.rotate(ang, resample=BICUBIC, expand=True)
    return lay, {"shape": shape, "text": text, "angle": round(ang, 1)}


def e_sticker(ctx, r):
    img = ctx["orig"]
    W, H = img.size
    total = r.uniform(0.10, 0.20) * W * H
    n = r.choice([1, 2])
    shares = [1.0] if n == 1 else [r.uniform(0.45, 0.65)]
    if n == 2:
        shares.append(1 - shares[0])
    bx0, by0, bx1, by1 = ctx["bbox"] if ctx["bbox"] else (W * 0.2, H * 0.2, W * 0.8, H * 0.8)
    base = img.convert("RGBA")
    covered = np.zeros((H, W), bool)
    stickers = []
    texts = r.sample(STICKER_TEXT, len(shares))
    for k, sh in enumerate(shares):
        lay, p = sticker_layer(r, total * sh, texts[k])
        if lay.width > W or lay.height > H:
            s = min(W / lay.width, H / lay.height) * 0.95
            lay = resize(lay, lay.width * s, lay.height * s)
        a = np.asarray(lay.getchannel("A")) > 128
        best = None
        for _ in range(12):  # a second sticker goes where it hides the first the least
            cx = (bx0 + bx1) / 2 + r.uniform(-0.3, 0.3) * (bx1 - bx0)
            cy = (by0 + by1) / 2 + r.uniform(-0.3, 0.3) * (by1 - by0)
            x = int(min(max(cx - lay.width / 2, 0), W - lay.width))
            y = int(min(max(cy - lay.height / 2, 0), H - lay.height))
            ovl = float((covered[y:y + lay.height, x:x + lay.width] & a).mean())
            if best is None or ovl < best[0]:
                best = (ovl, x, y)
            if ovl < 0.05:
                break
        _, x, y = best
        base.alpha_composite(lay, (x, y))
        covered[y:y + lay.height, x:x + lay.width] |= a
        p["box"] = [x, y, x + lay.width, y + lay.height]
        stickers.append(p)
    cov = 1.0 - float(covered.mean())
    return base.convert("RGB"), cov, {"stickers": stickers, "covered": round(1 - cov, 3)}, [], 85


def e_grayscale(ctx, r):
    g = ctx["orig"].convert("L")
    as_l = r.random() < 0.5
    return (g if as_l else g.convert("RGB")), 1.0, {"jpeg_mode": "L" if as_l else "RGB"}, [], 85


def e_thumbnail(ctx, r):
    img = ctx["orig"]
    long = r.randint(160, 240)
    s = long / max(img.size)
    flt = r.choice(["lanczos", "bilinear", "bicubic"])
    im = img.resize((max(1, round(img.width * s)), max(1, round(img.height * s))),
                    {"lanczos": LANCZOS, "bilinear": Image.Resampling.BILINEAR, "bicubic": BICUBIC}[flt])
    q = r.randint(25, 40)
    return im, 1.0, {"long_side": long, "filter": flt, "quality": q}, [], q


def e_tiled_watermark(ctx, r):
    img = ctx["orig"]
    W, H = img.size
    text = r.choice(WATERMARK_TEXT + ov.SHOPS)
    size = round(min(W, H) * r.uniform(0.04, 0.08))
    luma = float(np.asarray(img.convert("L")).mean())
    col = r.choice([(30, 30, 30), (90, 90, 90)]) if luma > 150 else r.choice([WHITE, WHITE, (30, 30, 30)])
    op = r.uniform(0.30, 0.50)
    ang = r.uniform(20, 45) * r.choice([-1, 1])
    # the text's coverage as a mask (tiles never overlap), rotated, then ONE composite at `op`
    glyph = text_layer(text, size, (255, 255, 255, 255), r).getchannel("A")
    D = int(math.hypot(W, H)) + 4 * size
    mask = Image.new("L", (D, D), 0)
    sx, sy = glyph.width + size * r.uniform(1.2, 2.5), glyph.height + size * r.uniform(1.0, 2.2)
    for j, y in enumerate(np.arange(0, D, sy)):
        for x in np.arange(-(j % 2) * sx / 2, D, sx):
            mask.paste(glyph, (int(x), int(y)), glyph)
    mask = mask.rotate(ang, resample=BICUBIC)
    mask = mask.crop(((D - W) // 2, (D - H) // 2, (D - W) // 2 + W, (D - H) // 2 + H))
    over = Image.new("RGBA", (W, H), col + (0,))
    over.putalpha(mask.point(lambda v: round(v * op)))
    base = img.convert("RGBA")
    base.alpha_composite(over)
    return base.convert("RGB"), 1.0, {"text": text, "opacity": round(op, 3), "angle": round(ang, 1),
                                      "colour": list(col), "size": size}, [], 85


def e_noise_blur(ctx, r):
    img = ctx["orig"]
    mode = r.choice(["noise", "blur", "both"])
    p = {"mode": mode}
    if mode in ("blur", "both"):
        rad = r.uniform(1.5, 3.0)
        img = img.filter(ImageFilter.GaussianBlur(rad))
        p["radius"] = round(rad, 2)
    if mode in ("noise", "both"):
        sig = r.uniform(8, 15)
        a = np.asarray(img, np.float32) + np_rng(r).normal(0, sig, (img.height, img.width, 3)).astype(np.float32)
        img = Image.fromarray(np.clip(a + 0.5, 0, 255).astype(np.uint8))
        p["sigma"] = round(sig, 2)
    return img, 1.0, p, [], 85


def e_stretch(ctx, r):
    img = ctx["orig"]
    f = r.uniform(1.2, 1.5) if r.random() < 0.5 else r.uniform(0.7, 0.85)
    ax = r.choice(["x", "y"])
    w, h = (img.width * f, img.height) if ax == "x" else (img.width, img.height * f)
    return resize(img, w, h), 1.0, {"axis": ax, "factor": round(f, 3)}, [], 85


EDIT_FUNCS = {k: globals()["e_" + k] for k in EDITS}


# ------------------------------------------------------------------ jobs

def write(out, rel, im, q):
    p = os.path.join(out, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    b = jpeg(im, q)
    with open(p, "wb") as f:
        f.write(b)
    return b


def original_job(job):
    idx, src, fillers, out = job
    sid = src["sid"]
    name = "%03d_%s.jpg" % (idx, safe(sid))
    parts = (SEED, sid, "original", 0)
    rendered, mask = render(src, rng(*parts))
    orel = "store/orig/" + name
    b = write(out, orel, rendered, 92)
    orig = Image.open(io.BytesIO(b)).convert("RGB")
    images = [{"path": orel, "source": sid, "role": "original", "edit": None, "negative_kind": None,
               "coverage": None, "source_kind": src["kind"], "contains": [sid],
               "sha256": hashlib.sha256(b).hexdigest()}]
    pairs = []
    ctx = {"sid": sid, "src": src, "kind": src["kind"], "orig": orig, "rendered": rendered, "mask": mask,
           "bbox": mask_bbox(mask) if mask is not None and mask.any() else None,
           "fillers": fillers, "render_parts": parts}
    for edit in EDITS:
        res = EDIT_FUNCS[edit](ctx, rng(SEED, sid, edit, 0))
        if res is None:
            continue
        im, cov, params, extra, q = res
        rel = "store/copies/%s/%s" % (edit, name)
        b = write(out, rel, im, q)
        images.append({"path": rel, "source": sid, "role": "copy", "edit": edit, "negative_kind": None,
                       "coverage": round(cov, 4), "source_kind": src["kind"], "contains": [sid] + extra,
                       "size": list(im.size), "params": params, "sha256": hashlib.sha256(b).hexdigest()})
        pairs.append({"copy": rel, "original": orel, "edit": edit})
    return images, pairs


def negative_job(job):
    kind, i, srcs, layout_src, out = job
    r = rng(SEED, "negative", kind, i)
    main = srcs[0]
    parts = (SEED, "negative", kind, i)
    p = {}
    if kind == "collage_other":
        cells = [(render(s, rng(*parts, s["sid"]))[0], "cover") for s in srcs]
        pos = r.randrange(4)
        cells[pos] = (cells[pos][0], "contain")
        im, p = collage_2x2(cells, r)
    elif kind == "screenshot_other":
        im, p = screenshot(render(main, rng(*parts, main["sid"]))[0], r)
    elif kind == "same_layout":
        # an other product where one original's product is, at the same size
        _, lmask = render(layout_src, rng(SEED, layout_src["sid"], "original", 0))
        x0, y0, x1, y1 = mask_bbox(lmask)
        cut = stamp_rgba(main)
        s = min((x1 - x0) / cut.width, (y1 - y0) / cut.height)
        cut = resize(cut, cut.width * s, cut.height * s)
        canvas = Image.new("RGBA", lmask.shape[::-1], WHITE + (255,))
        canvas.alpha_composite(cut, (x0 + (x1 - x0 - cut.width) // 2, y0 + (y1 - y0 - cut.height) // 2))
        im = canvas.convert("RGB")
        p = {"layout_of": layout_src["sid"], "box": [x0, y0, x1, y1]}
    elif kind == "background_other":
        # no scene backgrounds: the scenes are fillers of copies, a negative shares no pixels
        layer, bbox, how = placed_cutout(main, parts + (main["sid"],))
        im, p = recomposite(layer, bbox, r, [], parts)
    else:
        raise ValueError(kind)
    rel = "store/negatives/%s/%03d.jpg" % (kind, i)
    b = write(out, rel, im, 85)
    contains = [s["sid"] for s in srcs] + ([p["scene"]] if "scene" in p else [])
    return {"path": rel, "source": main["sid"], "role": "negative", "edit": None, "negative_kind": kind,
            "coverage": None, "contains": contains, "size": list(im.size), "params": p,
            "sha256": hashlib.sha256(b).hexdigest()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "edits"))
    ap.add_argument("--sources", type=int, default=60, help="originals")
    ap.add_argument("--negatives", type=int, default=15, help="negatives per kind")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    a = ap.parse_args()
    t0 = time.time()
    srcs = dev_sources()
    if len([s for s in srcs if s["kind"] == "product"]) < 20:
        sys.exit("error: the Tux Paint stamps are missing (apt-get install tuxpaint-stamps-default)")
    originals, fillers, negpool = split_sources(srcs, a.sources)
    if not negpool or len(fillers) < 4:
        sys.exit("error: too few sources left for fillers and negatives (lower --sources)")
    os.makedirs(a.out, exist_ok=True)
    jobs = [(i, s, fillers, a.out) for i, s in enumerate(originals)]
    # negatives: walk the negative pool in a seeded order, each kind from its own offset
    order = ranked(negpool, SEED, "negatives")
    orig_products = [s for s in originals if s["kind"] == "product"]
    need = {"collage_other": 4, "screenshot_other": 1, "same_layout": 1, "background_other": 1}
    neg_jobs, pos = [], 0
    for kind in sorted(NEG_KINDS, key=lambda k: need[k]):  # single-product kinds get distinct products
        for i in range(a.negatives):
            picks = [order[(pos + k) % len(order)] for k in range(need[kind])]
            pos += need[kind]
            layout = ranked(orig_products, SEED, "layout", i)[0] if kind == "same_layout" else None
            neg_jobs.append((kind, i, picks, layout, a.out))
    with ProcessPoolExecutor(a.workers) as ex:
        res = list(ex.map(original_job, jobs, chunksize=1))
        negs = list(ex.map(negative_job, neg_jobs, chunksize=2))
    images, pairs = [], []
    for im, pr in res:
        images += im
        pairs += pr
    images += negs
    import PIL
    man = {"schema": SCHEMA, "seed": SEED, "pillow": PIL.__version__, "numpy": np.__version__,
           "edits": EDITS, "negative_kinds": NEG_KINDS,
           "pools": {"originals": [s["sid"] for s in originals], "fillers": [s["sid"] for s in fillers],
                     "negatives": [s["sid"] for s in negpool]},
           "images": images, "pairs": pairs}
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(man, f, indent=1, ensure_ascii=False)
    print("%d originals (%d products, %d scenes); pools: %d fillers, %d negative sources" % (
        len(originals), len(orig_products), len(originals) - len(orig_products), len(fillers), len(negpool)))
    for e in EDITS:
        c = [i for i in images if i["edit"] == e]
        if c:
            print("%-20s %3d copies, coverage %.2f–%.2f" % (e, len(c), min(i["coverage"] for i in c),
                                                          max(i["coverage"] for i in c)))
        else:
            print("%-20s   0 copies" % e)
    for k in NEG_KINDS:
        print("negative %-18s %3d" % (k, sum(1 for i in images if i["negative_kind"] == k)))
    print("%d images in %.1f s" % (len(images), time.time() - t0))


if __name__ == "__main__":
    main()
