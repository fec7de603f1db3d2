"""Make the Restore tab's example pictures in ganlab/ui/examples/ (run once; the PNGs are committed).

Two digits from scikit-learn's bundled 8x8 set, drawn like MNIST (20 px in a 28 px frame, white on
black), and a picture drawn here with edges, stripes and text for x4 upscaling. No data set photo
is copied into the project.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "ganlab" / "ui" / "examples"


def mnist_like(index: int) -> Image.Image:
    """sklearn digit ``index`` upscaled to 20 px and centred in a 28 px black frame."""
    from sklearn.datasets import load_digits

    pixels = (load_digits().images[index] / 16.0 * 255).round().astype(np.uint8)
    digit = Image.fromarray(pixels, "L").resize((20, 20), Image.BICUBIC)
    frame = Image.new("L", (28, 28), 0)
    frame.paste(digit, (4, 4))
    return frame


def drawn_scene(width: int = 192, height: int = 128) -> Image.Image:
    """A small picture with sharp edges, fine stripes and text: what x4 upscaling has to recover."""
    img = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(img)
    for y in range(height):  # sky
        t = y / height
        draw.line([(0, y), (width, y)], fill=(int(80 + 120 * t), int(140 + 80 * t), 230))
    draw.ellipse([140, 12, 172, 44], fill=(250, 210, 60))
    draw.rectangle([0, 92, width, height], fill=(80, 150, 70))
    draw.rectangle([28, 52, 96, 104], fill=(200, 80, 60))  # a house
    draw.polygon([(20, 54), (62, 24), (104, 54)], fill=(110, 60, 50))
    for x in (38, 70):
        draw.rectangle([x, 64, x + 14, 78], fill=(240, 240, 220))
        draw.line([(x + 7, 64), (x + 7, 78)], fill=(60, 40, 30))
        draw.line([(x, 71), (x + 14, 71)], fill=(60, 40, 30))
    for i in range(10):  # a picket fence: fine vertical stripes
        draw.rectangle([112 + 7 * i, 84, 115 + 7 * i, 108], fill=(245, 245, 245))
    draw.line([(110, 92), (182, 92)], fill=(245, 245, 245), width=2)
    draw.text((8, 110), "GAN Lab x4", fill=(20, 20, 20))
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    mnist_like(3).save(OUT / "digit-3.png")  # a 3
    mnist_like(7).save(OUT / "digit-7.png")  # a 7
    drawn_scene().save(OUT / "house.png")
    print(f"wrote {sorted(p.name for p in OUT.glob('*.png'))} to {OUT}")


if __name__ == "__main__":
    main()
