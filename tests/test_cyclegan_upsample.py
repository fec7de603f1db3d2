"""Resize-convolution in the CycleGAN generator (#17): the variant that cannot make the
checkerboard, trained, saved, exported and loaded like the release's transposed-conv layout,
which official ``.pth`` files and every checkpoint saved before it keep."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from cyclegan_fixtures import tiny_trainer
from ganlab.engine.checkpoints import load_checkpoint
from ganlab.errors import ConfigError
from ganlab.families.cyclegan.config import CycleGANConfig
from ganlab.families.cyclegan.io import load_translator
from ganlab.families.cyclegan.models import ResnetGenerator, upsampler
from ganlab.families.cyclegan.state import export_direction, restore_cyclegan, save_cyclegan


def _flat_input_through(how: str) -> torch.Tensor:
    """One upsampling layer with random weights on a constant feature map; its interior output."""
    torch.manual_seed(0)
    layer = nn.Sequential(*upsampler(4, 4, how))
    with torch.no_grad():
        out = layer(torch.ones(1, 4, 8, 8))
    return out[..., 2:-2, 2:-2]  # away from the borders, where padding differs anyway


def test_resize_convolution_keeps_a_flat_input_flat_where_the_transposed_conv_makes_a_checkerboard():
    resized, deconv = _flat_input_through("resize"), _flat_input_through("deconv")
    assert resized.shape == deconv.shape == (1, 4, 12, 12)
    assert float(resized.std(dim=(-2, -1)).max()) < 1e-6  # every pixel sees the same taps
    checker = deconv[..., 0::2, 0::2] - deconv[..., 1::2, 1::2]  # even vs odd output pixels
    assert float(checker.abs().mean()) > 1e-3  # the uneven overlap shows with period 2


def test_both_layouts_translate_at_the_same_size_with_the_same_parameter_count():
    x = torch.randn(2, 3, 36, 44)
    shapes, counts = set(), set()
    for how in ("deconv", "resize"):
        g = ResnetGenerator(ngf=8, n_blocks=1, upsample=how)
        shapes.add(tuple(g(x).shape))
        counts.add(sum(p.numel() for p in g.parameters()))
        has_deconv = any(isinstance(m, nn.ConvTranspose2d) for m in g.modules())
        assert has_deconv == (how == "deconv")
    assert shapes == {(2, 3, 36, 44)} and len(counts) == 1
    assert "upsample" not in ResnetGenerator(ngf=8, n_blocks=1).args  # the release's arguments, unchanged


def test_a_resize_run_saves_resumes_exports_and_loads_as_resize(tmp_path):
    trainer = tiny_trainer(tmp_path / "data", steps=1, upsample="resize")
    save_cyclegan(trainer, tmp_path / "run")
    resumed = restore_cyclegan(tmp_path / "run")
    assert resumed.cfg.upsample == "resize" and resumed.G_AB.upsample == "resize"
    for a, b in zip(trainer.G_AB.state_dict().values(), resumed.G_AB.state_dict().values()):
        assert torch.equal(a, b)
    export_direction(trainer, tmp_path / "zoo" / "warm2cold", "AtoB")
    translator = load_translator(tmp_path / "zoo" / "warm2cold")
    assert translator.forward.upsample == "resize"
    with torch.no_grad():
        assert translator.forward(torch.zeros(1, 3, 32, 32)).shape == (1, 3, 32, 32)


def test_checkpoints_saved_before_the_option_load_with_the_release_layout():
    shipped = load_checkpoint("summer2winter")
    assert "upsample" not in shipped.meta["generator"]["args"]
    g = load_translator("summer2winter").forward
    assert g.upsample == "deconv" and any(isinstance(m, nn.ConvTranspose2d) for m in g.modules())
    assert CycleGANConfig.from_dict({"ngf": 8}).upsample == "deconv"  # an old config.json


def test_an_unknown_upsampling_is_refused_by_name():
    with pytest.raises(ConfigError, match="upsample: must be one of deconv, resize"):
        CycleGANConfig(upsample="bilinear").validate()
