"""``python -m ganlab eval CHECKPOINT``: score a generator offline.

2D models: mode coverage on 2,500 samples. Image models: FD/KID/IS-style
scores and precision/recall on the shipped small classifier's features
against the held-out test split, printed beside the real-vs-real figures.
Restoration models (pix2pix, SRResNet, SRGAN): PSNR/SSIM on the held-out test
split beside the trivial baseline (bicubic x4, the noisy input, the masked input).
CycleGANs (summer2winter): on the held-out test photos, the share the project's
season classifier calls the target season, the feature distance to the real
target photos, and the round-trip error, for each direction the checkpoint has.
"""

from __future__ import annotations

import argparse
import json


def register(sub) -> None:
    p = sub.add_parser(
        "eval",
        help="score a checkpoint (mode coverage, FD/KID/IS-style, precision/recall)",
        description=__doc__.split("\n\n", 1)[1],
    )
    p.add_argument("checkpoint", help="run folder, model.safetensors file, or shipped name (e.g. mnist)")
    p.add_argument("--n", type=int, default=None, help="samples to score (default: 2500 for 2D, 10000 for images)")
    p.add_argument("--seed", type=int, default=0, help="sampling seed")
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N, mps or auto")
    p.add_argument("--data-root", default=None, help="where MNIST/FashionMNIST live (default: $GANLAB_DATA)")
    p.add_argument(
        "--inception",
        action="store_true",
        help="also FID/IS with Inception-v3 (needs its weights on disk; slow on a CPU)",
    )
    p.add_argument(
        "--sigma", type=float, default=None, help="restoration denoisers: the test noise level in [0, 1] (default 0.3)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ganlab.errors import GanLabError
    from ganlab.metrics.report import evaluate_checkpoint, format_report

    if args.n is not None and not 10 <= args.n <= 200_000:
        raise GanLabError(f"--n: must be in [10, 200000]; got {args.n}")
    if _kind(args.checkpoint) == "restore":
        from ganlab.metrics.restore_report import evaluate_restorer, format_restore_report

        result = evaluate_restorer(
            args.checkpoint, n=args.n, device=args.device, data_root=args.data_root, sigma=args.sigma
        )
        print(json.dumps(result, indent=2) if args.json else format_restore_report(result))
        return 0
    if args.sigma is not None:
        raise GanLabError("--sigma: only restoration (denoising) models take a test noise level")
    if _kind(args.checkpoint) == "cyclegan":
        from ganlab.metrics.translation_report import evaluate_translator, format_translation_report

        result = evaluate_translator(args.checkpoint, n=args.n, device=args.device, data_root=args.data_root)
        print(json.dumps(result, indent=2) if args.json else format_translation_report(result))
        return 0
    result = evaluate_checkpoint(
        args.checkpoint,
        n=args.n,
        device=args.device,
        seed=args.seed,
        data_root=args.data_root,
        inception=args.inception,
    )
    print(json.dumps(result, indent=2) if args.json else format_report(result))
    return 0


def _kind(spec: str) -> str:
    """The checkpoint's family kind ("gan", "stylegan", "restore", ...) from its model.json."""
    from ganlab.engine.checkpoints import read_meta, resolve

    return read_meta(resolve(spec)).get("kind", "gan")
