"""Config validation shared by every family: a numeric field's bounds are declared once.

A config dataclass lists its numeric bounds in a class-level ``RANGES``
dict; ``validate()`` checks each field against it (:func:`check_field`) and
the UI reads the same bounds (:func:`field_range`), so a slider can never
offer a value the config would refuse, nor hide one it accepts.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from ganlab.errors import ConfigError


@dataclass(frozen=True)
class Range:
    """Bounds of one numeric field: whole numbers in [low, high], or reals with open/closed ends."""

    low: float
    high: float
    whole: bool = True
    low_open: bool = False
    high_open: bool = False

    def check(self, name: str, value: Any) -> None:
        """Raise :class:`ConfigError` naming ``name`` when ``value`` is out of bounds or of the wrong type."""
        if self.whole:
            integer(name, value, int(self.low), int(self.high))
        else:
            number(name, value, self.low, self.high, self.low_open, self.high_open)


def ranges_of(cls: type) -> dict[str, Range]:
    """The ``RANGES`` a config class declares (empty when it declares none)."""
    return getattr(cls, "RANGES", {})


def field_range(cls: type, name: str) -> tuple[float, float]:
    """(low, high) of a config field, as its ``validate()`` enforces them: what a UI slider offers."""
    try:
        bounds = ranges_of(cls)[name]
    except KeyError:
        raise KeyError(f"{cls.__name__} declares no range for {name!r}") from None
    return (int(bounds.low), int(bounds.high)) if bounds.whole else (bounds.low, bounds.high)


def check_field(config: Any, name: str, prefix: str = "") -> None:
    """Check one field of ``config`` against its class's declared range (``prefix.name`` in errors)."""
    ranges_of(type(config))[name].check(f"{prefix}.{name}" if prefix else name, getattr(config, name))


class JsonConfig:
    """JSON round trip shared by the config dataclasses (from_dict stays per class)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str):
        """Parse and build (each class's ``from_dict`` rejects unknown fields by name)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"config: not valid JSON ({exc.msg} at line {exc.lineno})") from None
        return cls.from_dict(data)


def reject_unknown_fields(cls: type, data: Any, what: str, where: str = "") -> None:
    """A JSON object for dataclass ``cls`` may hold only its fields; name the first stranger
    (as ``where.name`` when the object sits in a field, e.g. ``g_optim.lr``)."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where or what}: expected a JSON object")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        name = f"{where}.{unknown[0]}" if where else unknown[0]
        raise ConfigError(f"{name}: unknown {what} field (known: {', '.join(sorted(known))})")


def choice(name: str, value: Any, allowed: tuple) -> None:
    if value not in allowed:
        raise ConfigError(f"{name}: must be one of {', '.join(map(str, allowed))}; got {value!r}")


def integer(name: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name}: must be an integer in [{low}, {high}]; got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{name}: must be in [{low}, {high}]; got {value}")


def number(name: str, value: Any, low: float, high: float, low_open: bool = False, high_open: bool = False) -> None:
    lo, hi = ("(" if low_open else "["), (")" if high_open else "]")
    span = f"{lo}{low:g}, {high:g}{hi}"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{name}: must be a finite number in {span}; got {value!r}")
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high:
        raise ConfigError(f"{name}: must be in {span}; got {value:g}")
