"""The restoration losses: pixel L1, SRGAN's content loss, and the adversarial terms.

There are no VGG weights offline, so SRGAN's content loss is measured on the
features of a network the project ships itself: the small classifier trained
on the data set's own train split (``pretrained/_classifiers/<set>``: digits,
mnist, fashion), up to its second conv block. Sets without one (photos, user
folders) get a **fixed random** three-layer conv net, seeded so it is the same
in every run; random conv features still capture local structure (He et al.
2016 synthesise textures with them), but they are weaker than VGG's, which is
why the SRGAN recipe keeps a pixel term. ``ContentNetwork.description`` says
which one a run used, and the checkpoint records it.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlab.nn.losses import get_objective

RANDOM_SEED = 1234  # the random feature net's weights: one seed, the same network every run
CLASSIFIER_LAYERS = 7  # SmallCNN.body[:7]: conv-BN-ReLU, pool, conv-BN-ReLU (half resolution)


class ContentNetwork(nn.Module):
    """A frozen feature extractor: images in [-1, 1] -> feature maps for the content loss."""

    def __init__(self, body: nn.Module, channels: int, description: str):
        super().__init__()
        self.body = body.eval().requires_grad_(False)
        self.channels = channels
        self.description = description

    def train(self, mode: bool = True) -> "ContentNetwork":
        return super().train(False)  # BatchNorm statistics are never updated

    def forward(self, x: Tensor) -> Tensor:
        if x.shape[1] != self.channels:
            x = x.mean(1, keepdim=True) if self.channels == 1 else x.expand(-1, self.channels, -1, -1)
        return self.body(x)


def random_features(channels: int, width: int = 32) -> ContentNetwork:
    """Three 3x3 conv + ReLU layers with seeded Kaiming weights (never trained)."""
    gen = torch.Generator().manual_seed(RANDOM_SEED)
    layers: list[nn.Module] = []
    cin = channels
    for _ in range(3):
        conv = nn.Conv2d(cin, width, 3, 1, 1)
        with torch.no_grad():
            conv.weight.copy_(torch.randn(conv.weight.shape, generator=gen) * (2.0 / (cin * 9)) ** 0.5)
            conv.bias.zero_()
        layers += [conv, nn.ReLU()]
        cin = width
    return ContentNetwork(
        nn.Sequential(*layers), channels, f"fixed random 3-layer conv net (seed {RANDOM_SEED}, width {width})"
    )


def content_network(dataset: str, channels: int) -> ContentNetwork:
    """The shipped classifier's conv features for ``dataset`` where one exists, else random features."""
    import copy

    from ganlab.metrics.classifier import classifier_for

    clf = classifier_for(dataset)
    if clf is None:
        return random_features(channels)
    body = copy.deepcopy(clf.model.body[:CLASSIFIER_LAYERS])
    return ContentNetwork(
        body,
        int(clf.model.args["channels"]),
        f"GAN Lab's {clf.dataset} classifier (SmallCNN), conv features after block 2",
    )


def pixel_l1(output: Tensor, target: Tensor) -> Tensor:
    return F.l1_loss(output.float(), target.float())


def pixel_l2(output: Tensor, target: Tensor) -> Tensor:
    """MSE: the loss PSNR is a function of (L1 trains faster and sharper; L2 fine-tunes PSNR)."""
    return F.mse_loss(output.float(), target.float())


PIXEL_LOSSES = {"l1": pixel_l1, "l2": pixel_l2}


def content_loss(net: ContentNetwork, output: Tensor, target: Tensor) -> Tensor:
    """MSE between feature maps of the output and of the clean target (SRGAN's VGG loss)."""
    with torch.no_grad():
        want = net(target.float())
    return F.mse_loss(net(output.float()), want)


def adversarial(objective: str):
    """(d_loss(real, fake), g_loss(fake)) of one of :mod:`ganlab.nn.losses`' objectives."""
    chosen = get_objective(objective)
    return chosen.d_loss, chosen.g_loss
