"""Form values to numbers, in one place for every tab.

Gradio hands a handler whatever the browser or an API client sent: ints,
floats such as ``8.0``, digit strings, None. These turn such a value into
the int or float a config wants, or raise :class:`ConfigError` naming the
field; the bounds come from the config itself (:func:`slider_range`).
"""

from __future__ import annotations

import math
from typing import Any

from ganlab.engine.config import field_range
from ganlab.errors import ConfigError


def as_whole(value: Any) -> int | None:
    """``value`` as an int when it is a whole number (``8``, ``8.0``, ``"8"``), else None.

    Ints and digit strings are converted exactly (a 63-bit seed keeps every digit)."""
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("+-").isdigit():
            return int(text)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if math.isfinite(number) and number.is_integer() else None


def whole_number(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """A whole number from a form; with ``low``/``high``, also within them."""
    number = as_whole(value)
    if number is None:
        raise ConfigError(f"{name}: must be a whole number; got {value!r}")
    if (low is not None and number < low) or (high is not None and number > high):
        raise ConfigError(f"{name}: must be between {low} and {high}; got {number}")
    return number


def real_number(name: str, value: Any) -> float:
    """A float from a form (range checks are the config's own)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}: must be a number; got {value!r}") from None


def slider_range(config_class: type, name: str) -> tuple[int, int]:
    """(low, high) a widget offers for a whole-number config field: exactly what validate() accepts."""
    low, high = field_range(config_class, name)
    return int(low), int(high)
