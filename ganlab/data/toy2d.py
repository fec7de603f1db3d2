"""Synthetic 2D distributions: the mode-collapse benchmarks and GAN Lab's shapes.

``ring8`` and ``grid25`` follow the VEEGAN/PacGAN benchmark exactly (ring of
8 Gaussians of radius 1 and sigma 0.01; 5x5 grid at {-4,-2,0,2,4}^2, sigma
0.05), so the mode metrics in :mod:`ganlab.metrics.toy2d` compare with the
published tables. Every sampler draws fresh points on the training device.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import torch
from torch import Tensor

from ganlab import limits
from ganlab.errors import GanLabError
from ganlab.data.source import DataSource

MAX_CSV_POINTS = limits.LIMITS["csv_rows"].default  # defaults only: the live caps are limits.get(...)
MAX_CSV_BYTES = limits.LIMITS["csv_bytes"].default


def _mixture(modes: Tensor, sigma: float, description: str, name: str) -> DataSource:
    def sample(n: int, gen: torch.Generator, device: torch.device) -> Tensor:
        centres = modes.to(device)
        pick = torch.randint(0, centres.shape[0], (n,), generator=gen, device=device)
        return centres[pick] + sigma * torch.randn(n, 2, generator=gen, device=device)

    return DataSource(
        name=name, kind="points", shape=(2,), description=description, distribution=sample, modes=modes, sigma=sigma
    )


def ring8() -> DataSource:
    angles = torch.arange(8, dtype=torch.float32) * (2 * math.pi / 8)
    modes = torch.stack([angles.cos(), angles.sin()], dim=1)
    return _mixture(modes, 0.01, "8 Gaussians on a circle of radius 1, sigma 0.01 (VEEGAN/PacGAN)", "ring8")


def grid25() -> DataSource:
    axis = torch.tensor([-4.0, -2.0, 0.0, 2.0, 4.0])
    modes = torch.cartesian_prod(axis, axis)
    return _mixture(modes, 0.05, "25 Gaussians on a 5x5 grid at {-4..4}, sigma 0.05 (VEEGAN/PacGAN)", "grid25")


def two_gaussians() -> DataSource:
    modes = torch.tensor([[-1.0, -0.5], [1.0, 0.5]])
    return _mixture(modes, 0.2, "two Gaussian blobs (GAN Lab)", "two-gaussians")


def disjoint_blobs() -> DataSource:
    modes = torch.tensor([[-1.2, 1.0], [1.2, 1.0], [0.0, -1.2]])
    return _mixture(modes, 0.12, "three separated blobs (GAN Lab)", "blobs")


def _shape(name: str, description: str, fn) -> DataSource:
    return DataSource(name=name, kind="points", shape=(2,), description=description, distribution=fn)


def line() -> DataSource:
    def sample(n, gen, device):
        t = torch.rand(n, 1, generator=gen, device=device) * 2 - 1
        noise = 0.02 * torch.randn(n, 2, generator=gen, device=device)
        return torch.cat([t * 1.5, t * 0.75], dim=1) + noise

    return _shape("line", "points along a line segment (GAN Lab)", sample)


def ring() -> DataSource:
    def sample(n, gen, device):
        a = torch.rand(n, generator=gen, device=device) * 2 * math.pi
        r = 1.0 + 0.05 * torch.randn(n, generator=gen, device=device)
        return torch.stack([r * a.cos(), r * a.sin()], dim=1)

    return _shape("ring", "a continuous ring of radius 1 (GAN Lab)", sample)


def spiral() -> DataSource:
    def sample(n, gen, device):
        t = torch.rand(n, generator=gen, device=device).sqrt() * 3 * math.pi
        r = t / (3 * math.pi) * 1.8
        pts = torch.stack([r * t.cos(), r * t.sin()], dim=1)
        return pts + 0.03 * torch.randn(n, 2, generator=gen, device=device)

    return _shape("spiral", "a one-and-a-half-turn spiral", sample)


def moons() -> DataSource:
    def sample(n, gen, device):
        upper = torch.rand(n, generator=gen, device=device) < 0.5
        a = torch.rand(n, generator=gen, device=device) * math.pi
        x = torch.where(upper, a.cos(), 1 - a.cos())
        y = torch.where(upper, a.sin(), 0.5 - a.sin())
        pts = torch.stack([x - 0.5, y - 0.25], dim=1)
        return pts + 0.05 * torch.randn(n, 2, generator=gen, device=device)

    return _shape("moons", "two interleaving half circles", sample)


TOY2D = {
    "ring8": ring8,
    "grid25": grid25,
    "line": line,
    "two-gaussians": two_gaussians,
    "ring": ring,
    "blobs": disjoint_blobs,
    "spiral": spiral,
    "moons": moons,
}


def points_from_csv(source: str | Path | bytes, name: str = "csv") -> DataSource:
    """User points from CSV text with columns ``x,y`` (a header row is optional).

    Every way a file can be wrong ends in a GanLabError that says what to fix. Size and row
    count are checked on the raw bytes, before anything is parsed.
    """
    max_bytes, max_rows = limits.get("csv_bytes"), limits.get("csv_rows")
    if isinstance(source, bytes):
        raw = source
    else:
        path = Path(source)
        if not path.is_file():
            raise GanLabError(f"points file not found: {path}")
        if path.stat().st_size > max_bytes:
            raise GanLabError(f"points file is too large (over {limits.mb(max_bytes)}): {path.name}")
        raw = path.read_bytes()
    if len(raw) > max_bytes:
        raise GanLabError(f"points file is too large (over {limits.mb(max_bytes)})")
    lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    if lines > max_rows + 1:  # + 1: a header row
        raise GanLabError(
            f"points file has about {lines:,} rows; at most {max_rows:,} points are allowed (GANLAB_MAX_CSV_ROWS)"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GanLabError("points file is not UTF-8 text; save it as a CSV with columns x,y") from None
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        raise GanLabError("points file is empty; it needs columns x,y and at least 2 rows")
    header = [c.strip().lower() for c in rows[0]]
    first_row = 1
    if "x" in header and "y" in header:
        ix, iy = header.index("x"), header.index("y")
        rows, first_row = rows[1:], 2
    else:
        ix, iy = 0, 1
    if len(rows) > max_rows:
        raise GanLabError(f"points file has {len(rows):,} rows; at most {max_rows:,} are allowed")
    points = []
    for number, row in enumerate(rows, start=first_row):
        if len(row) <= max(ix, iy):
            raise GanLabError(f"points file row {number}: needs two columns x,y; got {len(row)}")
        try:
            x, y = float(row[ix]), float(row[iy])
        except ValueError:
            raise GanLabError(f"points file row {number}: {row[ix]!r}, {row[iy]!r} are not numbers") from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise GanLabError(f"points file row {number}: values must be finite, got {x}, {y}")
        points.append((x, y))
    if len(points) < 2:
        raise GanLabError("points file needs at least 2 points")
    return DataSource(
        name=name,
        kind="points",
        shape=(2,),
        description=f"{len(points)} user points",
        data=torch.tensor(points, dtype=torch.float32),
    )
