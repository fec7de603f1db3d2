"""Grow a trained SRResNet into a wider and deeper one that computes the same function.

A small SRResNet trained on a CPU stops improving when it runs out of capacity, not
steps. Training a bigger one from scratch throws that work away; growing keeps it:

- **deeper**: new residual blocks go after the old ones, their last conv zeroed, so
  each starts as the identity (the "zero-init residual" of Goyal et al. 2017);
- **wider**: the old weights fill the leading channels; the new channels get their
  fresh initialisation, but every conv *reads* them through zeroed weights, so
  nothing downstream sees them until training gives them a use (Net2Net's goal,
  Chen et al. 2016, reached by zero fan-out instead of copied units).

PixelShuffle keeps the layout: input channel ``4c + k`` feeds output channel ``c``,
so the old ``4 * width`` upsampling channels still land on the old outputs.
"""

from __future__ import annotations

import re

from torch import Tensor, nn

_BLOCK = re.compile(r"^blocks\.(\d+)\.(.*)$")


def growable(src_args: dict, dst_args: dict) -> bool:
    """True when ``dst`` can start as an exact copy of ``src``: same I/O, no narrower, no shallower."""
    same = ("in_channels", "out_channels", "bicubic_skip")
    sizes = ("width", "n_blocks")
    if not all(isinstance(src_args.get(k), int) and isinstance(dst_args.get(k), int) for k in sizes):
        return False
    return all(src_args.get(k) == dst_args.get(k) for k in same) and all(dst_args[k] >= src_args[k] for k in sizes)


def _source_key(key: str, src_blocks: int, dst_blocks: int) -> str | None:
    """The old state's key for a new one; None for a brand-new block."""
    match = _BLOCK.match(key)
    if match is None:
        return key
    index, rest = int(match.group(1)), match.group(2)
    if index == dst_blocks:  # the trunk's closing conv
        return f"blocks.{src_blocks}.{rest}"
    return key if index < src_blocks else None


def _zero_new_reads(fresh: Tensor, old_width: int) -> Tensor:
    """A copy of ``fresh`` whose conv weights read nothing from input channels ``>= old_width``
    (the head's 1 or 3 input channels are below any width, so it reads them all)."""
    out = fresh.detach().clone()
    if out.dim() == 4:
        out[:, old_width:] = 0
    return out


def grow_state(src_state: dict[str, Tensor], src_args: dict, dst: nn.Module) -> dict[str, Tensor]:
    """A state dict for ``dst`` (an SRResNet) that makes it compute what ``src_state`` did."""
    src_blocks, dst_blocks, width = src_args["n_blocks"], dst.args["n_blocks"], src_args["width"]
    grown: dict[str, Tensor] = {}
    for key, fresh in dst.state_dict().items():
        tensor = _zero_new_reads(fresh, width)
        src_key = _source_key(key, src_blocks, dst_blocks)
        if src_key is not None:  # the old weights fill the leading slice
            old = src_state[src_key].to(fresh.dtype)
            tensor[tuple(slice(0, n) for n in old.shape)] = old
        elif ".body.2." in key:  # a new block's last conv: zero, so the block starts as the identity
            tensor.zero_()
        grown[key] = tensor
    return grown
