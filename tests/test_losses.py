"""The stable sigmoid and BCE-with-logits: exact values at extremes, no warnings, right gradient."""
import warnings

import numpy as np
import pytest

from npgan.gradcheck import numerical_gradient, relative_error
from npgan.losses import OBJECTIVES, bce_with_logits, objective, sigmoid, softmax, softmax_cross_entropy


def reference_bce(x, t):
    """The textbook definition from probabilities, valid where p is not rounded to 0 or 1."""
    p = 1 / (1 + np.exp(-x))
    return np.mean(-t * np.log(p) - (1 - t) * np.log(1 - p))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "x, t, loss, grad",
    [
        (1000.0, 1.0, 0.0, 0.0),
        (-1000.0, 1.0, 1000.0, -1.0),
        (1000.0, 0.0, 1000.0, 1.0),
        (-1000.0, 0.0, 0.0, 0.0),
        (1000.0, 0.9, 100.0, 0.1),
        (30.0, 0.0, 30.0 + np.log1p(np.exp(-30.0)), 1 / (1 + np.exp(-30.0))),
        (-30.0, 1.0, 30.0 + np.log1p(np.exp(-30.0)), 1 / (1 + np.exp(30.0)) - 1),
        (30.0, 1.0, np.log1p(np.exp(-30.0)), 1 / (1 + np.exp(-30.0)) - 1),
        (0.0, 0.9, np.log(2), -0.4),
    ],
)
def test_bce_exact_values_at_extremes_without_warnings(x, t, loss, grad, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got_loss, got_grad = bce_with_logits(np.full((1, 1), x, dtype=dtype), t)
    assert np.isfinite(got_loss) and np.all(np.isfinite(got_grad))
    assert got_loss == pytest.approx(loss, rel=1e-6, abs=1e-12)
    assert got_grad.dtype == dtype and got_grad.shape == (1, 1)
    assert got_grad[0, 0] == pytest.approx(grad, rel=1e-6, abs=1e-12)


def test_bce_matches_the_definition_and_averages_over_all_elements():
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((8, 3)) * 3, rng.uniform(0, 1, (8, 3))
    loss, dlogits = bce_with_logits(x, t)
    assert loss == pytest.approx(reference_bce(x, t), rel=1e-12)
    np.testing.assert_allclose(dlogits, (1 / (1 + np.exp(-x)) - t) / x.size, rtol=1e-12)


def test_bce_gradient_matches_finite_differences(record_max_error):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((10, 1)) * 4
    for targets in (0.9, 0.0, 1.0, rng.uniform(0, 1, (10, 1))):
        _, analytic = bce_with_logits(x, targets)
        error = relative_error(analytic, numerical_gradient(lambda: bce_with_logits(x, targets)[0], x))
        record_max_error("bce_with_logits", error)
        assert error < 1e-6


def test_sigmoid_is_stable_and_exact():
    x = np.array([-1000.0, -745.0, -30.0, -1.0, 0.0, 1.0, 30.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = sigmoid(x)
        y32 = sigmoid(x.astype(np.float32))
    np.testing.assert_allclose(y[2:-1], 1 / (1 + np.exp(-x[2:-1])), rtol=1e-15)
    assert y[0] == 0.0 and y[-1] == 1.0
    assert y32.dtype == np.float32 and np.all((y32 >= 0) & (y32 <= 1))


def test_bce_rejects_empty_input():
    with pytest.raises(ValueError):
        bce_with_logits(np.zeros((0, 1)), 1.0)


def test_softmax_cross_entropy_gradient_matches_finite_differences(record_max_error):
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, (6, 10)) + 500  # large logits: the row-max shift must keep exp finite
    labels = rng.integers(0, 10, 6)
    loss, grad = softmax_cross_entropy(logits, labels)
    numeric = numerical_gradient(lambda: softmax_cross_entropy(logits, labels)[0], logits)
    error = relative_error(grad, numeric)
    record_max_error("softmax_cross_entropy", error)
    assert np.isfinite(loss) and loss > 0 and grad.dtype == np.float64
    assert error < 1e-6
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-12)  # softmax and one-hot both sum to 1


def test_softmax_cross_entropy_values_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grad = softmax_cross_entropy(np.array([[1000.0, 0.0], [0.0, 0.0]], dtype=np.float32), [1, 0])
    assert loss == pytest.approx((1000 + np.log(2)) / 2)  # row 1: log(1 + e^-1000) + 1000; row 2: log 2
    assert grad.dtype == np.float32
    np.testing.assert_allclose(grad, [[0.5, -0.5], [-0.25, 0.25]])
    probs = softmax(np.array([[0.0, np.log(3.0)], [-1e4, 1e4]]))
    np.testing.assert_allclose(probs, [[0.25, 0.75], [0.0, 1.0]])


def test_softmax_cross_entropy_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="logits"):
        softmax_cross_entropy(np.zeros((3, 10)), np.zeros(4, dtype=int))


# --- GAN objectives ------------------------------------------------------------------------------------

def objective_terms():
    """Every term of every objective as ``(label, f(x) -> (loss, grad))``."""
    for name, obj in OBJECTIVES.items():
        yield f"{name} D real", lambda x, obj=obj: obj.d_real(x, 0.1)
        yield f"{name} D fake", obj.d_fake
        yield f"{name} G", obj.g


@pytest.mark.parametrize("label, term", list(objective_terms()), ids=lambda v: v if isinstance(v, str) else "")
def test_objective_gradients_match_finite_differences(label, term, record_max_error):
    x = np.linspace(-3, 3, 14).reshape(-1, 1)  # no score within 0.15 of the hinge's kinks at +-1
    loss, grad = term(x)
    error = relative_error(grad, numerical_gradient(lambda: term(x)[0], x))
    record_max_error(f"objective {label}", error)
    assert isinstance(loss, float) and grad.shape == x.shape and grad.dtype == np.float64
    assert error < 1e-6


def test_objective_values_at_known_points():
    real, fake = np.array([[2.0], [-0.5]]), np.array([[0.5], [-3.0]])
    log2 = np.log(2)
    zero = np.zeros((1, 1))
    assert OBJECTIVES["ns"].d_loss(zero, zero)[0] == pytest.approx(2 * log2)
    assert OBJECTIVES["ns"].g(zero)[0] == pytest.approx(log2)
    assert OBJECTIVES["minimax"].g(zero)[0] == pytest.approx(-log2)
    # least squares: 0.5 mean((real - 1)^2) + 0.5 mean(fake^2); G: 0.5 mean((fake - 1)^2)
    assert OBJECTIVES["lsgan"].d_loss(real, fake)[0] == pytest.approx(0.5 * (1 + 2.25) / 2 + 0.5 * (0.25 + 9) / 2)
    assert OBJECTIVES["lsgan"].g(fake)[0] == pytest.approx(0.5 * (0.25 + 16) / 2)
    # hinge: mean(relu(1 - real)) + mean(relu(1 + fake)) = (0 + 1.5) / 2 + (1.5 + 0) / 2; G: -mean(fake)
    assert OBJECTIVES["hinge"].d_loss(real, fake)[0] == pytest.approx(1.5)
    assert OBJECTIVES["hinge"].g(fake)[0] == pytest.approx(1.25)
    # Wasserstein: mean(fake) - mean(real) = -1.25 - 0.75; G: -mean(fake)
    assert OBJECTIVES["wgan"].d_loss(real, fake)[0] == pytest.approx(-2.0)
    assert OBJECTIVES["wgan"].g(fake)[0] == pytest.approx(1.25)


def test_minimax_generator_saturates_where_the_non_saturating_one_does_not():
    rejected = np.full((1, 1), -10.0)  # D is sure the fake is fake: D(G(z)) = sigmoid(-10) = 4.5e-5
    assert abs(OBJECTIVES["minimax"].g(rejected)[1][0, 0]) < 1e-4
    assert abs(OBJECTIVES["ns"].g(rejected)[1][0, 0]) > 0.99


def test_objective_gradients_keep_float32():
    x = np.linspace(-2, 2, 6, dtype=np.float32).reshape(-1, 1)
    for label, term in objective_terms():
        assert term(x)[1].dtype == np.float32, label


def test_unknown_objective_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown loss 'gan'.*ns, minimax, lsgan, hinge, wgan"):
        objective("gan")
