"""Every model family, by name: adding one is a package here plus one line in ``FAMILIES``.

``family_for`` picks the family for a ``train`` command or a form (from
``--family``, a ``--model`` that only one family has, or the data set);
``family_of_run`` reads it back from a saved run.
"""

from __future__ import annotations

from ganlab.engine.family import Family
from ganlab.errors import CheckpointError, ConfigError
from ganlab.families import cyclegan, gan, restore, stylegan

FAMILIES: dict[str, Family] = {f.name: f for f in (gan.FAMILY, cyclegan.FAMILY, stylegan.FAMILY, restore.FAMILY)}


def family_for(family: str | None = None, model: str | None = None, dataset: str | None = None) -> Family:
    """The family a run belongs to; ConfigError naming the flag when they disagree or none fits."""
    if family:
        if family not in FAMILIES:
            raise ConfigError(f"family: must be one of {', '.join(FAMILIES)}; got {family!r}")
        chosen = FAMILIES[family]
        if model and model != "auto" and model not in chosen.models:
            raise ConfigError(f"model: {model!r} is not a {family} model (its models: {', '.join(chosen.models)})")
        return chosen
    if model and model != "auto":
        owners = [f for f in FAMILIES.values() if model in f.models]
        if not owners:
            known = ", ".join(m for f in FAMILIES.values() for m in f.models)
            raise ConfigError(f"model: must be one of auto, {known}; got {model!r}")
        return owners[0]
    fits = [f for f in FAMILIES.values() if dataset and f.claims(dataset)]
    if len(fits) > 1:
        fits = [f for f in fits if f.default] or fits
    if len(fits) > 1:
        raise ConfigError(
            f"dataset: {dataset!r} fits several families ({', '.join(f.name for f in fits)}); pick one with --family"
        )
    if not fits:  # nobody knows the name: the default family's loader says what is known
        fits = [f for f in FAMILIES.values() if f.default]
    return fits[0]


def family_of_run(meta: dict) -> Family:
    """The family whose resumable checkpoint ``meta`` (a model.json) is."""
    kind = meta.get("kind", "gan")
    for family in FAMILIES.values():
        if family.checkpoint_kind == kind:
            return family
    raise CheckpointError(f"a {kind!r} run: no model family here resumes it")


def has_generator(kind: str) -> bool:
    """Whether checkpoints of ``kind`` hold a generator the protocol can sample (its family has an adapter)."""
    return any(f.checkpoint_kind == kind and f.generator is not None for f in FAMILIES.values())


__all__ = ["FAMILIES", "Family", "family_for", "family_of_run", "has_generator"]
