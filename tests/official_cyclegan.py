"""What a real ``latest_net_G_A.pth`` of the official CycleGAN release holds: tensor names and shapes.

Written from the architecture definition in junyanz/pytorch-CycleGAN-and-pix2pix
(``models/networks.py``: ``ResnetGenerator`` and ``ResnetBlock``, as built by
``--netG resnet_9blocks --ngf 64 --norm instance --no_dropout``), never from
GAN Lab's own module, so a test built on it checks the import against the
release rather than against itself. The official network is one
``nn.Sequential`` called ``model``; its parameters are named by their index
in that list, and InstanceNorm (affine=False) has none, so convolutions
have biases (``use_bias = norm_layer == InstanceNorm2d``).
"""

from __future__ import annotations

from collections import OrderedDict

import torch

# The official `model` list, in order. ("conv", out, in, k) is nn.Conv2d; ("convT", in, out, k) is
# nn.ConvTranspose2d, whose weight is stored (in, out, k, k); ("block", dim) is a ResnetBlock.


def official_layers(ngf: int = 64, n_blocks: int = 9, input_nc: int = 3, output_nc: int = 3) -> list[tuple]:
    layers: list[tuple] = [("pad",), ("conv", ngf, input_nc, 7), ("norm", ngf), ("relu",)]
    for i in range(2):  # n_downsampling = 2
        mult = 2**i
        layers += [("conv", ngf * mult * 2, ngf * mult, 3), ("norm", ngf * mult * 2), ("relu",)]
    layers += [("block", ngf * 4)] * n_blocks
    for i in range(2):
        mult = 2 ** (2 - i)
        layers += [("convT", ngf * mult, ngf * mult // 2, 3), ("norm", ngf * mult // 2), ("relu",)]
    return layers + [("pad",), ("conv", output_nc, ngf, 7), ("tanh",)]


# ResnetBlock.conv_block without dropout: ReflectionPad2d(1), Conv2d, norm, ReLU, ReflectionPad2d(1), Conv2d, norm
_BLOCK_CONVS = (1, 5)
_BLOCK_NORMS = (2, 6)


def official_manifest(ngf: int = 64, n_blocks: int = 9, norm_buffers: bool = False) -> dict[str, tuple[int, ...]]:
    """Name -> shape of every tensor in the release's generator state dict. ``norm_buffers`` adds the
    InstanceNorm running statistics that files saved by PyTorch < 0.4 carry."""
    shapes: dict[str, tuple[int, ...]] = {}

    def norm(prefix: str, channels: int) -> None:
        if norm_buffers:
            shapes.update(
                {
                    f"{prefix}.running_mean": (channels,),
                    f"{prefix}.running_var": (channels,),
                    f"{prefix}.num_batches_tracked": (),
                }
            )

    for i, layer in enumerate(official_layers(ngf, n_blocks)):
        kind = layer[0]
        if kind in ("conv", "convT"):
            _, a, b, k = layer
            shapes[f"model.{i}.weight"] = (a, b, k, k)
            shapes[f"model.{i}.bias"] = (a if kind == "conv" else b,)
        elif kind == "norm":
            norm(f"model.{i}", layer[1])
        elif kind == "block":
            dim = layer[1]
            for j in _BLOCK_CONVS:
                shapes[f"model.{i}.conv_block.{j}.weight"] = (dim, dim, 3, 3)
                shapes[f"model.{i}.conv_block.{j}.bias"] = (dim,)
            for j in _BLOCK_NORMS:
                norm(f"model.{i}.conv_block.{j}", dim)
    return shapes


def fake_release_state(manifest: dict[str, tuple[int, ...]], seed: int = 0) -> "OrderedDict[str, torch.Tensor]":
    """Random tensors of the manifest's shapes, as ``torch.save(net.state_dict())`` stores them."""
    gen = torch.Generator().manual_seed(seed)
    state: OrderedDict[str, torch.Tensor] = OrderedDict()
    for name, shape in manifest.items():
        if name.endswith("num_batches_tracked"):
            state[name] = torch.tensor(0)
        elif name.endswith("running_var"):
            state[name] = torch.ones(shape)
        elif name.endswith("running_mean"):
            state[name] = torch.zeros(shape)
        else:
            state[name] = torch.randn(shape, generator=gen) * 0.02  # the release's init_type normal, gain 0.02
    return state
