"""Latent-space tools: interpolation endpoints and norms, truncation, orthonormal directions."""

from __future__ import annotations

import pytest
import torch

from ganlab.inference import latent
from ganlab.families.gan.dcgan import DCGANGenerator
from ganlab.families.gan.mlp import MLPGenerator


def test_lerp_and_slerp_hit_both_endpoints():
    a, b = latent.z_from_seed(1, 16), latent.z_from_seed(2, 16)
    for method in ("lerp", "slerp"):
        path = latent.interpolation_path(a, b, 9, method)
        assert path.shape == (9, 16)
        assert torch.allclose(path[0], a[0], atol=1e-5) and torch.allclose(path[-1], b[0], atol=1e-5)


def test_slerp_keeps_the_norm_where_lerp_shrinks_it():
    a = latent.z_from_seed(3, 128)
    b = latent.z_from_seed(4, 128)
    b = b / b.norm() * a.norm()  # equal norms: every slerp frame must keep it
    s = latent.interpolation_path(a, b, 11, "slerp")
    assert torch.allclose(s.norm(dim=1), a.norm().expand(11), rtol=1e-5)
    mid = latent.interpolation_path(a, b, 11, "lerp")[5]
    assert mid.norm() < 0.8 * a.norm()  # nearly orthogonal Gaussian codes: ~1/sqrt(2)


def test_slerp_moves_the_norm_linearly_between_unequal_endpoints():
    a, b = torch.tensor([[3.0, 0.0]]), torch.tensor([[0.0, 1.0]])
    s = latent.slerp(a, b, torch.tensor([[0.5]]))
    assert s.norm().item() == pytest.approx(2.0)
    assert s[0, 0].item() == pytest.approx(s[0, 1].item())  # 45 degrees: halfway round the arc


def test_slerp_of_parallel_codes_does_not_produce_nan():
    a = torch.ones(1, 8)
    path = latent.interpolation_path(a, 2 * a, 5, "slerp")
    assert torch.isfinite(path).all()
    assert torch.allclose(path[2], 1.5 * a[0])


def test_interpolation_rejects_bad_arguments():
    a = torch.zeros(4)
    with pytest.raises(ValueError, match="method"):
        latent.interpolation_path(a, a, 4, "cubic")
    with pytest.raises(ValueError, match="frames"):
        latent.interpolation_path(a, a, 1, "lerp")


def test_truncation_pulls_toward_the_mean():
    z = latent.z_from_seed(5, 32, n=100)
    assert torch.equal(latent.truncate(z, 1.0), z)
    assert torch.allclose(latent.truncate(z, 0.5), z * 0.5)
    mean = torch.full((32,), 2.0)
    assert torch.allclose(latent.truncate(z, 0.0, mean), mean.expand(100, 32))
    resampled = latent.truncated_normal(500, 8, 0.5, torch.Generator().manual_seed(0))
    assert resampled.abs().max() <= 0.5 and resampled.std() > 0.2


def test_seeded_code_matches_the_cli_sampler():
    """The Explore tab's seed S is the code `ganlab sample --n 1 --seed S` draws."""
    from ganlab.families.gan.trainer import make_noise

    for noise in ("normal", "uniform"):
        cli = make_noise(noise, 1, 12, torch.Generator().manual_seed(42))
        assert torch.equal(latent.z_from_seed(42, 12, noise), cli)
    assert not torch.equal(latent.z_from_seed(42, 12), latent.z_from_seed(43, 12))


@pytest.mark.parametrize("space", ["features", "z"])
def test_principal_directions_are_orthonormal(space):
    torch.manual_seed(0)
    g = DCGANGenerator(z_dim=16, image_size=16, channels=1, width=8).eval()
    d = latent.principal_directions(g, k=5, n=512, space=space)
    assert d.vectors.shape == (5, 16) and d.space == space
    assert torch.allclose(d.vectors @ d.vectors.T, torch.eye(5), atol=1e-4)
    assert (d.scales > 0).all() and (d.explained[:-1] >= d.explained[1:] - 1e-6).all()


def test_feature_directions_find_what_the_generator_stretches():
    """A generator whose early features move strongly with z[2] and weakly with z[0] (a bias keeps
    every unit active, so they are linear): the top directions must be z[2] then z[0], although
    the prior itself is isotropic."""
    g = MLPGenerator(z_dim=4, width=8, depth=1, out_dim=2)
    with torch.no_grad():
        first = g.net[0]
        first.weight.zero_()
        first.weight[:4, 2] = torch.tensor([5.0, -5.0, 5.0, -5.0])
        first.weight[4:, 0] = torch.tensor([0.5, -0.5, 0.5, -0.5])
        first.bias.fill_(100.0)
    d = latent.principal_directions(g, k=2, n=2048)
    assert d.space == "features"
    assert abs(d.vectors[0, 2]) > 0.99
    assert abs(d.vectors[1, 0]) > 0.9


def test_walk_spans_minus_k_to_plus_k_along_the_direction():
    z = torch.zeros(1, 3)
    d = torch.tensor([0.0, 1.0, 0.0])
    w = latent.walk(z, d, k=2.0, steps=5, scale=0.5)
    assert torch.allclose(w[:, 1], torch.tensor([-1.0, -0.5, 0.0, 0.5, 1.0]))
    assert torch.equal(w[:, 0], torch.zeros(5))
    moved = latent.apply_offsets(z, torch.eye(3), [1.0, -2.0], scales=torch.tensor([2.0, 1.0, 1.0]))
    assert torch.allclose(moved, torch.tensor([[2.0, -2.0, 0.0]]))
