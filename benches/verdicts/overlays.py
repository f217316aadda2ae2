"""Things sellers draw on product photos, as pure functions of (image, seeded rng, size).

Each function returns (new_image, box) where box = (x0, y0, x1, y1) bounds what was drawn.
Used by gen.py for promo main images (allowed) and dirty hidden images (forbidden), so both
sides of the benchmark carry exactly the same kinds of overlay.

Variety on purpose (the benchmark is also run on pairs made by other code): several fonts
(sans, serif, condensed, CJK), Latin and Chinese words, solid and gradient fills, any angle for
watermarks, real QR codes (the `qrcode` package) scaled with nearest and Lanczos filters.
"""
import math
import os

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageFilter

FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
]
CJK_FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
]
LATIN = ["FREE SHIPPING", "SALE -50%", "HOT DEAL", "NEW ARRIVAL", "BEST SELLER", "2 PCS -30%",
         "LIMITED OFFER", "TOP QUALITY", "BUY 1 GET 1", "FLASH SALE", "WATERPROOF", "100% COTTON",
         "Official Store", "Fast Delivery"]
CHINESE = ["包邮", "限时特价", "新品上市", "热卖", "买一送一", "正品保证", "防水耐磨", "官方旗舰店",
           "全场五折", "顺丰速运"]
SHOPS = ["BestBuy Mall", "Sunny Trade", "GlobalDeal", "Happy Home", "TopChoice", "Dragon Outlet",
         "阳光数码", "优品小铺", "星河百货"]
BRANDS = ["ACME", "SPORT", "Vortex", "NOVA", "Model X-200", "ORIGINAL", "PREMIUM", "北极星",
          "CLASSIC", "urban"]
VIVID = [(220, 20, 30), (255, 90, 0), (20, 20, 20), (0, 110, 220), (230, 0, 120), (0, 150, 80),
         (255, 200, 0), (120, 40, 160)]


def _available(paths):
    return [p for p in paths if os.path.exists(p)]


def font(r, size, cjk=False):
    pool = _available(CJK_FONTS if cjk else FONTS) or _available(FONTS)
    return ImageFont.truetype(r.choice(pool), max(6, int(size)))


def words(r, cjk=None):
    if cjk is None:
        cjk = r.random() < 0.35
    return (r.choice(CHINESE), True) if cjk else (r.choice(LATIN), False)


def contrast_on(col):
    return (255, 255, 255) if sum(col) < 450 else (20, 20, 20)


def _text_layer(text, f, fill, pad=4):
    """Text on a transparent layer cropped to its ink (+pad)."""
    tmp = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    x0, y0, x1, y1 = tmp.textbbox((0, 0), text, font=f)
    layer = Image.new("RGBA", (x1 - x0 + 2 * pad, y1 - y0 + 2 * pad), (0, 0, 0, 0))
    ImageDraw.Draw(layer).text((pad - x0, pad - y0), text, font=f, fill=fill)
    return layer


def _paste(img, layer, x, y):
    base = img.convert("RGBA")
    base.alpha_composite(layer, (int(x), int(y)))
    return base.convert("RGB"), (int(x), int(y), int(x) + layer.width, int(y) + layer.height)


def _fit_text(r, text, cjk, max_w, max_h):
    size = max_h
    while size > 6:
        f = font(r, size, cjk)
        tmp = ImageDraw.Draw(Image.new("RGB", (1, 1)))
        x0, y0, x1, y1 = tmp.textbbox((0, 0), text, font=f)
        if x1 - x0 <= max_w and y1 - y0 <= max_h:
            return f
        size = int(size * 0.9)
    return font(r, 6, cjk)


# ------------------------------------------------------------------ opaque promo graphics

def banner(img, r, frac):
    """A bar along one edge (frac = thickness / side) with centred text; solid or gradient."""
    W, H = img.size
    img = img.copy()
    edge = r.choice(["top", "bottom", "bottom", "left"]) if frac < 0.2 else r.choice(["top", "bottom"])
    col = r.choice(VIVID)
    if edge in ("top", "bottom"):
        t = max(8, round(H * frac))
        box = (0, 0, W, t) if edge == "top" else (0, H - t, W, H)
    else:
        t = max(8, round(W * frac))
        box = (0, 0, t, H)
    d = ImageDraw.Draw(img)
    if r.random() < 0.3:  # gradient bar
        col2 = r.choice(VIVID)
        n = box[2] - box[0] if edge != "left" else box[3] - box[1]
        for i in range(n):
            a = i / max(1, n - 1)
            c = tuple(int(col[k] * (1 - a) + col2[k] * a) for k in range(3))
            if edge != "left":
                d.line([(box[0] + i, box[1]), (box[0] + i, box[3] - 1)], fill=c)
            else:
                d.line([(box[0], box[1] + i), (box[2] - 1, box[1] + i)], fill=c)
    else:
        d.rectangle([box[0], box[1], box[2] - 1, box[3] - 1], fill=col)
    text, cjk = words(r)
    fg = contrast_on(col)
    bw, bh = box[2] - box[0], box[3] - box[1]
    if edge == "left":
        f = _fit_text(r, text, cjk, int(bh * 0.8), int(bw * 0.6))
        layer = _text_layer(text, f, fg + (255,)).rotate(90, expand=True)
    else:
        f = _fit_text(r, text, cjk, int(bw * 0.8), int(bh * 0.6))
        layer = _text_layer(text, f, fg + (255,))
    img, _ = _paste(img, layer, box[0] + (bw - layer.width) / 2, box[1] + (bh - layer.height) / 2)
    return img, box


def badge(img, r, frac):
    """A round or star-shaped discount badge (frac = diameter / short side) near a corner."""
    W, H = img.size
    img = img.copy()
    d = ImageDraw.Draw(img)
    dia = max(16, round(min(W, H) * frac))
    m = r.randint(4, 30)
    x = r.choice([m, W - dia - m])
    y = r.choice([m, H - dia - m])
    col = r.choice(VIVID)
    if r.random() < 0.5:
        d.ellipse([x, y, x + dia, y + dia], fill=col)
    else:
        cx, cy, ro, ri = x + dia / 2, y + dia / 2, dia / 2, dia * 0.38
        pts = []
        for i in range(24):
            a = math.pi * i / 12
            rr = ro if i % 2 == 0 else ri
            pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
        d.polygon(pts, fill=col)
    text = r.choice(["-30%", "-50%", "SALE", "NEW", "HOT", "新品", "特价", "5折"])
    cjk = any(ord(c) > 0x2000 for c in text)
    f = _fit_text(r, text, cjk, int(dia * 0.62), int(dia * 0.4))
    layer = _text_layer(text, f, contrast_on(col) + (255,))
    img, _ = _paste(img, layer, x + (dia - layer.width) / 2, y + (dia - layer.height) / 2)
    return img, (x, y, x + dia, y + dia)


def price_tag(img, r, frac):
    """A rounded price sticker (frac = width / image width), anywhere near the product."""
    W, H = img.size
    img = img.copy()
    d = ImageDraw.Draw(img)
    w = max(30, round(W * frac))
    h = max(14, round(w * r.uniform(0.38, 0.55)))
    x = r.randint(0, W - w)
    y = r.randint(0, H - h)
    col = r.choice([(255, 210, 0), (230, 20, 40), (255, 140, 0), (250, 250, 250), (20, 20, 20)])
    d.rounded_rectangle([x, y, x + w, y + h], radius=max(2, h // 4), fill=col,
                        outline=(40, 40, 40) if col[0] > 240 and col[1] > 240 else None, width=2)
    text = r.choice(["$19.99", "$9.9", "US $24.50", "¥59", "¥128.00", "€15", "only $7"])
    f = _fit_text(r, text, False, int(w * 0.8), int(h * 0.62))
    layer = _text_layer(text, f, contrast_on(col) + (255,))
    img, _ = _paste(img, layer, x + (w - layer.width) / 2, y + (h - layer.height) / 2)
    return img, (x, y, x + w, y + h)


def logo(img, r, frac):
    """An opaque round shop logo with initials in a corner."""
    W, H = img.size
    img = img.copy()
    d = ImageDraw.Draw(img)
    dia = max(14, round(min(W, H) * frac))
    m = r.randint(6, 30)
    x = r.choice([m, W - dia - m])
    y = r.choice([m, H - dia - m])
    col = r.choice(VIVID)
    d.ellipse([x, y, x + dia, y + dia], fill=col)
    shop = r.choice(SHOPS)
    init = "".join(w[0] for w in shop.split()[:2])
    cjk = any(ord(c) > 0x2000 for c in init)
    f = _fit_text(r, init, cjk, int(dia * 0.6), int(dia * 0.5))
    layer = _text_layer(init, f, contrast_on(col) + (255,))
    img, _ = _paste(img, layer, x + (dia - layer.width) / 2, y + (dia - layer.height) / 2)
    return img, (x, y, x + dia, y + dia)


def text_line(img, r, height_px, opacity=1.0, angle=0.0, colour=None):
    """Bare text (no box) somewhere on the image: a caption, a selling point, a shop name."""
    W, H = img.size
    text, cjk = words(r)
    if colour is None:
        colour = r.choice([(20, 20, 20), (200, 0, 0), (0, 80, 200), (255, 255, 255), (90, 90, 90)])
    f = font(r, height_px, cjk)
    layer = _text_layer(text, f, colour + (round(255 * opacity),))
    if r.random() < 0.3 and opacity >= 1.0:  # outlined/shadowed text, as editors do
        sh = _text_layer(text, f, (0, 0, 0, 160)).filter(ImageFilter.GaussianBlur(2))
        base = Image.new("RGBA", layer.size, (0, 0, 0, 0))
        base.alpha_composite(sh, (0, 0))
        base.alpha_composite(layer)
        layer = base
    if angle:
        layer = layer.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    if layer.width >= W or layer.height >= H:
        layer = layer.resize((min(layer.width, W - 2), min(layer.height, H - 2)))
    x = r.randint(0, W - layer.width)
    y = r.randint(0, H - layer.height)
    return _paste(img, layer, x, y)


def watermark(img, r, opacity, tiled=False):
    """Semi-transparent shop name, any angle, centred or tiled over the whole picture."""
    W, H = img.size
    shop = r.choice(SHOPS)
    cjk = any(ord(c) > 0x2000 for c in shop)
    col = r.choice([(255, 255, 255), (128, 128, 128), (0, 0, 0), (200, 0, 0)])
    angle = r.uniform(-45, 45)
    size = round(min(W, H) * (r.uniform(0.04, 0.07) if tiled else r.uniform(0.06, 0.11)))
    layer = _text_layer(shop, font(r, size, cjk), col + (round(255 * opacity),))
    layer = layer.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    base = img.convert("RGBA")
    if tiled:
        step_x, step_y = layer.width + size * 2, layer.height + size
        # composite each tile (cropped to the picture): pasting an RGBA layer through its own
        # alpha would square the opacity
        for yy in range(-layer.height // 2, H, step_y):
            off = (yy // step_y) % 2 * step_x // 2
            for xx in range(-layer.width // 2 + off, W, step_x):
                cx, cy = max(0, -xx), max(0, -yy)
                piece = layer.crop((cx, cy, min(layer.width, W - xx), min(layer.height, H - yy)))
                if piece.width > 0 and piece.height > 0:
                    base.alpha_composite(piece, (xx + cx, yy + cy))
        return base.convert("RGB"), (0, 0, W, H)
    x = r.randint(max(0, W // 2 - layer.width // 2 - W // 6), max(0, min(W - layer.width, W // 2 - layer.width // 2 + W // 6)))
    y = r.randint(max(0, H // 2 - layer.height // 2 - H // 6), max(0, min(H - layer.height, H // 2 - layer.height // 2 + H // 6)))
    tile = Image.new("RGBA", base.size, (0, 0, 0, 0))
    tile.paste(layer, (x, y))
    return Image.alpha_composite(base, tile).convert("RGB"), (x, y, x + layer.width, y + layer.height)


def frame(img, r, thickness):
    """A border around the picture: solid, double line, gradient or dashed."""
    W, H = img.size
    img = img.copy()
    d = ImageDraw.Draw(img)
    t = max(2, int(thickness))
    col = r.choice(VIVID + [(210, 170, 60), (180, 180, 180)])
    style = r.choice(["solid", "solid", "double", "gradient", "dashed"])
    if style == "solid":
        for i in range(t):
            d.rectangle([i, i, W - 1 - i, H - 1 - i], outline=col)
    elif style == "double":
        for i in list(range(max(1, t // 3))) + list(range(t - max(1, t // 3), t)):
            d.rectangle([i, i, W - 1 - i, H - 1 - i], outline=col)
    elif style == "gradient":
        col2 = r.choice(VIVID)
        for i in range(t):
            a = i / max(1, t - 1)
            c = tuple(int(col[k] * (1 - a) + col2[k] * a) for k in range(3))
            d.rectangle([i, i, W - 1 - i, H - 1 - i], outline=c)
    else:
        dash = max(6, t * 2)
        col2 = r.choice([(255, 255, 255), (20, 20, 20)])
        for i in range(t):
            d.rectangle([i, i, W - 1 - i, H - 1 - i], outline=col)
        for k in range(0, W, dash * 2):
            d.rectangle([k, 0, k + dash, t - 1], fill=col2)
            d.rectangle([k, H - t, k + dash, H - 1], fill=col2)
        for k in range(0, H, dash * 2):
            d.rectangle([0, k, t - 1, k + dash], fill=col2)
            d.rectangle([W - t, k, W - 1, k + dash], fill=col2)
    return img, (0, 0, W, H)


def qr(img, r, size_px, qr_mod):
    """A real QR code (version 1–3) of `size_px` including a 1–2-module quiet zone."""
    W, H = img.size
    data = r.choice(["https://shop.example/item/%d" % r.randint(1000, 99999), "WX:%d" % r.randint(10**7, 10**8),
                     "weixin://dl/%d" % r.randint(1000, 9999)])
    q = qr_mod.QRCode(border=r.choice([1, 2]), box_size=10,
                      error_correction=qr_mod.constants.ERROR_CORRECT_M)
    q.add_data(data)
    q.make(fit=True)
    code = q.make_image(fill_color="black", back_color="white").convert("RGB")
    code = code.resize((size_px, size_px), r.choice([Image.Resampling.NEAREST, Image.Resampling.LANCZOS,
                                                      Image.Resampling.BILINEAR]))
    m = r.randint(3, 40)
    x = r.choice([m, W - size_px - m, r.randint(0, W - size_px)])
    y = r.choice([m, H - size_px - m, r.randint(0, H - size_px)])
    img = img.copy()
    img.paste(code, (x, y))
    return img, (x, y, x + size_px, y + size_px)


EAN_L = ["0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011"]
EAN_G = ["0100111", "0110011", "0011011", "0100001", "0011101", "0111001", "0000101", "0010001", "0001001", "0010111"]
EAN_R = ["1110010", "1100110", "1101100", "1000010", "1011100", "1001110", "1010000", "1000100", "1001000", "1110100"]
EAN_PARITY = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"]


def ean13_bits(r):
    digits = [r.randint(0, 9) for _ in range(12)]
    s = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits))
    digits.append((10 - s % 10) % 10)
    par = EAN_PARITY[digits[0]]
    bits = "101"
    for i, dg in enumerate(digits[1:7]):
        bits += (EAN_L if par[i] == "L" else EAN_G)[dg]
    bits += "01010"
    for dg in digits[7:]:
        bits += EAN_R[dg]
    bits += "101"
    return bits, "".join(map(str, digits))


def barcode(img, r, width_px):
    """An EAN-13 barcode label (white label, bars, digits) of `width_px`."""
    W, H = img.size
    bits, digits = ean13_bits(r)
    mod = max(1, width_px // (len(bits) + 14))
    bw = mod * (len(bits) + 14)
    bh = max(12, int(bw * r.uniform(0.35, 0.6)))
    label = Image.new("RGB", (bw, bh), (255, 255, 255))
    d = ImageDraw.Draw(label)
    fh = max(6, bh // 5)
    for i, b in enumerate(bits):
        if b == "1":
            x = (7 + i) * mod
            d.rectangle([x, 2, x + mod - 1, bh - fh - 3], fill=(0, 0, 0))
    f = font(r, fh)
    d.text((mod * 2, bh - fh - 2), digits, font=f, fill=(0, 0, 0))
    if bw > W - 4:
        label = label.resize((W - 4, bh * (W - 4) // bw))
    x = r.randint(0, W - label.width)
    y = r.randint(0, H - label.height)
    img = img.copy()
    img.paste(label, (x, y))
    return img, (x, y, x + label.width, y + label.height)


def arrow(img, r, length_frac):
    """An arrow pointing at the product, optionally with a callout label."""
    W, H = img.size
    img = img.copy()
    d = ImageDraw.Draw(img)
    L = max(30, round(min(W, H) * length_frac))
    col = r.choice(VIVID)
    wdt = max(3, L // 18)
    ang = r.uniform(0, 2 * math.pi)
    tx, ty = r.randint(W // 4, 3 * W // 4), r.randint(H // 4, 3 * H // 4)
    sx, sy = tx - L * math.cos(ang), ty - L * math.sin(ang)
    sx, sy = min(max(sx, 5), W - 5), min(max(sy, 5), H - 5)
    d.line([(sx, sy), (tx, ty)], fill=col, width=wdt)
    hl = wdt * 3.5
    a1, a2 = ang + math.pi * 0.85, ang - math.pi * 0.85
    d.polygon([(tx + hl * 0.3 * math.cos(ang), ty + hl * 0.3 * math.sin(ang)),
               (tx + hl * math.cos(a1), ty + hl * math.sin(a1)),
               (tx + hl * math.cos(a2), ty + hl * math.sin(a2))], fill=col)
    xs, ys = [sx, tx], [sy, ty]
    if r.random() < 0.5:  # callout ring at the arrow's tail
        rad = max(8, L // 5)
        d.ellipse([sx - rad, sy - rad, sx + rad, sy + rad], outline=col, width=max(2, wdt // 2))
        xs += [sx - rad, sx + rad]
        ys += [sy - rad, sy + rad]
    return img, (int(min(xs)) - wdt, int(min(ys)) - wdt, int(max(xs)) + wdt, int(max(ys)) + wdt)


# ------------------------------------------------------------------ print on the product

def product_print(img, mask, r):
    """Text printed *on* the product: inside the product mask, following its shading (multiply),
    slightly rotated and in perspective, clipped to the product. Returns (image, box) or None
    when the product has no room for it."""
    W, H = img.size
    ys, xs = np.nonzero(mask)
    if len(xs) < 2000:
        return None
    # Find a region well inside the product: erode the mask by a margin.
    m = Image.fromarray((mask * 255).astype(np.uint8)).filter(ImageFilter.MinFilter(21))
    inner = np.asarray(m) > 0
    iy, ix = np.nonzero(inner)
    if len(ix) < 1500:
        return None
    text = r.choice(BRANDS)
    cjk = any(ord(c) > 0x2000 for c in text)
    for _ in range(20):
        k = r.randrange(len(ix))
        cx, cy = int(ix[k]), int(iy[k])
        size = r.randint(18, 60)
        f = font(r, size, cjk)
        col = r.choice([(25, 25, 25), (250, 250, 250), (180, 20, 20), (20, 40, 120), (200, 170, 60)])
        layer = _text_layer(text, f, col + (255,))
        # perspective: squeeze one end, as a print on a box side or a curved surface
        w, h = layer.size
        sq = r.uniform(0.0, 0.18) * h
        coeffs = _perspective_coeffs([(0, 0), (w, sq), (w, h - sq), (0, h)], [(0, 0), (w, 0), (w, h), (0, h)])
        layer = layer.transform((w, h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)
        layer = layer.rotate(r.uniform(-12, 12), expand=True, resample=Image.Resampling.BICUBIC)
        x0, y0 = cx - layer.width // 2, cy - layer.height // 2
        if x0 < 0 or y0 < 0 or x0 + layer.width > W or y0 + layer.height > H:
            continue
        sub = inner[y0:y0 + layer.height, x0:x0 + layer.width]
        if sub.mean() < 0.97:
            continue
        base = np.asarray(img).astype(np.float32)
        a = np.asarray(layer).astype(np.float32)
        alpha = a[..., 3:4] / 255.0
        region = base[y0:y0 + layer.height, x0:x0 + layer.width]
        # ink follows the surface's shading: ink colour × (local luminance / its mean)
        lum = region.mean(axis=2, keepdims=True)
        shade = np.clip(lum / max(1.0, float(lum.mean())), 0.6, 1.3)
        ink = np.clip(a[..., :3] * shade, 0, 255)
        region[:] = region * (1 - alpha) + ink * alpha
        out = Image.fromarray(base.round().astype(np.uint8))
        return out, (x0, y0, x0 + layer.width, y0 + layer.height)
    return None


def _perspective_coeffs(src, dst):
    mat = []
    for (x, y), (u, v) in zip(dst, src):
        mat.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        mat.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    A = np.array(mat, dtype=np.float64)
    B = np.array([c for p in src for c in p], dtype=np.float64)
    return np.linalg.solve(A, B).tolist()
