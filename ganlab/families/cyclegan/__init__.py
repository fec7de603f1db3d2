"""The CycleGAN family: two ResNet generators and two PatchGAN discriminators trained on unpaired
photos (Zhu et al. 2017), official ``.pth`` import and one-direction exports."""

from ganlab.families.cyclegan import models as _models  # noqa: F401  (registers the architectures)
