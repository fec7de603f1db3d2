"""FID / IS with the standard Inception-v3, only where its weights are already on disk.

GAN Lab never downloads them. It looks for torchvision's ImageNet weights
file (``inception_v3_google-*.pth``) at ``$GANLAB_INCEPTION_WEIGHTS`` or in
the torch hub cache (``$TORCH_HOME/hub/checkpoints``). Note: these are
torchvision's port of the Inception weights; published FIDs use the
TF-Inception graph (pytorch-fid's ``pt_inception-2015-12-05``), so absolute
values differ slightly from papers. Compare runs with each other, and with
the real-vs-real figure printed beside them.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlab.errors import GanLabError

ENV = "GANLAB_INCEPTION_WEIGHTS"
PATTERN = "inception_v3_google-*.pth"


def find_weights() -> Path | None:
    """The Inception weights file if present locally (never downloads)."""
    explicit = os.environ.get(ENV)
    if explicit:
        path = Path(explicit).expanduser()
        return path if path.is_file() else None
    hub = Path(torch.hub.get_dir()) / "checkpoints"
    found = sorted(hub.glob(PATTERN)) if hub.is_dir() else []
    return found[0] if found else None


def missing_message() -> str:
    hub = Path(torch.hub.get_dir()) / "checkpoints"
    where = os.environ.get(ENV) or str(hub / "inception_v3_google-0cc3c7bd.pth")
    return (
        f"Inception FID/IS not computed: no Inception-v3 weights at {where}. Place torchvision's "
        f"inception_v3_google-0cc3c7bd.pth there (or set {ENV} to its path); the small-classifier "
        "metrics above work offline."
    )


class InceptionFeatures(nn.Module):
    """Images in [-1, 1] -> (2048-d pool features, 1008/1000 logits), resized to 299 px."""

    def __init__(self, weights: Path):
        super().__init__()
        from torchvision.models import inception_v3

        with torch.device("meta"):  # no random init of 27M weights that are overwritten anyway
            net = inception_v3(weights=None, aux_logits=True, init_weights=False, transform_input=False)
        try:
            state = torch.load(str(weights), map_location="cpu", weights_only=True)
            net.load_state_dict(state, assign=True)
        except (OSError, RuntimeError, ValueError) as exc:
            raise GanLabError(f"{weights}: not usable Inception-v3 weights ({exc})") from None
        net.AuxLogits = None
        self.net = net.eval().requires_grad_(False)

    @torch.no_grad()
    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        if x.shape[1] == 1:
            x = x.expand(-1, 3, -1, -1)
        # Google's Inception takes inputs scaled to [-1, 1]: exactly our image range.
        x = F.interpolate(x.float().clamp(-1, 1), size=(299, 299), mode="bilinear", align_corners=False)
        n = self.net
        for name in (
            "Conv2d_1a_3x3",
            "Conv2d_2a_3x3",
            "Conv2d_2b_3x3",
            "maxpool1",
            "Conv2d_3b_1x1",
            "Conv2d_4a_3x3",
            "maxpool2",
            "Mixed_5b",
            "Mixed_5c",
            "Mixed_5d",
            "Mixed_6a",
            "Mixed_6b",
            "Mixed_6c",
            "Mixed_6d",
            "Mixed_6e",
            "Mixed_7a",
            "Mixed_7b",
            "Mixed_7c",
            "avgpool",
        ):
            x = getattr(n, name)(x)
        pool = torch.flatten(x, 1)
        return pool, n.fc(pool)


def inception_metrics(
    real: Tensor, fake: Tensor, device: str | torch.device = "cpu", batch: int = 100, weights: Path | None = None
) -> dict:
    """{"fid", "is", "is_std"} with the Inception network, or {"inception": <why not>}."""
    from ganlab.metrics.features import frechet_distance, inception_score

    weights = weights or find_weights()
    if weights is None:
        return {"inception": missing_message()}
    model = InceptionFeatures(weights).to(device)

    def run(images: Tensor) -> tuple[Tensor, Tensor]:
        feats, probs = [], []
        for chunk in images.split(batch):
            f, logits = model(chunk.to(device))
            feats.append(f.double().cpu())
            probs.append(logits.softmax(1).double().cpu())
        return torch.cat(feats), torch.cat(probs)

    real_f, _ = run(real)
    fake_f, fake_p = run(fake)
    is_mean, is_std = inception_score(fake_p)
    return {"fid": frechet_distance(real_f, fake_f), "is": is_mean, "is_std": is_std, "inception_weights": str(weights)}
