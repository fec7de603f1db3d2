"""The checkerboard score (#17): a period-2/4 pattern, as two stride-2 transposed convs leave,
stands out against a picture's own spectrum; a smooth or noisy picture does not."""

from __future__ import annotations

import pytest
import torch

from ganlab.metrics.checkerboard import checkerboard_score


def _scene(n: int = 4, size: int = 64) -> torch.Tensor:
    """Smooth random 'photos': low-frequency noise upsampled, in [-1, 1]."""
    torch.manual_seed(0)
    coarse = torch.rand(n, 3, size // 8, size // 8) * 2 - 1
    return torch.nn.functional.interpolate(coarse, size=size, mode="bicubic", align_corners=False).clamp(-1, 1)


def test_a_checkerboard_scores_far_above_the_picture_under_it():
    clean = _scene()
    pattern = torch.zeros(1, 1, 64, 64)
    pattern[..., ::2, ::2] = 0.05  # a faint period-2 grid, as a transposed conv's overlap makes
    assert checkerboard_score(clean + pattern) > 10 * max(checkerboard_score(clean), 0.1)


def test_white_noise_has_no_peaks_to_find():
    torch.manual_seed(1)
    noise = torch.randn(8, 3, 64, 64)
    assert checkerboard_score(noise) == pytest.approx(1.0, abs=0.35)  # a flat spectrum: peaks = neighbours


def test_non_square_pictures_are_cropped_and_tiny_ones_refused():
    assert checkerboard_score(_scene(size=64)[..., :, :60]) >= 0.0
    with pytest.raises(ValueError, match="at least 16 px"):
        checkerboard_score(torch.zeros(1, 3, 12, 12))
