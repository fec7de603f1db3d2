"""Pictures of a CycleGAN run: A -> B -> A and B -> A -> B triplets side by side (no gradio).

``triplet_grid(trainer.sample_triplets())`` gives one image a person can
read at a glance: each row is a real photo, its translation and its
reconstruction, so cycle consistency (left ~ right) and the style change
(middle) are visible while the run trains.
"""

from __future__ import annotations

from PIL import Image, ImageDraw
from torch import Tensor

from ganlab.render.images import to_pil

TRIPLET_KEYS = (("real_a", "fake_b", "rec_a"), ("real_b", "fake_a", "rec_b"))


def triplet_grid(
    triplets: dict[str, Tensor], rows: int = 2, cell: int = 128, gap: int = 4, domains: tuple[str, str] = ("A", "B")
) -> Image.Image:
    """Rows of (real, translated, reconstructed): ``rows`` from A then ``rows`` from B, with a header."""
    a, b = domains
    headers = (f"{a}  |  {a} -> {b}  |  {a} -> {b} -> {a}", f"{b}  |  {b} -> {a}  |  {b} -> {a} -> {b}")
    header_h = 16
    lines = []
    for keys, title in zip(TRIPLET_KEYS, headers):
        n = min(rows, len(triplets[keys[0]]))
        lines.append((title, [[triplets[k][i] for k in keys] for i in range(n)]))
    total_rows = sum(len(r) for _, r in lines)
    width = 3 * cell + 4 * gap
    height = total_rows * (cell + gap) + len(lines) * header_h + gap
    canvas = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    y = gap // 2
    for title, group in lines:
        draw.text((gap, y + 2), title, fill=(60, 60, 60))
        y += header_h
        for row in group:
            for j, img in enumerate(row):
                tile = to_pil(img).resize((cell, cell), Image.BILINEAR)
                canvas.paste(tile, (gap + j * (cell + gap), y))
            y += cell + gap
    return canvas
