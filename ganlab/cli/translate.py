"""``python -m ganlab translate CHECKPOINT IMAGE... --out DIR``: one PNG per input, same stem.

CHECKPOINT is a run folder, a ``model.safetensors`` file, a shipped name
(``summer2winter``) or an official CycleGAN ``.pth`` generator. Images keep
their resolution unless ``--size`` sets the longer side.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser(
        "translate",
        help="translate photos with a CycleGAN model",
        description="Translate images with a CycleGAN generator (shipped, trained or official .pth).",
    )
    p.add_argument("checkpoint", help="run folder, model.safetensors, shipped name (e.g. summer2winter) or .pth")
    p.add_argument("images", nargs="+", type=Path, metavar="IMAGE", help="image files to translate")
    p.add_argument("--out", type=Path, required=True, help="folder for the PNGs (created if missing)")
    p.add_argument("--size", type=int, default=None, help="longer side in pixels (default: keep the input's size)")
    p.add_argument("--direction", default="AtoB", help="AtoB or BtoA (training checkpoints hold both)")
    p.add_argument(
        "--round-trip",
        action="store_true",
        help="also write STEM_cycle.png, translated back (needs a model with an inverse)",
    )
    p.add_argument("--inverse", default=None, help="the way back for --round-trip (e.g. winter2summer or a .pth)")
    p.add_argument("--device", default="cpu", help="cpu (default), cuda:N, mps or auto")
    p.set_defaults(func=run)


def _unique(out: Path, stem: str, suffix: str, taken: set[Path]) -> Path:
    """STEM.png, or STEM-2.png when two inputs share a stem."""
    path, n = out / f"{stem}{suffix}.png", 2
    while path in taken:
        path, n = out / f"{stem}-{n}{suffix}.png", n + 1
    taken.add(path)
    return path


def run(args: argparse.Namespace) -> int:
    from ganlab.engine.checkpoints import atomic_write_bytes
    from ganlab.families.cyclegan.io import load_translator
    from ganlab.data.decode import open_image_file
    from ganlab.engine.devices import resolve_device
    from ganlab.errors import GanLabError
    from ganlab.render.images import png_bytes
    from ganlab.inference.translate import round_trip, translate_image

    missing = [str(p) for p in args.images if not p.is_file()]
    if missing:
        raise GanLabError(f"image not found: {', '.join(missing[:3])}")
    translator = load_translator(args.checkpoint, args.direction, resolve_device(args.device), args.inverse)
    if args.round_trip and translator.backward is None:
        raise GanLabError(f"{translator.name} has no inverse for --round-trip; pass --inverse (a checkpoint or .pth)")
    images = [open_image_file(source) for source in args.images]  # all checked before any is written
    args.out.mkdir(parents=True, exist_ok=True)
    taken: set[Path] = set()
    for source, image in zip(args.images, images):
        target = _unique(args.out, source.stem, "", taken)
        if args.round_trip:
            fake, back = round_trip(translator, image, args.size)
            atomic_write_bytes(target, png_bytes(fake))
            cycle = _unique(args.out, source.stem, "_cycle", taken)
            atomic_write_bytes(cycle, png_bytes(back))
            print(f"{source} -> {target} ({fake.width}x{fake.height}), {cycle}")
        else:
            fake = translate_image(translator, image, args.size)
            atomic_write_bytes(target, png_bytes(fake))
            print(f"{source} -> {target} ({fake.width}x{fake.height}, {translator.label})")
    return 0
