"""One exception type for every problem a user can fix.

The CLI prints these as one line and the UI shows them as a warning; anything
else is a bug and keeps its traceback.
"""


class GanLabError(Exception):
    """A user-facing problem: bad input, missing data, incompatible checkpoint."""


class ConfigError(GanLabError, ValueError):
    """A configuration field is out of range; the message names the field."""


class DataUnavailable(GanLabError):
    """A data set is not on disk (and may not be downloaded here)."""


class CheckpointError(GanLabError):
    """A checkpoint cannot be read or does not fit the requested model."""


class TrainingDiverged(GanLabError):
    """Losses became NaN/inf; the trainer restored the last good weights."""
