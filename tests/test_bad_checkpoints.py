"""Bad checkpoints, runs that blow up and saves killed midway: nothing runs that a file smuggles
in, every problem is one clear line, and nothing already saved is lost or overwritten.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from PIL import Image

from bad_files import ROOT, assert_one_line_error, encode, run_cli
from ganlab import limits
from ganlab.engine.checkpoints import load_checkpoint, load_generator, save_checkpoint
from ganlab.cli import main as cli_main
from ganlab.families.cyclegan.io import load_translator
from ganlab.errors import CheckpointError
from ganlab.families.gan.mlp import MLPGenerator


# -- checkpoints -------------------------------------------------------------------------------


class _RunsCode:
    """Unpickling this runs a shell command: the loaders must never do it."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch '{self.marker}'",))


def _gan_checkpoint(folder: Path, **meta_changes) -> Path:
    g = MLPGenerator(z_dim=2, width=8, depth=1)
    meta = {
        "kind": "gan",
        "generator": {"arch": g.arch, "args": g.args},
        "config": {"noise": "normal"},
        "step": 7,
        **meta_changes,
    }
    return save_checkpoint(folder, {f"G.{k}": v for k, v in g.state_dict().items()}, meta)


def test_code_carrying_pickles_are_refused_and_never_run(tmp_path, capsys):
    marker = tmp_path / "code-ran"
    raw_pickle, torch_pickle = tmp_path / "evil.pth", tmp_path / "evil-torch.pt"
    raw_pickle.write_bytes(pickle.dumps({"model.1.weight": _RunsCode(marker)}))
    torch.save({"model.1.weight": _RunsCode(marker)}, torch_pickle)
    disguised = _gan_checkpoint(tmp_path / "disguised")
    (disguised / "model.safetensors").write_bytes(pickle.dumps(_RunsCode(marker)))
    for path in (raw_pickle, torch_pickle):
        with pytest.raises(CheckpointError, match="refused"):
            load_translator(path)
        with pytest.raises(CheckpointError, match="pickle file, not a GAN Lab checkpoint"):
            load_generator(path)
        assert_one_line_error(*run_cli(capsys, "sample", path, "--n", "2", "--out", tmp_path / "s.csv"), "pickle")
        png = tmp_path / "in.png"
        png.write_bytes(encode(Image.new("RGB", (8, 8))))
        assert_one_line_error(*run_cli(capsys, "translate", path, png, "--out", tmp_path / "t"), "refused")
    with pytest.raises(CheckpointError, match="unreadable or truncated safetensors"):
        load_generator(disguised)
    assert not marker.exists()


ABSURD = [
    ({"arch": "mlp-g", "args": {"width": 10**9}}, "width=1000000000 is out of range"),
    ({"arch": "mlp-g", "args": {"width": 100_000, "depth": 5}}, "about 40,000,"),
    ({"arch": "dcgan-g", "args": {"image_size": 10**6}}, "image_size"),
    ({"arch": "dcgan-g", "args": {"width": 4096, "image_size": 64}}, "GANLAB_MAX_MODEL_PARAMS"),
    ({"arch": "mlp-g", "args": {"z_dim": -3}}, "z_dim=-3"),
    ({"arch": "mlp-g", "args": {"width": "wide"}}, "whole number"),
    ({"arch": "mlp-g", "args": {"width": 8.5}}, "whole number"),
    ({"arch": "mlp-g", "args": [1, 2]}, "valid architecture"),
    ({"arch": "mlp-g", "args": {"colour": "red"}}, "unknown stored argument"),
    ({"arch": "cyclegan-resnet", "args": {"n_blocks": 10**7}}, "n_blocks"),
    ({"arch": "dcgan-g", "args": {"norm": 3}}, "must be a str"),
    ({"arch": "resnet-9000", "args": {}}, "unknown architecture"),
]


@pytest.mark.parametrize("spec,needle", ABSURD, ids=[n for _, n in ABSURD])
def test_absurd_metadata_is_refused_before_building_anything(tmp_path, monkeypatch, spec, needle):
    folder = _gan_checkpoint(tmp_path / "ck")
    meta = json.loads((folder / "model.json").read_text())
    meta["generator"] = spec
    (folder / "model.json").write_text(json.dumps(meta))
    (folder / "model.safetensors").write_bytes(_embedded_free(folder / "model.safetensors"))
    real_init = torch.nn.Module.__init__

    def meta_only(module, *args, **kwargs):  # the budget counts on the meta device: nothing is allocated
        if torch.get_default_device().type != "meta":
            pytest.fail("a module was built on a real device")
        real_init(module, *args, **kwargs)

    monkeypatch.setattr(torch.nn.Module, "__init__", meta_only)
    started = time.monotonic()
    with pytest.raises(CheckpointError, match=needle):
        load_generator(folder)
    assert time.monotonic() - started < 5, "a bomb must be refused quickly"


def _embedded_free(weights: Path) -> bytes:
    """The same tensors without the embedded metadata copy (as hand-edited or older files are)."""
    from safetensors.torch import load_file, save

    return save(load_file(str(weights)), metadata={"format": "ganlab-checkpoint"})


@pytest.mark.parametrize(
    "meta_text,needle",
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"format": "ganlab-checkpoint", "kind": "gan", "config": [1, 2]}', "'config' must be a JSON object"),
        ('{"format": "ganlab-checkpoint", "format_version": "one"}', "format_version"),
        ("{not json", "not valid JSON"),
    ],
)
def test_broken_metadata_is_a_clear_error(tmp_path, meta_text, needle):
    folder = _gan_checkpoint(tmp_path / "ck")
    (folder / "model.json").write_text(meta_text)
    (folder / "model.safetensors").write_bytes(_embedded_free(folder / "model.safetensors"))
    with pytest.raises(CheckpointError, match=needle):
        load_generator(folder)


def test_oversized_metadata_is_refused_unread(tmp_path, monkeypatch):
    folder = _gan_checkpoint(tmp_path / "ck")
    monkeypatch.setenv("GANLAB_MAX_META_BYTES", "100")
    with pytest.raises(CheckpointError, match="implausibly large"):
        load_generator(folder)


def test_wrong_architecture_truncated_weights_and_swapped_kinds_via_the_cli(tmp_path, capsys):
    from ganlab.families.cyclegan.models import ResnetGenerator

    wrong = _gan_checkpoint(
        tmp_path / "wrong", generator={"arch": "mlp-g", "args": {"z_dim": 2, "width": 16, "depth": 1}}
    )
    truncated = _gan_checkpoint(tmp_path / "truncated")
    weights = truncated / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:200])
    cyc = ResnetGenerator(ngf=4, n_blocks=1)
    cyclegan = save_checkpoint(
        tmp_path / "cyc",
        {f"G.{k}": v for k, v in cyc.state_dict().items()},
        {"kind": "cyclegan", "generator": {"arch": cyc.arch, "args": cyc.args}},
    )
    gan = _gan_checkpoint(tmp_path / "gan")
    torch.save(cyc.state_dict(), tmp_path / "official.pth")
    png = tmp_path / "in.png"
    png.write_bytes(encode(Image.new("RGB", (8, 8))))
    out = tmp_path / "out.csv"
    for spec, needle in (
        (wrong, "does not fit"),
        (truncated, "truncated"),
        (cyclegan, "use it with 'translate'"),
        (tmp_path / "official.pth", "open with 'translate'"),
    ):
        assert_one_line_error(*run_cli(capsys, "sample", spec, "--n", "3", "--out", out), needle)
    assert_one_line_error(*run_cli(capsys, "translate", gan, png, "--out", tmp_path / "t"), "not a CycleGAN translator")
    assert not out.exists()
    assert run_cli(capsys, "translate", tmp_path / "official.pth", png, "--out", tmp_path / "t")[0] == 0


def test_exports_never_overwrite_a_run(tmp_path, capsys):
    run = _gan_checkpoint(tmp_path / "run")  # a training run: not inference-only
    other = _gan_checkpoint(tmp_path / "other")
    before = (other / "model.safetensors").read_bytes()
    assert_one_line_error(*run_cli(capsys, "export", run, "--out", other), "already holds a training run")
    assert_one_line_error(
        *run_cli(capsys, "sample", run, "--n", "3", "--out", other / "model.json"), "nothing was overwritten"
    )
    assert (other / "model.safetensors").read_bytes() == before
    assert load_checkpoint(other).meta["step"] == 7


# -- divergence --------------------------------------------------------------------------------


def _finite(folder: Path) -> bool:
    return all(torch.isfinite(t).all() for t in load_checkpoint(folder).tensors.values() if t.is_floating_point())


def test_a_run_that_blows_up_stops_with_a_reason_and_keeps_its_last_good_checkpoint(tmp_path, capsys, monkeypatch):
    from ganlab.families.gan.trainer import Trainer

    real_run = Trainer.run

    def poisoned(self, k):  # after 20 good steps, G's weights turn to NaN
        if self.step_count >= 20:
            with torch.no_grad():
                next(self.G.parameters()).fill_(math.nan)
        return real_run(self, k)

    monkeypatch.setattr(Trainer, "run", poisoned)
    run = tmp_path / "run"
    code = cli_main(
        [
            "train",
            "--dataset",
            "ring8",
            "--steps",
            "40",
            "--snapshot-every",
            "10",
            "--checkpoint-every",
            "10",
            "--width",
            "16",
            "--depth",
            "1",
            "--device",
            "cpu",
            "--out",
            str(run),
            "--quiet",
        ]
    )
    captured = capsys.readouterr()
    assert code == 3 and "NaN" in captured.err + captured.out
    assert load_checkpoint(run).meta["step"] == 20 and _finite(run)
    g, _ = load_generator(run)
    assert torch.isfinite(g(torch.randn(5, g.z_dim))).all()


def test_a_learning_rate_that_really_diverges_exits_3_with_a_finite_checkpoint(tmp_path, capsys):
    run = tmp_path / "run"
    code = cli_main(
        [
            "train",
            "--dataset",
            "ring8",
            "--objective",
            "lsgan",
            "--g-optim",
            "sgd",
            "--d-optim",
            "sgd",
            "--g-lr",
            "9",
            "--d-lr",
            "9",
            "--steps",
            "200",
            "--snapshot-every",
            "10",
            "--width",
            "16",
            "--depth",
            "1",
            "--device",
            "cpu",
            "--out",
            str(run),
            "--quiet",
        ]
    )
    captured = capsys.readouterr()
    assert code == 3 and "diverged" in captured.err + captured.out
    assert _finite(run)


# -- atomic saves ------------------------------------------------------------------------------


def test_a_save_that_fails_midway_keeps_the_previous_checkpoint_and_no_temp_files(tmp_path, monkeypatch):
    from ganlab.inference.sample import save_points_csv

    folder = _gan_checkpoint(tmp_path / "ck", step=1)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        _gan_checkpoint(folder, step=2)
    with pytest.raises(OSError, match="disk full"):
        save_points_csv(torch.zeros(3, 2), folder / "points.csv")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # untouched, no *.tmp left
    calls = []

    def second_fails(src, dst):  # weights land, then the JSON's rename fails
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("killed")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", second_fails)
    with pytest.raises(OSError, match="killed"):
        _gan_checkpoint(folder, step=3)
    assert load_checkpoint(folder).meta["step"] == 3  # the weights' own metadata copy wins: consistent
    assert not list(folder.glob("*.tmp")) and not list(folder.glob(".*.tmp"))


SAVER = """
import sys, torch
from ganlab.engine.checkpoints import save_checkpoint
folder, i = sys.argv[1], int(sys.argv[2])
while True:
    i += 1
    save_checkpoint(folder, {"w": torch.full((2_000_000,), float(i))}, {"kind": "gan", "i": i})
    print(i, flush=True)
"""


def test_killing_a_save_at_random_moments_never_breaks_the_checkpoint(tmp_path):
    folder, rng, last = tmp_path / "ck", random.Random(0), 0
    save_checkpoint(folder, {"w": torch.zeros(2_000_000)}, {"kind": "gan", "i": 0})
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    for _ in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-c", SAVER, str(folder), str(last)], stdout=subprocess.PIPE, env=env, text=True
        )
        assert proc.stdout.readline().strip()  # at least one save has completed
        time.sleep(rng.uniform(0.0, 0.15))
        proc.kill()
        proc.wait()
        proc.stdout.close()
        ckpt = load_checkpoint(folder)
        value = ckpt.meta["i"]
        assert value > last and torch.equal(ckpt.tensors["w"], torch.full((2_000_000,), float(value)))
        last = value


def test_limits_are_documented():
    text = (ROOT / "docs" / "limits.md").read_text()
    for limit in limits.LIMITS.values():
        assert f"`{limit.env}`" in text and f"{limit.default:,}" in text
