"""The evaluator's figures on hand-made data: Fréchet distance, class shares, confidence, nearest distances,
precision and recall, the best matching of codes to classes."""
import itertools

import numpy as np
import pytest

from npgan.losses import softmax
from npgan.metrics import (best_matching, class_shares, confident_share, copying_ratio, frechet_distance, gaussian_fit,
                           kl_from_uniform, knn_radii, nearest_distances, precision_recall, sqrtm_psd)


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


# --- precision and recall -------------------------------------------------------------------------------

def clusters(rng, n, centres, spread=1.0):
    """``n`` points around ``centres`` (C, D), an equal share each (in turn), Gaussian with std ``spread``."""
    centres = np.asarray(centres, dtype=np.float32)
    return centres[np.arange(n) % len(centres)] + rng.normal(0, spread, (n, centres.shape[1])).astype(np.float32)


def test_knn_radii_match_brute_force_across_blocks():
    rng = np.random.default_rng(8)
    features = rng.standard_normal((57, 6)).astype(np.float32)
    d2 = ((features[:, None] - features[None]) ** 2).sum(-1)
    for k in (1, 3):
        expected = np.sort(d2, axis=1)[:, k]  # column 0 is each point itself
        np.testing.assert_allclose(knn_radii(features, k, block=10), expected, rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="k-th neighbour"):
        knn_radii(features[:3], k=3)


def test_identical_sets_have_full_precision_and_recall():
    features = clusters(np.random.default_rng(9), 500, np.eye(4) * 10)
    assert precision_recall(features, features.copy()) == (1.0, 1.0)


def test_disjoint_clusters_have_neither():
    rng = np.random.default_rng(10)
    real, fake = clusters(rng, 400, [[0, 0, 0]]), clusters(rng, 400, [[50, 0, 0]])
    assert precision_recall(real, fake) == (0.0, 0.0)


def test_a_single_cluster_of_several_is_precise_but_recalls_its_share():
    # Real data: five clusters; the samples: many points of one of them (a generator that makes only 1s).
    rng = np.random.default_rng(11)
    centres = np.eye(5, 8) * 20
    real = clusters(rng, 1000, centres)
    one = clusters(rng, 1000, centres[:1])
    precision, recall = precision_recall(real, one, block=128)
    # (five times as many samples in that cluster as real points reach further into its tails: 0.88)
    assert precision > 0.8 and recall == pytest.approx(0.2, abs=0.03)
    # Two samples from the same data score high on both (k = 3 balls miss some of the tails: 0.86 here).
    held_out = clusters(rng, 1000, centres)
    precision, recall = precision_recall(real, held_out)
    assert precision > 0.8 and recall > 0.8


def test_half_noise_halves_precision_and_keeps_recall():
    rng = np.random.default_rng(12)
    centres = np.eye(4, 8) * 20
    real, good = clusters(rng, 1000, centres), clusters(rng, 1000, centres)
    noisy = np.concatenate([good[:500], rng.uniform(-60, 60, (500, 8)).astype(np.float32)])
    base_precision, base_recall = precision_recall(real, good)
    precision, recall = precision_recall(real, noisy)
    assert precision == pytest.approx(base_precision / 2, abs=0.05)
    assert recall > base_recall - 0.15  # the half that is real-like still covers the clusters, a bit more thinly


def test_precision_recall_do_not_depend_on_the_block_size():
    rng = np.random.default_rng(13)
    real, fake = clusters(rng, 300, np.eye(3) * 4), clusters(rng, 250, np.eye(3) * 4, spread=1.5)
    assert precision_recall(real, fake, block=7) == precision_recall(real, fake, block=1000)


# --- best_matching ---------------------------------------------------------------------------------------

def brute_force_best(counts):
    """The largest matched total over every one-to-one matching (few rows and columns only)."""
    rows, columns = counts.shape
    if rows <= columns:
        return max(sum(counts[i, j] for i, j in enumerate(p)) for p in itertools.permutations(range(columns), rows))
    return max(sum(counts[i, j] for j, i in enumerate(p)) for p in itertools.permutations(range(rows), columns))


def test_best_matching_undoes_a_permutation_of_ten_codes():
    rng = np.random.default_rng(7)
    permutation = rng.permutation(10)
    counts = rng.integers(0, 20, (10, 10))              # confusions, all smaller than the true matches
    counts[np.arange(10), permutation] = 100 + rng.integers(0, 50, 10)
    assignment, share = best_matching(counts)
    np.testing.assert_array_equal(assignment, permutation)
    assert share == pytest.approx(counts[np.arange(10), permutation].sum() / counts.sum())


def test_best_matching_beats_the_greedy_choice():
    # Greedy takes the largest cell (code 0 -> class 0, 9) and is left with 1 + 0; the best is 8 + 8.
    counts = np.array([[9, 8], [8, 1]])
    assignment, share = best_matching(counts)
    assert assignment.tolist() == [1, 0] and share == pytest.approx(16 / 26)


def test_best_matching_with_ties_is_one_of_the_best_and_always_the_same():
    counts = np.array([[5, 5, 0], [5, 5, 0], [0, 0, 3]])  # codes 0 and 1 may take classes 0 and 1 either way
    assignment, share = best_matching(counts)
    assert sorted(assignment[:2].tolist()) == [0, 1] and assignment[2] == 2
    assert share == pytest.approx(13 / 23)
    assert best_matching(counts)[0].tolist() == assignment.tolist()
    uniform = np.ones((4, 4))                              # every matching is best
    assignment, share = best_matching(uniform)
    assert sorted(assignment.tolist()) == [0, 1, 2, 3] and share == pytest.approx(0.25)


@pytest.mark.parametrize("shape", [(5, 5), (3, 6), (6, 3), (1, 4), (4, 1)])
def test_best_matching_equals_exhaustive_search_on_random_tables(shape):
    rng = np.random.default_rng(sum(shape))
    for _ in range(20):
        counts = rng.integers(0, 4, shape)                # small counts: many ties
        counts[0, 0] += 1                                 # never all zeros
        assignment, share = best_matching(counts)
        assert share == pytest.approx(brute_force_best(counts) / counts.sum(), abs=1e-12)
        matched = assignment[assignment >= 0]
        assert len(matched) == min(shape) and len(set(matched.tolist())) == len(matched)  # one-to-one
        assert share == pytest.approx(sum(counts[i, j] for i, j in enumerate(assignment) if j >= 0) / counts.sum())


@pytest.mark.parametrize("bad", [np.zeros((3, 3)), -np.eye(3), np.zeros((0, 3)), np.ones(3), [[1, np.nan]]])
def test_best_matching_refuses_tables_without_counts(bad):
    with pytest.raises(ValueError):
        best_matching(bad)
