"""Using trained models: sampling, latent-space exploration and interpolation, photo translation,
all through the generator protocol (``protocol``), never through a family's modules."""
