"""``python -m ganlab restore CHECKPOINT INPUT... --out DIR [--mask MASK.png] [--sigma S]``.

One PNG per input, with the input's stem, into DIR: 4x the size for an x4 model; for an
inpainting model ``--mask`` is a grayscale image of the input's size (white > 127 = fill);
a denoising model takes the noisy input as it is (``--sigma`` adds that much noise first).
Every input (and the mask) is checked before anything is written.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser(
        "restore",
        help="upscale x4, denoise or inpaint images with a restoration model",
        description="Restore images with a model trained by train --model pix2pix|srresnet|srgan.",
    )
    p.add_argument("checkpoint", help="run folder or model.safetensors of a restoration run")
    p.add_argument("images", nargs="+", type=Path, metavar="INPUT", help="image files to restore")
    p.add_argument("--out", type=Path, required=True, help="folder for the PNGs (created if missing)")
    p.add_argument("--mask", type=Path, default=None, help="inpainting: grayscale mask, white = fill")
    p.add_argument(
        "--sigma",
        type=float,
        default=None,
        help="denoising: add Gaussian noise of this level (0..1) first, to see the model work",
    )
    p.add_argument("--device", default="cpu", help="cpu (default), cuda:N, mps or auto")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ganlab.cli.translate import _unique
    from ganlab.data.decode import open_image_file
    from ganlab.engine.checkpoints import atomic_write_bytes
    from ganlab.engine.devices import resolve_device
    from ganlab.errors import GanLabError
    from ganlab.inference.restore import load_restorer, mask_tensor, restore
    from ganlab.render.images import png_bytes

    missing = [str(p) for p in args.images if not p.is_file()]
    if missing:
        raise GanLabError(f"image not found: {', '.join(missing[:3])}")
    model = load_restorer(args.checkpoint, resolve_device(args.device))
    images = [open_image_file(source) for source in args.images]  # all checked before any is written
    mask = open_image_file(args.mask) if args.mask else None
    if model.task == "inpaint":
        if mask is None:
            raise GanLabError(f"{model.name} inpaints: give --mask MASK.png (white = the pixels to fill)")
        for source, image in zip(args.images, images):
            mask_tensor(mask, image.size, f"{args.mask.name} for {source.name}")
    elif mask is not None:
        raise GanLabError(f"--mask: {model.name} is a {model.task} model; a mask is only for inpainting")
    if args.sigma is not None and model.task != "denoise":
        raise GanLabError(f"--sigma: {model.name} is a {model.task} model; sigma is only for denoising")
    args.out.mkdir(parents=True, exist_ok=True)
    taken: set[Path] = set()
    for source, image in zip(args.images, images):
        result = restore(model, image, mask, args.sigma)
        target = _unique(args.out, source.stem, "", taken)
        atomic_write_bytes(target, png_bytes(result))
        print(f"{source} -> {target} ({result.width}x{result.height}, {model.task})")
    return 0
