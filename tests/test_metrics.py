"""The evaluator's figures on hand-made data: Fréchet distance, class shares, confidence, nearest distances."""
import numpy as np
import pytest

from npgan.losses import softmax
from npgan.metrics import (class_shares, confident_share, copying_ratio, frechet_distance, gaussian_fit,
                           kl_from_uniform, nearest_distances, sqrtm_psd)


def random_covariance(rng, d, rank=None):
    a = rng.standard_normal((d, rank or d))
    return a @ a.T / d


def test_frechet_distance_is_zero_for_identical_feature_sets():
    features = np.random.default_rng(0).standard_normal((500, 32)) * 3 + 1
    stats = gaussian_fit(features)
    assert frechet_distance(*stats, *stats) == pytest.approx(0, abs=1e-9)


def test_frechet_distance_closed_form_for_diagonal_gaussians():
    # Diagonal covariances commute: (S1^1/2 S2 S1^1/2)^1/2 = diag(s1 s2)^1/2, so the trace term is
    # sum_i (sqrt(s1_i) - sqrt(s2_i))^2, the squared distance between the standard deviations.
    rng = np.random.default_rng(1)
    mean1, mean2 = rng.standard_normal(8), rng.standard_normal(8)
    var1, var2 = rng.uniform(0.1, 4, 8), rng.uniform(0.1, 4, 8)
    expected = np.sum((mean1 - mean2) ** 2) + np.sum((np.sqrt(var1) - np.sqrt(var2)) ** 2)
    assert frechet_distance(mean1, np.diag(var1), mean2, np.diag(var2)) == pytest.approx(expected, rel=1e-12)


def test_frechet_distance_is_symmetric_for_covariances_that_do_not_commute():
    rng = np.random.default_rng(2)
    a = (rng.standard_normal(16), random_covariance(rng, 16))
    b = (rng.standard_normal(16), random_covariance(rng, 16))
    assert frechet_distance(*a, *b) == pytest.approx(frechet_distance(*b, *a), rel=1e-9)
    assert frechet_distance(*a, *b) > 0


@pytest.mark.parametrize("rank", [1, 5])
def test_frechet_distance_is_finite_for_rank_deficient_covariances(rank):
    rng = np.random.default_rng(3)
    few = rng.standard_normal((rank + 1, 20))            # fewer samples than features: rank <= n - 1
    constant = np.tile(rng.standard_normal(20), (50, 1))  # zero covariance
    constant[:, :3] += rng.standard_normal((50, 3))
    stats = [gaussian_fit(few), gaussian_fit(constant), (np.zeros(20), random_covariance(rng, 20, rank))]
    for s1 in stats:
        for s2 in stats:
            assert np.isfinite(frechet_distance(*s1, *s2)) and frechet_distance(*s1, *s2) >= 0
        assert frechet_distance(*s1, *s1) == pytest.approx(0, abs=1e-6)


def test_sqrtm_psd_squares_back_even_when_singular():
    rng = np.random.default_rng(4)
    for cov in (random_covariance(rng, 12), random_covariance(rng, 12, rank=3), np.zeros((4, 4))):
        root = sqrtm_psd(cov)
        assert not np.isnan(root).any()
        np.testing.assert_allclose(root @ root, cov, atol=1e-10)
        np.testing.assert_allclose(root, root.T)


def test_gaussian_fit_needs_two_rows():
    with pytest.raises(ValueError, match="n >= 2"):
        gaussian_fit(np.zeros((1, 3)))


def test_class_shares_kl_and_confidence_on_hand_made_logits():
    logits = np.array([[10.0, 0, 0],    # class 0, p = 0.9999: confident
                       [0, 10, 0],      # class 1, confident
                       [0, 0, 0.1],     # class 2, p = 0.36
                       [5, 5, 0]])      # a tie: argmax takes the first, class 0, p = 0.50
    probabilities = softmax(logits)
    shares = class_shares(probabilities.argmax(axis=1), 3)
    np.testing.assert_allclose(shares, [0.5, 0.25, 0.25])
    assert kl_from_uniform(shares) == pytest.approx(0.5 * np.log(1.5) + 2 * 0.25 * np.log(0.75))
    assert confident_share(probabilities) == 0.5
    assert confident_share(probabilities, threshold=0.3) == 1.0


def test_kl_from_uniform_bounds_and_empty_classes():
    assert kl_from_uniform(np.full(10, 0.1)) == pytest.approx(0)
    assert kl_from_uniform(np.eye(10)[3]) == pytest.approx(np.log(10))  # all samples one class
    assert class_shares(np.array([2, 2]), 4).tolist() == [0, 0, 1, 0]


def test_nearest_distances_match_brute_force_across_chunks():
    rng = np.random.default_rng(5)
    references = rng.integers(0, 256, (37, 28, 28), dtype=np.uint8)
    queries = rng.uniform(-1, 1, (23, 784)).astype(np.float32)
    queries[:3] = references[[4, 20, 36]].reshape(3, -1) * (2 / 255) - 1  # exact copies: distance 0
    scaled = references.reshape(37, -1) * (2 / 255) - 1
    expected = np.sqrt(((queries[:, None, :] - scaled[None]) ** 2).sum(-1)).min(axis=1)
    got = nearest_distances(queries, references, query_chunk=5, reference_chunk=8)
    assert got.dtype == np.float32 and got.shape == (23,)
    # float32 cancellation in |q|^2 + |r|^2 - 2 q.r: random pixels have squared norms near 1,000 (digits, mostly
    # background, far less), so a squared distance carries an error of ~1e-3 and a distance near 0 up to ~0.04.
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=5e-2)
    assert got[:3].max() < 5e-2
    assert got[3:].min() > 10  # a copy stands out: random images are far apart


def test_copying_ratio_near_one_for_held_out_images_and_far_below_for_copies():
    # Images from one distribution: "training" ones, held-out ones, and copies of training ones (with a
    # little noise, as a memorising generator would make them).
    rng = np.random.default_rng(6)
    prototypes = rng.integers(0, 256, (10, 784))

    def draw(n):
        return np.clip(prototypes[rng.integers(0, 10, n)] + rng.normal(0, 40, (n, 784)), 0, 255).astype(np.uint8)

    train, held_out, test = draw(3000), draw(300), draw(300)
    as_samples = lambda u8: u8.astype(np.float32) * (2 / 255) - 1  # noqa: E731
    test_distances = nearest_distances(as_samples(test), train)
    copies = np.clip(as_samples(train[:300]) + rng.normal(0, 0.02, (300, 784)), -1, 1)
    assert copying_ratio(nearest_distances(as_samples(held_out), train), test_distances) == pytest.approx(1, abs=0.05)
    assert copying_ratio(nearest_distances(copies, train), test_distances) < 0.2
