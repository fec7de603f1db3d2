"""The StyleGAN generator behind the generator protocol, plus style mixing and SeFa directions.

Latents carry W+ styles (N, num_layers, w_dim), so everything the protocol offers works in W:
truncation pulls w toward ``w_avg`` (optionally on the coarse layers only), ``features`` is w
(GANSpace's PCA then runs in W), and ``synthesize`` takes a noise seed, so "same styles, new
noise" is one argument. :func:`mix` and :func:`sefa` are what only a style generator can do.
"""

from __future__ import annotations

from dataclasses import replace

import torch
from torch import Tensor

from ganlab.errors import GanLabError
from ganlab.families.stylegan.models import StyleGenerator
from ganlab.inference.protocol import Latents, LatentSpec

DEFAULT_NOISE_SEED = 0  # noise_seed=None: the same latents always give the same picture


class StyleGANGenerator:
    """A trained :class:`StyleGenerator` as a :class:`~ganlab.inference.protocol.LatentGenerator`.

    ``truncate_layers`` ([start, end) of the layers psi applies to; None: all) is the default
    for :meth:`latents`; e.g. ``gen.latent.layer_groups["coarse"]`` truncates only coarse styles.
    """

    def __init__(
        self, module: StyleGenerator, noise: str = "normal", truncate_layers: tuple[int, int] | None = None
    ) -> None:
        self.module = module
        self.latent = LatentSpec(
            z_dim=int(module.z_dim),
            noise="normal",
            num_classes=int(module.num_classes),
            w_dim=int(module.w_dim),
            num_layers=module.num_layers,
            layer_groups=module.layer_groups,
        )
        self.device = next(module.parameters()).device
        self.truncate_layers = truncate_layers

    @property
    def w_avg(self) -> Tensor:
        return self.module.mapping.w_avg.detach().float().cpu()

    @torch.no_grad()
    def latents(
        self,
        z: Tensor,
        labels: Tensor | None = None,
        class_weights: Tensor | None = None,
        psi: float = 1.0,
        truncate_layers: tuple[int, int] | None = None,
    ) -> Latents:
        """z -> W+ (N, num_layers, w_dim), truncated: w_avg + psi (w - w_avg) on the layers in
        ``truncate_layers`` (default: the adapter's, else every layer)."""
        labels = self._labels(len(z), labels, class_weights)
        w = self.module.mapping(
            z.to(self.device), labels, None if class_weights is None else class_weights.to(self.device)
        )
        ws = self.module.broadcast(w.float().cpu()).clone()
        start, end = truncate_layers or self.truncate_layers or (0, self.latent.num_layers)
        avg = self.w_avg
        ws[:, start:end] = avg + psi * (ws[:, start:end] - avg)
        return Latents(z=z, labels=labels if labels is None else labels.cpu(), class_weights=class_weights, w=ws)

    def _labels(self, n: int, labels: Tensor | None, class_weights: Tensor | None) -> Tensor | None:
        if not self.latent.num_classes:
            return None
        if labels is None and class_weights is None:
            labels = torch.zeros(n, dtype=torch.long)
        return None if labels is None else labels.to(self.device)

    def styles(self, latents: Latents) -> Tensor:
        """The W+ styles of ``latents`` (mapped from z when they carry none)."""
        if latents.w is not None:
            return latents.w
        return self.latents(latents.z, latents.labels, latents.class_weights).w

    def noise(self, n: int, noise_seed: int | None = None) -> list[Tensor]:
        """Per-layer noise maps from a seed, drawn on the CPU (the same on every device); one map
        per layer broadcast over the batch, so a seed means the same noise for every sample."""
        gen = torch.Generator().manual_seed(DEFAULT_NOISE_SEED if noise_seed is None else int(noise_seed))
        return [t.expand(n, -1, -1, -1).to(self.device) for t in self.module.make_noise(1, gen)]

    @torch.no_grad()
    def synthesize(self, latents: Latents, noise_seed: int | None = None) -> Tensor:
        """Images (N, C, S, S) in [-1, 1], float32 on the CPU."""
        ws = self.styles(latents).to(self.device)
        out = self.module.synthesis(ws, self.noise(len(ws), noise_seed))
        return out.float().clamp(-1, 1).cpu()

    def features(self, latents: Latents) -> Tensor | None:
        """w of the first layer (N, w_dim): principal directions are found in W."""
        return self.styles(latents)[:, 0].float()

    def sefa(self, k: int = 5, layers: tuple[int, int] = (0, 1)) -> tuple[Tensor, Tensor]:
        """SeFa's closed-form directions in W (see :func:`sefa`), so Explore can ask any W
        generator for them without knowing its family."""
        return sefa(self, k, layers)


def adapt(module, noise: str = "normal") -> StyleGANGenerator | None:
    """The adapter for this family's generator module (None for anything else)."""
    return StyleGANGenerator(module, noise) if getattr(module, "arch", None) == StyleGenerator.arch else None


def style_generator(gen) -> StyleGANGenerator:
    """``gen`` if it is a style generator; GanLabError otherwise (mixing needs per-layer styles)."""
    if not isinstance(gen, StyleGANGenerator):
        raise GanLabError("not a style-based generator: style mixing needs a stylegan checkpoint")
    return gen


def mix(gen: StyleGANGenerator, row_latents: Latents, col_latents: Latents, crossover: int) -> Latents:
    """Style mixing, pairwise: layers [0, crossover) take the row (source) styles, the rest the
    column (destination) styles. crossover 0 is the destination unchanged; num_layers is the
    source. Labels and z are the destination's (its class, its identity below the crossover)."""
    layers = style_generator(gen).latent.num_layers
    if not 0 <= crossover <= layers:
        raise GanLabError(f"crossover: must be in [0, {layers}]; got {crossover}")
    if len(row_latents) != len(col_latents):
        raise GanLabError(f"mix: {len(row_latents)} row latents but {len(col_latents)} column latents")
    src, dst = gen.styles(row_latents), gen.styles(col_latents)
    w = torch.cat([src[:, :crossover], dst[:, crossover:]], dim=1)
    return replace(col_latents, w=w)


@torch.no_grad()
def sefa(gen: StyleGANGenerator, k: int = 5, layers: tuple[int, int] = (0, 1)) -> tuple[Tensor, Tensor]:
    """SeFa (Shen & Zhou 2021): closed-form directions in W, the top-k eigenvectors of A^T A for
    the style affine weights A of the layers in ``layers`` ([start, end); default the first).
    Returns (directions (k, w_dim) unit rows, eigenvalues (k,)), largest first."""
    module = style_generator(gen).module
    start, end = layers
    if not 0 <= start < end <= module.num_layers:
        raise GanLabError(f"layers: must be a range inside [0, {module.num_layers}]; got {layers}")
    weights = [module.synthesis.layers[i].affine.effective_weight().float().cpu() for i in range(start, end)]
    a = torch.cat(weights, dim=0)  # (sum of input channels, w_dim)
    a = a / a.norm(dim=1, keepdim=True).clamp_min(1e-12)  # SeFa normalises each row
    values, vectors = torch.linalg.eigh(a.T @ a)  # ascending
    k = max(1, min(k, vectors.shape[1]))
    return vectors.T.flip(0)[:k].contiguous(), values.flip(0)[:k]


def mixing_grid(
    gen: StyleGANGenerator,
    row_seeds: list[int],
    col_seeds: list[int],
    crossover: int,
    psi: float = 1.0,
    noise_seed: int | None = None,
) -> Tensor:
    """The style-mixing figure as (rows+1) x (cols+1) images, row-major: a blank corner, the
    column sources along the top, each row's source on its left, and cell (r, c) = row r's
    styles before ``crossover`` over column c's from it on."""
    from ganlab.inference.protocol import sample_latents

    gen = style_generator(gen)
    one = lambda seed: sample_latents(gen, seed, 1, psi=psi)  # noqa: E731
    rows, cols = [one(s) for s in row_seeds], [one(s) for s in col_seeds]
    images = [gen.synthesize(l, noise_seed) for l in cols]
    blank = torch.ones_like(images[0])  # white corner
    out = [blank, *images]
    for row in rows:
        out.append(gen.synthesize(row, noise_seed))
        out += [gen.synthesize(mix(gen, row, col, crossover), noise_seed) for col in cols]
    return torch.cat(out)
