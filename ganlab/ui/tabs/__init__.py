"""One module per tab; each exposes ``build(...)`` and keeps its handlers next to its widgets."""
