"""N runs' 2D MLPs (:mod:`ganlab.families.gan.mlp`) evaluated as one: batched matmuls over stacked weights.

Each hidden layer is one ``torch.baddbmm`` over ``(N, B, in)`` activations and
``(N, out, in)`` weights. On the CPU (MKL) that computes, slice by slice, the very
gemm ``nn.Linear`` computes alone, forward and backward (checked bit for bit in
tests/test_batched.py). A layer one unit wide (D's logit, a 1D G's output) is
the exception: alone it is a matrix-vector product (gemv) whose sums round
differently from a batched gemm, so those layers run per run, each with the
solo call (``F.linear`` on the run's slices). ``torch.func.vmap(functional_call)``
was the other candidate: it lowers ``linear`` to ``matmul`` plus a separate bias
add and gave the same numbers on the wide layers, but it cannot take the
per-run path for the narrow ones and adds a tracing layer per call; the
explicit layers keep the autograd graph shaped like the solo one, which is what
makes the gradients' summation order (and so the R1 double backward) agree.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class StackedMLP:
    """The Linear/activation sequence of an MLP's ``net``, over stacked parameters."""

    def __init__(self, template: nn.Module, params: list[Tensor]) -> None:
        self.steps: list[nn.Module | int] = []  # an activation module, or the index of a Linear's weight
        linears = 0
        for layer in template.net:
            if isinstance(layer, nn.Linear):
                self.steps.append(linears)
                linears += 1
            else:
                self.steps.append(layer)  # ReLU / LeakyReLU: elementwise, any shape
        self.params = params  # weight0, bias0, weight1, bias1, ... (parameters() order)
        if len(params) != 2 * linears:
            raise ValueError("a stacked MLP needs a weight and a bias per Linear layer")

    def __call__(self, x: Tensor) -> Tensor:
        """x (N, B, in) -> (N, B, out)."""
        for step in self.steps:
            if isinstance(step, int):
                x = linear(x, self.params[2 * step], self.params[2 * step + 1])
            else:
                x = step(x)
        return x

    def requires_grad_(self, flag: bool) -> None:
        for p in self.params:
            p.requires_grad_(flag)


def linear(x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    """Per-run ``F.linear``: (N, B, in) x (N, out, in) + (N, out) -> (N, B, out)."""
    if weight.shape[1] == 1 or x.shape[1] == 1:  # a gemv alone: the solo call per run (see module doc)
        return torch.stack([F.linear(xi, wi, bi) for xi, wi, bi in zip(x.unbind(0), weight.unbind(0), bias.unbind(0))])
    return torch.baddbmm(bias.unsqueeze(1), x, weight.transpose(1, 2))
