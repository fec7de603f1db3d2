"""A live run's step history: rows of named statistics in a growing float array.

One class for every family, so a snapshot's ``history`` costs O(1) to publish however long
the run (an array built from a list of rows at each snapshot grows with the run).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


class History:
    """Step statistics as a growing float array; published views of it never change.

    Rows only append, so a view of the first ``n`` rows stays valid after the buffer grows
    (old views keep the old buffer). ``None`` fields (a statistic the step did not make) are NaN.
    """

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = tuple(columns)
        self._rows = np.zeros((256, len(self.columns)))
        self._n = 0

    def extend(self, stats: Sequence[Any]) -> None:
        """Append one row per record, read by attribute name in ``columns`` order."""
        if self._n + len(stats) > len(self._rows):
            grown = np.zeros((max(2 * len(self._rows), self._n + len(stats)), len(self.columns)))
            grown[: self._n] = self._rows[: self._n]
            self._rows = grown
        for i, s in enumerate(stats, start=self._n):
            self._rows[i] = [np.nan if v is None else v for v in (getattr(s, c) for c in self.columns)]
        self._n += len(stats)

    def __len__(self) -> int:
        return self._n

    def view(self) -> np.ndarray:
        """The rows so far, read-only: (steps, len(columns))."""
        v = self._rows[: self._n].view()
        v.flags.writeable = False
        return v
