"""GAN Lab: train, watch and explore generative adversarial networks.

The package root imports nothing heavy so that ``python -m ganlab devices``
and the UI start fast; import the submodules you need.
"""

__version__ = "0.1.0"
