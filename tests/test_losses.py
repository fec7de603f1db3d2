"""Each objective against values computed by hand, and the penalties' per-sample shape."""

import math

import pytest
import torch
from torch import nn

from ganlab.nn import losses

REAL = torch.tensor([2.0, -1.0])
FAKE = torch.tensor([0.5, -3.0])


def sp(x: float) -> float:  # softplus
    return math.log1p(math.exp(x))


def mean(*v: float) -> float:
    return sum(v) / len(v)


HAND = {
    # name: (D loss, G loss)
    "minimax": (mean(sp(-2), sp(1)) + mean(sp(0.5), sp(-3)), -mean(sp(0.5), sp(-3))),
    "nonsaturating": (mean(sp(-2), sp(1)) + mean(sp(0.5), sp(-3)), mean(sp(-0.5), sp(3))),
    "lsgan": (0.5 * mean(1.0, 4.0) + 0.5 * mean(0.25, 9.0), 0.5 * mean(0.25, 16.0)),
    "wgan": (mean(0.5, -3) - mean(2, -1), -mean(0.5, -3)),
    "wgan-gp": (mean(0.5, -3) - mean(2, -1), -mean(0.5, -3)),
    "hinge": (mean(0.0, 2.0) + mean(1.5, 0.0), -mean(0.5, -3)),
}


@pytest.mark.parametrize("name", sorted(HAND))
def test_objective_matches_hand_computed_values(name):
    obj = losses.get_objective(name)
    d_expected, g_expected = HAND[name]
    assert obj.d_loss(REAL, FAKE).item() == pytest.approx(d_expected, rel=1e-6)
    assert obj.g_loss(FAKE).item() == pytest.approx(g_expected, rel=1e-6)


def test_minimax_saturates_where_nonsaturating_does_not():
    """When D confidently rejects a fake (logit -8), minimax gives G almost no gradient."""
    fake = torch.tensor([-8.0], requires_grad=True)
    losses.minimax_g(fake).backward()
    g_minimax = fake.grad.abs().item()
    fake.grad = None
    losses.nonsaturating_g(fake).backward()
    assert g_minimax < 1e-3 < fake.grad.abs().item()


class Quadratic(nn.Module):
    """D(x) = sum_i w_i * x_i^2: gradient 2 w x, so per-sample norms are known exactly."""

    def __init__(self, w):
        super().__init__()
        self.w = nn.Parameter(torch.tensor(w))

    def forward(self, x, labels=None):
        return (self.w * x**2).sum(dim=1)


def test_gradient_penalty_is_per_sample():
    d = Quadratic([1.0, 1.0])
    real = torch.tensor([[1.0, 0.0], [0.0, 3.0]])
    # real == fake makes x_hat == real whatever alpha is; grad = 2x -> norms 2 and 6
    gp = losses.gradient_penalty(d, real, real.clone())
    assert gp.item() == pytest.approx(((2 - 1) ** 2 + (6 - 1) ** 2) / 2)
    # the norm of the whole batch's gradient would give a different number
    batch_norm = (torch.tensor([2.0, 6.0]).norm() - 1) ** 2
    assert gp.item() != pytest.approx(batch_norm.item())


def test_gradient_penalty_trains_the_critic():
    d = Quadratic([1.0, 1.0])
    real = torch.tensor([[1.0, 0.0], [0.0, 3.0]])
    losses.gradient_penalty(d, real, real.clone()).backward()
    assert d.w.grad is not None and d.w.grad.abs().sum() > 0


def test_r1_penalty_is_half_mean_squared_grad_norm():
    d = Quadratic([1.0, 2.0])
    real = torch.tensor([[1.0, 1.0], [2.0, 0.0]])
    # grads: (2, 4) -> 20 ; (4, 0) -> 16
    assert losses.r1_penalty(d, real).item() == pytest.approx(0.5 * (20 + 16) / 2)


def test_r1_from_a_shared_forward_pass_equals_the_standalone_penalty():
    d = Quadratic([1.0, 2.0])
    real = torch.tensor([[1.0, 1.0], [2.0, 0.0]]).requires_grad_(True)
    shared = losses.r1_from_outputs(d(real), real)
    assert shared.item() == pytest.approx(losses.r1_penalty(d, real.detach()).item())
    shared.backward()  # the penalty is trainable: its gradient reaches D's weights
    assert d.w.grad is not None and d.w.grad.abs().sum() > 0


def test_weight_clipping_bounds_every_parameter():
    layer = nn.Linear(4, 4)
    nn.init.normal_(layer.weight, std=5)
    losses.clip_weights(layer, 0.01)
    assert all(p.abs().max() <= 0.01 for p in layer.parameters())


def test_unknown_objective_names_the_choices():
    with pytest.raises(ValueError, match="hinge"):
        losses.get_objective("nope")
