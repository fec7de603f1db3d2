"""What the Interpolate tab computes, without gradio: a path between two seeds (and two classes)
as GIF frames and a strip.

Methods: "slerp" and "lerp" walk in z (for a style-based model the frames are then truncated in
W); "lerp-w" walks a straight line in W and needs ``latent.has_w``. Lines in W look smoother
because W is disentangled: equal steps change the picture by about equal amounts (a short
perceptual path length), where a line in z can pass through regions the mapping warps.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import torch
from PIL import Image
from torch import Tensor

from ganlab.errors import GanLabError
from ganlab.inference import directions, latent, protocol
from ganlab.inference.explore import Loaded, check_number, check_seed, class_index, forward, picture, points_view, strip
from ganlab.inference.protocol import Latents
from ganlab.render.gif import boomerang, gif_bytes, write_gif

METHODS = ("slerp", "lerp", "lerp-w")  # lerp-w: a straight line in W (style-based models only)


def interpolation(
    loaded: Loaded,
    seed_a: int,
    seed_b: int,
    frames: int,
    method: str = "slerp",
    psi: float = 1.0,
    class_a=None,
    class_b=None,
) -> tuple[list[Image.Image], Image.Image]:
    """(GIF frames, strip) for a path between two seeds (and, for conditional models, two classes).
    "slerp"/"lerp" walk in z (truncated in W for a W model); "lerp-w" walks a straight line in W."""
    frames = int(check_number("frames", frames, 2, 64, whole=True))
    out = interpolation_images(loaded, seed_a, seed_b, frames, method, psi, class_a, class_b)
    if loaded.data_kind == "points":
        gif = [points_view(loaded, out, path=True, current=i) for i in range(frames)]
        return gif, points_view(loaded, out, path=True)
    return [picture(out[i : i + 1]) for i in range(frames)], strip(out)


def check_method(loaded: Loaded, method: str) -> str:
    """An interpolation method this model can walk, or GanLabError naming why not."""
    if method not in METHODS:
        raise GanLabError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if method == "lerp-w" and not loaded.has_w:
        raise GanLabError(
            f"method 'lerp-w' (lerp in W) needs a style-based checkpoint with a W space; "
            f"{loaded.name} is a plain GAN (z only): use 'slerp' or 'lerp'"
        )
    return method


def _class_path(loaded: Loaded, class_a, class_b, frames: int) -> Tensor | None:
    """(frames, classes) one-hot blends from class A to class B; None for an unconditional model."""
    if not loaded.conditional:
        return None
    a, b = class_index(loaded, class_a), class_index(loaded, class_b)
    t = torch.linspace(0, 1, frames)[:, None]
    eye = torch.eye(loaded.num_classes)
    return (1 - t) * eye[a] + t * eye[b]


def interpolation_latents(
    loaded: Loaded,
    seed_a: int,
    seed_b: int,
    frames: int,
    method: str = "slerp",
    psi: float = 1.0,
    class_a=None,
    class_b=None,
) -> Latents:
    """The latents along the path (a W model; or, for a plain one, the truncated z path)."""
    check_method(loaded, method)
    gen = loaded.generator
    za = protocol.z_from_seed(check_seed(seed_a), loaded.z_dim, loaded.noise)
    zb = protocol.z_from_seed(check_seed(seed_b), loaded.z_dim, loaded.noise)
    weights = _class_path(loaded, class_a, class_b, frames)
    if method == "lerp-w":
        ends = [
            gen.latents(z, class_weights=None if weights is None else weights[i : i + 1], psi=float(psi))
            for z, i in ((za, 0), (zb, frames - 1))
        ]
        return directions.lerp_w(*ends, frames)
    zs = latent.interpolation_path(za, zb, frames, method)
    if loaded.has_w:
        return gen.latents(zs, class_weights=weights, psi=float(psi))
    return Latents(z=latent.truncate(zs, float(psi)), class_weights=weights)


def interpolation_images(
    loaded: Loaded,
    seed_a: int,
    seed_b: int,
    frames: int,
    method: str = "slerp",
    psi: float = 1.0,
    class_a=None,
    class_b=None,
) -> Tensor:
    """G along the path: (frames, C, H, W) images or (frames, 2) points."""
    lat = interpolation_latents(loaded, seed_a, seed_b, frames, method, psi, class_a, class_b)
    if loaded.has_w:
        return loaded.generator.synthesize(lat)
    return forward(loaded, lat.z, class_weights=lat.class_weights)


def save_gif(frames: list[Image.Image], path: str | Path | None = None, duration_ms: int = 120) -> Path:
    """An animated GIF that plays forward then back (a loop without a jump)."""
    if path is None:
        folder = Path(tempfile.gettempdir()) / "ganlab-gifs"
        folder.mkdir(exist_ok=True)
        _prune(folder, max_age_s=900)
        handle = tempfile.NamedTemporaryFile(dir=folder, prefix="interpolation-", suffix=".gif", delete=False)
        handle.close()
        path = handle.name
    return write_gif(gif_bytes(boomerang(frames), duration_ms, shared_palette=True), path)


def _prune(folder: Path, max_age_s: float) -> None:
    """Delete GIFs older than ``max_age_s`` (the server has copied them into its cache by then)."""
    now = time.time()
    for old in folder.glob("interpolation-*.gif"):
        try:
            if now - old.stat().st_mtime > max_age_s:
                old.unlink()
        except OSError:
            pass
