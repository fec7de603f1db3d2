"""Building blocks every family may use: layers, the adversarial objectives and penalties
(``losses``), the architecture registry and the parameter budget."""
