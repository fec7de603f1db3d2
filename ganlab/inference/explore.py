"""What the Explore and Interpolate tabs compute, without gradio: open a generator once, turn
(seed, truncation, class, slider offsets) into a picture, make strips and GIFs.

A plain generator is explored in z (:func:`code`); a style-based one (``latent.has_w``) in W:
:func:`point` turns the controls into :class:`~ganlab.inference.protocol.Latents` truncated in W,
moved along W directions (:mod:`ganlab.inference.directions`), and :func:`show` synthesizes them
with a noise seed, so "same w, new noise" is one argument.

Loaded generators and their principal directions are cached per checkpoint
folder (keyed by the weights' modification time), so a slider move costs one
forward pass of one latent code, never a reload.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from PIL import Image
from torch import Tensor

from ganlab.inference import directions, latent, protocol
from ganlab.engine.checkpoints import WEIGHTS, resolve
from ganlab.inference.protocol import LatentGenerator, Latents
from ganlab.errors import GanLabError
from ganlab.render.images import image_grid, to_pil, upscale
from ganlab.render.points import Canvas, as_2d, draw_path, fit_extent, square_extent

DIRECTIONS = 5  # principal-direction sliders
Z_SLIDERS = 8  # individual z-dimension sliders
CLOUD = 1000  # generator samples drawn behind a 2D model's points
VIEW = 256  # rendered picture size in pixels


@dataclass
class Loaded:
    """A generator ready to explore, with the facts the UI needs about it."""

    name: str
    generator: LatentGenerator
    meta: dict
    data_kind: str  # "image" | "points"
    z_dim: int
    noise: str
    class_names: list[str]
    modes: Tensor | None
    _directions: latent.Directions | None = field(default=None, repr=False)
    _background: Canvas | None = field(default=None, repr=False)
    _w_directions: dict[str, latent.Directions] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def conditional(self) -> bool:
        return bool(self.generator.latent.num_classes)

    @property
    def num_classes(self) -> int:
        return self.generator.latent.num_classes

    @property
    def has_w(self) -> bool:
        return self.generator.latent.has_w

    def w_directions(self, basis: str) -> latent.Directions:
        """Directions in W for a style-based model ("ganspace" or "sefa"), found once per basis."""
        with self._lock:
            if basis not in self._w_directions:
                self._w_directions[basis] = directions.directions_in_w(self.generator, basis, DIRECTIONS)
            return self._w_directions[basis]

    @property
    def directions(self) -> latent.Directions:
        with self._lock:
            if self._directions is None:
                labels = None
                if self.conditional:  # PCA per class would change with the class; use all classes
                    labels = torch.arange(2048) % self.num_classes
                self._directions = latent.principal_directions(
                    self.generator, DIRECTIONS, 2048, "features", labels=labels
                )
            return self._directions

    def card(self) -> str:
        """A few lines of the model card for the UI."""
        m = self.meta
        cfg = m.get("config") or {}
        ds = (m.get("dataset") or {}).get("name", "?")
        parts = [
            f"**{self.name}**: {self.data_kind} model of `{ds}`",
            f"{m.get('generator', {}).get('arch', '?')}, objective {m.get('objective', cfg.get('objective', '?'))}, "
            f"z_dim {self.z_dim}, {m.get('step', '?')} steps"
            + (f" on {m.get('device')}" if m.get("device") else "")
            + (f" in {float(m['wall_time_s']):.0f} s" if m.get("wall_time_s") else ""),
        ]
        if self.conditional:
            parts.append(f"class-conditional: {', '.join(self.class_names)}")
        if self.has_w:
            spec = self.generator.latent
            groups = ", ".join(
                f"{name} {a}" if b - a == 1 else f"{name} {a}-{b - 1}" for name, (a, b) in spec.layer_groups.items()
            )
            parts.append(f"style-based: W of {spec.w_dim} dims, {spec.num_layers} style layers ({groups})")
        metrics = {k: v for k, v in (m.get("metrics") or {}).items() if isinstance(v, (int, float))}
        if metrics:
            parts.append("metrics: " + ", ".join(f"{k} {v:.3g}" for k, v in list(metrics.items())[:6]))
        return "  \n".join(parts)


_CACHE: "OrderedDict[tuple[str, float], Loaded]" = OrderedDict()
_CACHE_LOCK = threading.Lock()


def open_generator(spec: str | Path) -> Loaded:
    """Load (or reuse) a generator from a shipped name, a run folder or a weights file."""
    if spec is None or not str(spec).strip():
        raise GanLabError("choose a checkpoint first")
    folder = resolve(str(spec).strip())
    weights = folder / WEIGHTS
    key = (str(folder.resolve()), weights.stat().st_mtime if weights.exists() else 0.0)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    gen, ckpt = protocol.open_generator(folder, "cpu")
    meta = ckpt.meta
    dataset = meta.get("dataset") or {}
    modes = dataset.get("modes")
    classes = gen.latent.num_classes
    loaded = Loaded(
        name=ckpt.name,
        generator=gen,
        meta=meta,
        data_kind=dataset.get("kind", "image"),
        z_dim=gen.latent.z_dim,
        noise=gen.latent.noise,
        class_names=list(dataset.get("class_names") or [])[: classes or None],
        modes=torch.tensor(modes, dtype=torch.float32) if modes else None,
    )
    if loaded.conditional and len(loaded.class_names) != classes:
        loaded.class_names = [str(i) for i in range(classes)]
    with _CACHE_LOCK:
        _CACHE[key] = loaded
        while len(_CACHE) > 8:
            _CACHE.popitem(last=False)
    return loaded


def class_index(loaded: Loaded, value) -> int | None:
    """A class given as an index, a digit string or a class name -> its index (None if unconditional)."""
    if not loaded.conditional:
        return None
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        index = int(value)
    else:
        text = str(value).strip()
        lowered = [c.lower() for c in loaded.class_names]
        if text.lower() in lowered:
            index = lowered.index(text.lower())
        elif text.lstrip("-").isdigit():
            index = int(text)
        else:
            raise GanLabError(f"class {text!r} is not one of: {', '.join(loaded.class_names)}")
    if not 0 <= index < loaded.num_classes:
        raise GanLabError(f"class must be in 0..{loaded.num_classes - 1}, got {index}")
    return index


def check_seed(seed) -> int:
    """A seed from a widget or an API call (int, integral float, digit string) -> int, or GanLabError."""
    value = None
    if isinstance(seed, int) and not isinstance(seed, bool):
        value = seed
    elif isinstance(seed, float) and seed.is_integer():
        value = int(seed)
    elif isinstance(seed, str) and seed.strip().isdigit():
        value = int(seed.strip())
    if value is None or not 0 <= value < 2**63:
        raise GanLabError(f"seed must be a whole number from 0 to 2^63-1, got {seed!r}")
    return value


def check_number(name: str, value: Any, low: float, high: float, whole: bool = False) -> float:
    """A number from a widget or an API call within [low, high], or GanLabError naming it."""
    kind = "a whole number" if whole else "a number"
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise GanLabError(f"{name} must be {kind} from {low:g} to {high:g}, got {value!r}") from None
    if not low <= number <= high or (whole and not number.is_integer()):
        raise GanLabError(f"{name} must be {kind} from {low:g} to {high:g}, got {value!r}")
    return number


def check_psi(value: Any) -> float:
    """Truncation psi: 0 (the mean face) to 2 (exaggerated)."""
    return check_number("truncation", value, 0, 2)


def check_noise_seed(value: Any) -> int | None:
    """A noise seed, or None (blank) for the generator's fixed default noise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return check_seed(value)
    except GanLabError:
        raise GanLabError(f"noise seed must be a whole number from 0 to 2^63-1 (or blank), got {value!r}") from None


def code(
    loaded: Loaded, seed: int, dims: list[float] | None = None, offsets: list[float] | None = None, psi: float = 1.0
) -> Tensor:
    """The latent code (1, z_dim) for a seed, with z dims overridden, direction offsets (in sigma)
    added, then truncation toward 0 by ``psi``."""
    z = protocol.z_from_seed(check_seed(seed), loaded.z_dim, loaded.noise)
    if dims:
        n = min(len(dims), loaded.z_dim)
        z[0, :n] = torch.tensor([float(v) for v in dims[:n]])
    if offsets and any(offsets):
        d = loaded.directions
        k = min(len(offsets), len(d))
        z = latent.apply_offsets(z, d.vectors[:k], [float(v) for v in offsets[:k]], d.scales[:k])
    return latent.truncate(z, float(psi))


def forward(
    loaded: Loaded, z: Tensor, labels: Tensor | int | None = None, class_weights: Tensor | None = None
) -> Tensor:
    """G(z) on the CPU as float. ``class_weights`` (N, classes) blends classes (for interpolating
    between classes of a conditional generator); otherwise ``labels`` picks classes (default 0)."""
    if isinstance(labels, int):
        labels = torch.full((len(z),), labels, dtype=torch.long)
    if not loaded.conditional:
        labels = class_weights = None
    return loaded.generator.synthesize(loaded.generator.latents(z, labels=labels, class_weights=class_weights))


def labels_for(loaded: Loaded, label: int | None, n: int = 1) -> Tensor | None:
    """Class labels (n,) for a conditional model (default class 0); None otherwise."""
    if not loaded.conditional:
        return None
    return torch.full((n,), int(label or 0), dtype=torch.long)


def point(
    loaded: Loaded,
    seed: int,
    psi: float = 1.0,
    offsets: list[float] | None = None,
    dims: list[float] | None = None,
    label: int | None = None,
    basis: str = "ganspace",
    coarse_only: bool = False,
) -> Latents:
    """The latents Explore shows. A plain model: :func:`code` (offsets and truncation in z). A W
    model: z (with dims overridden) mapped and truncated in W (all layers, or the coarse ones),
    then moved by ``offsets`` (sigma) along the ``basis`` directions in every layer's w."""
    if not loaded.has_w:
        return loaded.generator.latents(code(loaded, seed, dims, offsets, psi), labels=labels_for(loaded, label))
    z = code(loaded, seed, dims)
    lat = directions.truncated(loaded.generator, z, labels_for(loaded, label), float(psi), coarse_only)
    if offsets and any(offsets):
        d = loaded.w_directions(basis)
        lat = directions.shift_w(lat, d.vectors, [float(v) for v in offsets], d.scales)
    return lat


def show(loaded: Loaded, latents: Latents, noise_seed: int | None = None) -> Image.Image:
    """The picture for one latent point (an image, or the point on the 2D canvas)."""
    out = loaded.generator.synthesize(latents, noise_seed)
    return points_view(loaded, out) if loaded.data_kind == "points" else picture(out)


def strip_of(
    loaded: Loaded,
    latents: Latents,
    which: str,
    span: float = 3.0,
    steps: int = 9,
    basis: str = "ganspace",
    noise_seed: int | None = None,
) -> Image.Image:
    """The strip along a named direction around one latent point: in W for a W model, else in z."""
    if not loaded.has_w:
        label = None if latents.labels is None else int(latents.labels[0])
        return walk_strip(loaded, latents.z, which, span, steps, label)
    direction, scale = direction_vector(loaded, which, basis)
    return strip(loaded.generator.synthesize(directions.walk_w(latents, direction, span, steps, scale), noise_seed))


# -- pictures ------------------------------------------------------------------------


def image_scale(size: int) -> int:
    return max(1, VIEW // size)


def picture(images: Tensor) -> Image.Image:
    """One image (1, C, H, W) in [-1, 1], upscaled (nearest) to about VIEW pixels."""
    img = to_pil(images[0])
    return upscale(img, image_scale(img.width))


def strip(images: Tensor, max_width: int = 1536) -> Image.Image:
    """A row (or rows of 16) of images, upscaled so the strip is readable but not huge."""
    n = len(images)
    nrow = min(n, 16)
    size = images.shape[-1]
    scale = max(1, min(image_scale(size) // 2, max_width // (nrow * (size + 2))))
    return Image.fromarray(image_grid(images, nrow=nrow, scale=scale))


def _background(loaded: Loaded) -> Canvas:
    """The 2D canvas: generator samples (seed 0) in grey, mixture modes as rings; cached."""
    with loaded._lock:
        if loaded._background is None:
            cloud = as_2d(forward(loaded, protocol.z_from_seed(0, loaded.z_dim, loaded.noise, CLOUD)))
            pts = cloud[torch.isfinite(cloud).all(dim=1)]
            modes = None if loaded.modes is None else as_2d(loaded.modes)
            extent = fit_extent([pts] + ([modes] if modes is not None else []), 1.2)
            canvas = Canvas(square_extent(extent), VIEW * 3 // 2)
            canvas.dots(pts, (160, 160, 160), 2)
            if modes is not None:
                canvas.rings(modes, (60, 120, 200), 9)
            loaded._background = canvas
        return loaded._background


def points_view(loaded: Loaded, points: Tensor, path: bool = False, current: int | None = None) -> Image.Image:
    """Points (N, 2) over the generator's cloud (1D points on the x axis); ``path`` joins them in
    order (start green, end red)."""
    base = _background(loaded)
    canvas = Canvas((base.x0, base.x1, base.y0, base.y1), base.size, base.image)
    draw_path(canvas, as_2d(points), path, current)
    return canvas.image


def render(loaded: Loaded, z: Tensor, label: int | None = None) -> Image.Image:
    """The picture for one code: an upscaled image, or the point on the 2D canvas."""
    out = forward(loaded, z, label)
    if loaded.data_kind == "points":
        return points_view(loaded, out)
    return picture(out)


def walk_strip(
    loaded: Loaded, z: Tensor, which: str, span: float = 3.0, steps: int = 9, label: int | None = None
) -> Image.Image:
    """Images along one direction (``PC1``.. or ``z[3]``) from -span to +span sigma around z."""
    direction, scale = direction_vector(loaded, which)
    zs = latent.walk(z, direction, span, steps, scale)
    out = forward(loaded, zs, label)
    return points_view(loaded, out, path=True) if loaded.data_kind == "points" else strip(out)


def direction_count(loaded: Loaded) -> int:
    """How many direction sliders the model fills (its z, or its W, may be narrow)."""
    return min(DIRECTIONS, loaded.generator.latent.w_dim if loaded.has_w else loaded.z_dim)


def direction_names(loaded: Loaded) -> list[str]:
    """Strip choices: principal directions (in W for a W model), then z dims for a plain model."""
    pcs = [f"PC{i + 1}" for i in range(direction_count(loaded))]
    return pcs if loaded.has_w else pcs + [f"z[{i}]" for i in range(min(Z_SLIDERS, loaded.z_dim))]


def direction_vector(loaded: Loaded, which: str, basis: str = "ganspace") -> tuple[Tensor, float]:
    """A named direction as (unit vector, sigma scale); ``basis`` picks the W basis of a W model."""
    which = (which or "PC1").strip()
    if which.startswith("PC") and which[2:].isdigit():
        i = int(which[2:]) - 1
        d = loaded.w_directions(basis) if loaded.has_w else loaded.directions
        if 0 <= i < len(d):
            return d.vectors[i], float(d.scales[i])
    elif which.startswith("z[") and which.endswith("]") and which[2:-1].isdigit() and not loaded.has_w:
        i = int(which[2:-1])
        if 0 <= i < loaded.z_dim:
            return torch.eye(loaded.z_dim)[i], 1.0
    raise GanLabError(f"unknown direction {which!r}; choose one of {', '.join(direction_names(loaded))}")
