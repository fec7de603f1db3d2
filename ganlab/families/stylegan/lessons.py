"""StyleGAN lessons: the truncation trick and style mixing, each checked headlessly with the
project's digits classifier on a tiny StyleGAN trained in the check itself.

Both lessons share one config (the digits preset at 16 px, EMA 0.99 so the averaged G is
ready within a few hundred steps), so the pair trains once (about 300 steps, 20-30 s on one
CPU thread). Each check compares two measurements of the same model, and each threshold sits
below the weakest value seen over training seeds 0-4: entropy ratio 0.23-0.59 (threshold 0.75),
kappa 0.59-0.69 (0.35), pixel ratio 0.22-0.37 (0.5); the confidence rise is the weakest signal,
+0.025 to +0.11 (threshold 0.01).
"""

from __future__ import annotations

from functools import lru_cache

import torch
from torch import Tensor

from ganlab.families.gan.lesson_kit import CheckResult, Lesson
from ganlab.families.stylegan.config import StyleGANConfig
from ganlab.families.stylegan.generator import StyleGANGenerator, mix
from ganlab.families.stylegan.presets import recommended_config
from ganlab.inference.protocol import sample_latents


CHECK_STEPS = 300
SAMPLES = 512  # samples per measurement: class shares to about +-2 %
PSI_LOW = 0.5
SEEDS = (101, 202)  # latent seeds of the sources (rows) and destinations (columns)


def lesson_config() -> StyleGANConfig:
    """The digits StyleGAN both lessons train (EMA 0.99: the averaged G follows within ~100 steps)."""
    return recommended_config("digits", seed=0, ema=0.99)


@lru_cache(maxsize=4)
def _trained(cfg_json: str, steps: int) -> StyleGANGenerator:
    """The EMA generator of ``cfg`` after ``steps`` (trained once per config and steps)."""
    from ganlab.families.stylegan.trainer import StyleGANTrainer

    trainer = StyleGANTrainer(StyleGANConfig.from_json(cfg_json))
    trainer.run(steps)
    module = trainer.inference_generator.eval()
    return StyleGANGenerator(module)


def trained_generator(cfg: StyleGANConfig, steps: int, device: str = "cpu") -> StyleGANGenerator:
    return _trained(cfg.updated(device=device).to_json(), steps)


def _classifier():
    from ganlab.metrics.classifier import classifier_for

    return classifier_for("digits")


def class_stats(probs: Tensor) -> dict[str, float]:
    """Mean confidence, entropy of the predicted-class shares (nats) and classes over 2 % of them."""
    conf, cls = probs.max(dim=1)
    share = torch.bincount(cls, minlength=probs.shape[1]).float() / len(cls)
    nonzero = share[share > 0]
    return {
        "confidence": float(conf.mean()),
        "entropy": float(-(nonzero * nonzero.log()).sum()),
        "classes": int((share > 0.02).sum()),
    }


def _check_truncation(lesson: Lesson, device: str) -> CheckResult:
    """psi 1 -> 0.5: the classifier grows surer (confidence up) and the class shares narrow
    (entropy down), on the same seeds."""
    gen, clf = trained_generator(lesson.config, lesson.check_steps, device), _classifier()
    at = {
        psi: class_stats(clf.probs(gen.synthesize(sample_latents(gen, SEEDS[0], SAMPLES, psi=psi))))
        for psi in (1.0, PSI_LOW)
    }
    full, low = at[1.0], at[PSI_LOW]
    fig = {f"{k}_psi{psi:g}": v for psi, stats in at.items() for k, v in stats.items()}
    ok = (
        full["confidence"] > 0.6  # G makes digits at all
        and low["confidence"] >= full["confidence"] + 0.01  # the weaker signal: +0.025 to +0.11 on seeds 0-4
        and low["entropy"] <= 0.75 * full["entropy"]
    )
    return CheckResult(
        ok,
        f"psi 1 -> {PSI_LOW:g}: confidence {full['confidence']:.2f} -> {low['confidence']:.2f}, "
        f"class entropy {full['entropy']:.2f} -> {low['entropy']:.2f} nats, "
        f"classes {full['classes']} -> {low['classes']}",
        fig,
    )


def _check_mixing(lesson: Lesson, device: str) -> CheckResult:
    """Coarse styles from a source and fine styles from a destination: the digit is the
    source's and the pixels stay near it; at crossover 0 the sample is the destination."""
    gen, clf = trained_generator(lesson.config, lesson.check_steps, device), _classifier()
    src, dst = (sample_latents(gen, seed, SAMPLES) for seed in SEEDS)
    x_src, x_dst = gen.synthesize(src), gen.synthesize(dst)
    c_src, c_dst = clf.predict(x_src), clf.predict(x_dst)
    fine = gen.latent.layer_groups["fine"][0]  # the crossover: every layer below the output size from src
    x_mix = gen.synthesize(mix(gen, src, dst, fine))
    c_mix, c_zero = clf.predict(x_mix), clf.predict(gen.synthesize(mix(gen, src, dst, 0)))
    c_coarse = clf.predict(gen.synthesize(mix(gen, src, dst, gen.latent.layer_groups["coarse"][1])))
    share = lambda a, b: float((a == b).float().mean())
    distance = lambda a, b: float((a - b).abs().mean())
    fig = {
        "crossover": fine,
        "follows_source": share(c_mix, c_src),
        "chance": share(c_dst, c_src),
        "follows_destination_at_0": share(c_zero, c_dst),
        "coarse_only_follows_source": share(c_coarse, c_src),
        "mix_to_source": distance(x_mix, x_src),
        "destination_to_source": distance(x_dst, x_src),
    }
    # agreement beyond chance (Cohen's kappa): a G that makes few digits agrees often by chance alone
    fig["source_beyond_chance"] = (fig["follows_source"] - fig["chance"]) / max(1e-6, 1 - fig["chance"])
    ok = (
        fig["follows_source"] >= 0.5
        and fig["source_beyond_chance"] >= 0.35
        and fig["follows_destination_at_0"] >= 0.95
        and fig["mix_to_source"] <= 0.5 * fig["destination_to_source"]
    )
    return CheckResult(ok, _mixing_summary(fig), fig)


def _mixing_summary(fig: dict) -> str:
    return (
        f"crossover {fig['crossover']}: the mixed digit is the source's in {fig['follows_source']:.0%} "
        f"(two unrelated samples agree in {fig['chance']:.0%}; kappa {fig['source_beyond_chance']:.2f}); "
        f"crossover 0: the destination's in {fig['follows_destination_at_0']:.0%}; pixels "
        f"{fig['mix_to_source']:.2f} from the source vs {fig['destination_to_source']:.2f} between source "
        "and destination"
    )


TRUNCATION_TEXT = (
    "StyleGAN's truncation trick pulls every style vector w toward the average style w_avg: "
    "w' = w_avg + psi (w - w_avg). At psi = 1 you see what G really learned; as psi falls toward 0.5 "
    "the samples move toward G's 'average digit'. Measured with the project's digit classifier on the "
    "same 512 seeds, after 300 steps: at psi 0.5 the classifier is surer of each digit (mean confidence "
    "rises) while the samples cover fewer digits (the spread of predicted classes, its entropy, falls by "
    "at least a quarter). Quality for diversity: try the psi slider in Explore after saving the run."
)
MIXING_TEXT = (
    "Each synthesis layer of a StyleGAN takes its own style, so two samples can be mixed: the layers "
    "before a crossover take the source's styles, the rest the destination's. On 16 px digits the 4 and 8 px "
    "layers hold the coarse styles and the 16 px layers the fine ones. With the coarse styles from the source "
    "the mixed sample shows the source's digit (the classifier agrees with the source far more often than "
    "two unrelated samples agree), and its pixels stay close to the source: the fine styles only change "
    "stroke texture. At crossover 0 the sample is simply the destination. Mixing during training "
    "(probability 0.9 here) is what keeps the layers' roles apart; `python -m ganlab mix` draws the grid."
)


def style_lessons() -> tuple[Lesson, ...]:
    """The StyleGAN lessons (trained for 1,500 steps in the app; checked after 300)."""
    cfg = lesson_config()
    return tuple(
        Lesson(key, title, text, cfg.updated(steps=1500), CHECK_STEPS, check)
        for key, title, text, check in (
            (
                "stylegan-truncation",
                "StyleGAN: the truncation trick (quality vs diversity)",
                TRUNCATION_TEXT,
                _check_truncation,
            ),
            ("stylegan-mixing", "StyleGAN: style mixing, coarse = shape, fine = texture", MIXING_TEXT, _check_mixing),
        )
    )
