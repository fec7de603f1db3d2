"""One export path: the CLI and an in-process export ship the very same generator."""

import torch

from ganlab.cli import main as cli_main
from ganlab.engine.checkpoints import load_checkpoint, load_generator
from ganlab.families.gan.config import TrainConfig
from ganlab.families.gan.state import save_trainer
from ganlab.families.gan.trainer import Trainer
from ganlab.families.gan.export import export_trainer

CFG = TrainConfig(dataset="digits", width=8, z_dim=8, batch_size=8, ema=0.9, seed=5, device="cpu")


def test_cli_and_in_process_exports_give_identical_weights(tmp_path):
    trainer = Trainer(CFG)
    trainer.run(3)
    save_trainer(trainer, tmp_path / "run")
    assert cli_main(["export", str(tmp_path / "run"), "--out", str(tmp_path / "cli")]) == 0
    export_trainer(trainer, tmp_path / "app", extra={"source": "app"})
    cli, app = load_checkpoint(tmp_path / "cli"), load_checkpoint(tmp_path / "app")
    assert cli.meta["batchnorm_recalibrated"] and app.meta["batchnorm_recalibrated"]  # DCGAN + EMA
    assert cli.tensors.keys() == app.tensors.keys() and all(k.startswith("G_ema.") for k in cli.tensors)
    for key, value in cli.tensors.items():
        assert torch.equal(value, app.tensors[key]), key
    assert app.meta["inference_only"] and app.meta["discriminator"] is None and "optimizers" not in app.meta
    z = torch.randn(4, CFG.z_dim, generator=torch.Generator().manual_seed(0))
    assert torch.equal(load_generator(tmp_path / "cli")[0](z), load_generator(tmp_path / "app")[0](z))
