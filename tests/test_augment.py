"""npgan.augment: random stroke width and warps of digits, and their backward pass by finite differences."""
import numpy as np
import pytest

from npgan.augment import CENTRE, THICKER, THINNER, augment, random_warp, winning_neighbours
from npgan.gradcheck import numerical_gradient, relative_error


@pytest.mark.parametrize("affine", [False, True])
def test_backward_by_finite_differences(affine, record_max_error):
    rng = np.random.default_rng(0)
    x, weights = rng.uniform(-1, 1, (6, 784)), rng.normal(size=(6, 784))

    def loss():
        return float(np.sum(augment(x, np.random.default_rng(5), affine)[0] * weights))

    _, backward = augment(x, np.random.default_rng(5), affine)
    indices = np.arange(0, x.size, 7)
    error = relative_error(backward(weights).reshape(-1)[indices], numerical_gradient(loss, x, indices=indices))
    record_max_error(f"augment affine={affine}", error)
    assert error < 1e-8


class NoWarp:
    """An rng whose three images get the stroke widths [unchanged, thicker, thinner] and no warp at all."""

    def integers(self, low, high, size):
        return np.array([0, THICKER, THINNER]) if np.size(size) == 1 and size == 3 else np.zeros(size, int)

    def uniform(self, low, high, size):
        return np.zeros(size)


def test_stroke_width_at_known_points():
    """One bright pixel: the max filter makes a 3 x 3 block of it, the min filter takes it half way to -1;
    the backward pass sends the block's gradient back to that pixel."""
    x = np.full((3, 784), -1.0)
    x[:, 14 * 28 + 14] = 1.0
    pick = winning_neighbours(x, np.array([0, THICKER, THINNER]))
    assert (pick[0] == CENTRE).all()
    assert pick[1, 13 * 28 + 13] == 8 and pick[1, 15 * 28 + 15] == 0  # the bright pixel, seen from two corners
    y, backward = augment(x, NoWarp())
    np.testing.assert_array_equal(y[0], x[0])                    # unchanged
    block = np.zeros((28, 28), bool)
    block[13:16, 13:16] = True
    np.testing.assert_array_equal(y[1] == 1.0, block.reshape(-1))  # the max filter: a 3 x 3 block
    assert y[2, 14 * 28 + 14] == 0.0 and np.sum(y[2] > -1) == 1   # half way to the min filter's -1
    dx = backward(np.where(y > -1, 1.0, 0.0))
    assert dx[1, 14 * 28 + 14] == 9                               # all nine copies came from that pixel


def test_warp_without_change_is_the_identity_and_shifts_move_the_image():
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(random_warp(rng, 2, shift=0, shear=0.0), np.tile(np.arange(784), (2, 1)))
    source = random_warp(np.random.default_rng(1), 200, shear=0.0)
    out_r, out_c = np.divmod(np.tile(np.arange(784), (200, 1)), 28)
    src_r, src_c = np.divmod(source, 28)
    inside = source >= 0
    moves = np.stack([src_r - out_r, src_c - out_c])[:, inside]
    assert np.abs(moves).max() == 2                              # at most 2 pixels each way, and some by 2
    assert not inside.all()                                      # pixels shifted in from outside: background


def test_rotation_and_scaling_stay_within_their_ranges():
    """Output pixel (14, 24), 10.5 to the right of the centre (and 0.5 down: 2.7 degrees), reads a source
    rotated by up to 15 degrees and nearer or farther by the scaling's 1/1.15..1/0.85, give or take the
    rounding to a pixel (up to 0.71 pixels: 4.5 degrees at that distance)."""
    source = random_warp(np.random.default_rng(2), 500, shift=0, shear=0.0, affine=True)
    r, c = np.divmod(source[:, 14 * 28 + 24].astype(float), 28)
    angle = np.degrees(np.arctan2(r - 13.5, c - 13.5))
    radius, out = np.hypot(r - 13.5, c - 13.5), np.hypot(0.5, 10.5)
    assert 12 < np.abs(angle).max() < 15 + 2.7 + 4.5
    assert out / 1.15 - 0.71 < radius.min() < out / 1.05 and out / 0.95 < radius.max() < out / 0.85 + 0.71


def test_augmented_images_stay_in_range_and_keep_the_dtype():
    x = np.random.default_rng(0).uniform(-1, 1, (50, 784)).astype(np.float32)
    y, backward = augment(x, np.random.default_rng(1), affine=True)
    assert y.dtype == np.float32 and y.shape == x.shape and y.min() >= -1 and y.max() <= 1
    assert not np.array_equal(y[0], y[1])                        # each image its own change
    assert backward(np.ones_like(y)).dtype == np.float32
