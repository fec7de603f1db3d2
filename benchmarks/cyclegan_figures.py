"""The README's CycleGAN figures (#17): held-out photos at 1:1, and the held-out scores.

    PYTHONPATH=. python benchmarks/cyclegan_figures.py [--out docs/img/cyclegan_crop.png] [--photos 2]

Writes one picture: for each direction of the shipped pair, the first ``--photos`` test photos
of its source season, each as a 128 px crop at 1:1 of the photo, of its translation and of the
round trip (both made at the photo's full 256 px), so checkerboards and blur show as they are.
Then prints ``python -m ganlab eval`` of both shipped models on every held-out test photo
(``--record`` also writes it into each model card's ``metrics.eval``). Reads summer2winter
from $GANLAB_DATA.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch
from PIL import Image, ImageDraw

from ganlab.data.unpaired import load_domain, resolve_spec, to_float
from ganlab.families.cyclegan.io import load_translator
from ganlab.metrics.translation_report import evaluate_translator, format_translation_report
from ganlab.render.images import to_uint8

CROP = 128  # px of each tile, taken from the middle of the 256 px photo
LABEL_H = 18
MODELS = ("summer2winter", "winter2summer")


def crop(x: torch.Tensor) -> Image.Image:
    """The middle CROP x CROP of a (3, S, S) image in [-1, 1], pixel for pixel."""
    side = x.shape[-1]
    top = (side - CROP) // 2
    tile = x[:, top : top + CROP, top : top + CROP]
    return Image.fromarray(to_uint8(tile[None])[0].permute(1, 2, 0).numpy())


def rows_for(name: str, photos: int) -> list[tuple[str, list[Image.Image]]]:
    """(caption, [photo, translated, round trip]) for the first test photos of ``name``'s source."""
    translator = load_translator(name)
    path_a, path_b, domains, _ = resolve_spec("summer2winter", None, "test")
    path = path_a if translator.source == domains[0] else path_b
    x = to_float(load_domain(path, 256, max_images=photos))  # an even spread of the test photos
    with torch.inference_mode():
        fake = translator.forward.eval()(x).float().clamp(-1, 1)
        back = translator.backward.eval()(fake).float().clamp(-1, 1)
    label = f"{translator.source} to {translator.target}"  # the bitmap font has no arrow
    return [(f"{label}, test photo {i + 1}", [crop(t[i]) for t in (x, fake, back)]) for i in range(len(x))]


def sheet(rows: list[tuple[str, list[Image.Image]]]) -> Image.Image:
    """Rows of [photo | translated | round trip] tiles, each under its caption."""
    width = 3 * CROP + 2 * 4
    out = Image.new("RGB", (width, len(rows) * (CROP + LABEL_H)), "white")
    draw = ImageDraw.Draw(out)
    for r, (caption, tiles) in enumerate(rows):
        y = r * (CROP + LABEL_H)
        draw.text((2, y + 3), f"{caption}: photo | translated | round trip (1:1)", fill="black")
        for c, tile in enumerate(tiles):
            out.paste(tile, (c * (CROP + 4), y + LABEL_H))
    return out


def record(name: str, report: dict) -> None:
    """Put the held-out scores into the shipped model card (nothing else in it changes)."""
    from ganlab.engine.checkpoints import META, atomic_write_bytes, resolve

    folder = resolve(name)
    meta = json.loads((folder / META).read_text())
    meta["metrics"] = {**(meta.get("metrics") or {}), "eval": report}
    atomic_write_bytes(folder / META, json.dumps(meta, indent=2, ensure_ascii=False).encode())


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=Path("docs/img/cyclegan_crop.png"))
    p.add_argument("--photos", type=int, default=2)
    p.add_argument("--no-eval", action="store_true", help="only the picture")
    p.add_argument("--record", action="store_true", help="write the scores into pretrained/NAME/model.json")
    args = p.parse_args()
    torch.set_grad_enabled(False)
    rows = [row for name in MODELS for row in rows_for(name, args.photos)]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet(rows).save(args.out, optimize=True)
    print(f"wrote {args.out}")
    if not args.no_eval:
        for name in MODELS:
            report = evaluate_translator(name)
            print(format_translation_report(report))
            if args.record:
                record(name, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
