"""benchmarks/sample_quality.py: its softmax cross-entropy gradient and its class counts (fast, no MNIST)."""
import importlib.util
from pathlib import Path

import numpy as np

from npgan.gradcheck import numerical_gradient, relative_error

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "sample_quality.py"
spec = importlib.util.spec_from_file_location("sample_quality", SCRIPT)
sample_quality = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sample_quality)


def test_softmax_cross_entropy_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, (6, 10)) + 500  # large logits: the row-max shift must keep exp finite
    labels = rng.integers(0, 10, 6)
    loss, grad = sample_quality.softmax_cross_entropy(logits, labels)
    numeric = numerical_gradient(lambda: sample_quality.softmax_cross_entropy(logits, labels)[0], logits)
    assert np.isfinite(loss) and loss > 0
    assert relative_error(grad, numeric) < 1e-6
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-12)  # softmax and one-hot both sum to 1


def test_class_stats_counts_sum_to_n():
    rng = np.random.default_rng(1)
    predicted, confidence = rng.integers(0, 10, 1234), rng.random(1234)
    stats = sample_quality.class_stats(predicted, confidence)
    assert stats["n"] == 1234 and sum(stats["counts"]) == 1234 and len(stats["counts"]) == 10
    assert stats["min_share"] == min(stats["counts"]) / 1234
    assert stats["confident_share"] == np.mean(confidence >= sample_quality.CONFIDENT)
    assert sample_quality.class_stats(np.full(100, 8), np.ones(100))["all_classes_ge_3pct"] is False
