#!/usr/bin/env python3
"""Write a 4000×3000 main/hidden JPEG pair (the product fixture scaled up, plus a promo badge)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures"))
import generate  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
base = generate.product(size=(4000, 3000), box=(500, 600, 3500, 2600))
base.save(os.path.join(out, "large_hidden.jpg"), "JPEG", quality=92)
generate.promo(base).save(os.path.join(out, "large_main.jpg"), "JPEG", quality=92)
