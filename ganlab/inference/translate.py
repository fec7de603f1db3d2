"""Translate photos with a CycleGAN generator, at any size.

Preprocessing follows the official test path (RGB, optional resize,
normalise to [-1, 1]). The generator is fully convolutional, so the input
keeps its own resolution: sizes that are not a multiple of 4 are padded by
reflection and cropped back, so 300x451 comes out 300x451. Images above
``TILE_PIXELS`` are translated in overlapping tiles blended with feathered
weights, which bounds memory (instance norm sees each tile's statistics, so
tiles are large and overlaps generous to keep seams invisible).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from PIL import Image, ImageOps
from torch import Tensor, nn

from ganlab.data.decode import check_size, to_8bit
from ganlab.errors import GanLabError
from ganlab.render.images import to_pil

TILE = 1024  # tile side for images above TILE_PIXELS
TILE_PIXELS = 1024 * 1024
OVERLAP = 128
MIN_SIZE, MAX_SIZE = 16, 4096


def prepare(image: Image.Image, size: int | None = None) -> Tensor:
    """PIL image -> (1, 3, H, W) float in [-1, 1]; ``size`` scales the longer side (aspect kept)."""
    if not isinstance(image, Image.Image):
        raise GanLabError(f"expected an image, got {type(image).__name__}")
    check_size(*image.size, "image")  # GANLAB_MAX_IMAGE_PIXELS
    image = ImageOps.exif_transpose(image)  # phone photos: honour the orientation tag
    image = to_8bit(image).convert("RGB")  # alpha on white, 16-bit scaled, CMYK/palette to RGB
    if size is not None:
        if not MIN_SIZE <= int(size) <= MAX_SIZE:
            raise GanLabError(f"size must be between {MIN_SIZE} and {MAX_SIZE} pixels; got {size}")
        scale = int(size) / max(image.size)
        target = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        if target != image.size:
            image = image.resize(target, Image.BICUBIC)
    x = torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8)
    x = x.view(image.height, image.width, 3).permute(2, 0, 1)[None].float()
    return x.div_(127.5).sub_(1.0)


def to_image(x: Tensor) -> Image.Image:
    """(1, 3, H, W) or (3, H, W) in [-1, 1] -> RGB PIL image."""
    return to_pil(x).convert("RGB")


def _pad_to_multiple(x: Tensor, multiple: int = 4, minimum: int = 8) -> tuple[Tensor, int, int]:
    """Pad bottom/right so both sides are multiples of ``multiple`` (and at least ``minimum``)."""
    h, w = x.shape[-2:]
    ph = max(-h % multiple, minimum - h if h < minimum else 0)
    pw = max(-w % multiple, minimum - w if w < minimum else 0)
    ph += -(h + ph) % multiple
    pw += -(w + pw) % multiple
    if ph or pw:
        mode = "reflect" if ph < h and pw < w else "replicate"  # reflect needs pad < side
        x = F.pad(x, (0, pw, 0, ph), mode=mode)
    return x, h, w


def _run_whole(g: nn.Module, x: Tensor) -> Tensor:
    padded, h, w = _pad_to_multiple(x)
    return g(padded)[..., :h, :w]


def _starts(length: int, tile: int, overlap: int) -> list[int]:
    if length <= tile:
        return [0]
    step = tile - overlap
    starts = list(range(0, length - tile, step)) + [length - tile]
    return sorted(set(starts))


def _run_tiled(g: nn.Module, x: Tensor, tile: int, overlap: int) -> Tensor:
    """Overlapping tiles, each translated alone, blended with weights that fade across overlaps."""
    _, _, h, w = x.shape
    out = torch.zeros((x.shape[0], 3, h, w), dtype=torch.float32, device=x.device)
    weight = torch.zeros((1, 1, h, w), dtype=torch.float32, device=x.device)
    for top in _starts(h, tile, overlap):
        for left in _starts(w, tile, overlap):
            piece = x[..., top : top + tile, left : left + tile]
            th, tw = piece.shape[-2:]
            ramp_h = _ramp(th, overlap, x.device)
            ramp_w = _ramp(tw, overlap, x.device)
            mask = (ramp_h[:, None] * ramp_w[None, :])[None, None]
            out[..., top : top + th, left : left + tw] += _run_whole(g, piece).float() * mask
            weight[..., top : top + th, left : left + tw] += mask
    return out / weight


def _ramp(n: int, overlap: int, device) -> Tensor:
    pos = torch.arange(n, device=device, dtype=torch.float32)
    return (torch.minimum(pos + 1, n - pos) / max(overlap, 1)).clamp_(max=1.0)


@torch.inference_mode()
def translate_tensor(
    g: nn.Module, x: Tensor, tile: int = TILE, tile_pixels: int = TILE_PIXELS, overlap: int = OVERLAP
) -> Tensor:
    """G on (N, 3, H, W) in [-1, 1] at any H, W; tiled above ``tile_pixels``."""
    device = next(g.parameters()).device
    x = x.to(device)
    if x.shape[-1] * x.shape[-2] > tile_pixels:
        return _run_tiled(g, x, tile, overlap)
    return _run_whole(g, x).float()


def _generator(model) -> nn.Module:
    g = getattr(model, "forward", None)
    return g if isinstance(g, nn.Module) else model


def translate_image(model, image: Image.Image, size: int | None = None) -> Image.Image:
    """Translate one photo; ``model`` is a generator or a :class:`~ganlab.families.cyclegan.io.Translator`.

    The result has the input's size, or ``size`` on its longer side.
    """
    g = _generator(model)
    g.eval()
    return to_image(translate_tensor(g, prepare(image, size)))


def round_trip(translator, image: Image.Image, size: int | None = None) -> tuple[Image.Image, Image.Image | None]:
    """(A -> B, A -> B -> A): the translation and its reconstruction (None without an inverse)."""
    g = _generator(translator)
    x = prepare(image, size)
    fake = translate_tensor(g.eval(), x)
    back = getattr(translator, "backward", None)
    if back is None:
        return to_image(fake), None
    return to_image(fake), to_image(translate_tensor(back.eval(), fake))
