"""Steering z towards a digit (npgan.steer, npgan.sample --steer): the gradient through the classifier and G
by finite differences, the ascent itself, and the command line."""
import numpy as np
import pytest

from npgan.checkpoints import generator_arrays
from npgan.gradcheck import numerical_gradient, relative_error
from npgan.layers import Dense, LeakyReLU, Sequential
from npgan.models import make_generator
from npgan.sample import main as sample_main
from npgan.steer import arrival_steps, latent_gradient, log_probabilities, margin_gradient, margins, steer

Z = 4


def tiny_pair(dtype=np.float64):
    """A tiny G (z 4 -> 8 -> 784) and a tiny classifier (784 -> 16 -> 10), both random; the classifier's
    weights scaled up so that its beliefs differ from image to image (else every log p is near log 0.1)."""
    rng = np.random.default_rng(0)
    G = make_generator(Z, 8, rng=rng, dtype=dtype)
    classifier = Sequential(Dense(784, 16, rng=rng, dtype=dtype), LeakyReLU(0.2), Dense(16, 10, rng=rng, dtype=dtype))
    classifier.flat_params *= 3
    return G, classifier


def test_latent_gradient_matches_finite_differences(record_max_error):
    G, classifier = tiny_pair()
    latent = np.random.default_rng(1).uniform(-1, 1, (5, Z))
    grad = latent_gradient(G, classifier, log_probabilities(classifier, G.forward(latent)), 3)
    numeric = numerical_gradient(lambda: log_probabilities(classifier, G.forward(latent))[:, 3].sum(), latent)
    error = relative_error(grad, numeric)
    record_max_error("steering d log p / d z", error)
    assert error < 1e-7


def test_margin_gradient_matches_finite_differences(record_max_error):
    G, classifier = tiny_pair()
    latent = np.random.default_rng(1).uniform(-1, 1, (5, Z))
    margin, grad = margin_gradient(G, classifier, latent, 3)
    logits = classifier.forward(G.forward(latent))
    others = np.delete(logits, 3, axis=1)
    np.testing.assert_allclose(margin, logits[:, 3] - others.max(axis=1))
    numeric = numerical_gradient(lambda: margins(classifier.forward(G.forward(latent)), 3)[0].sum(), latent)
    error = relative_error(grad, numeric)
    record_max_error("steering d margin / d z", error)
    assert error < 1e-7


def margins_along(classifier, images, digit):
    """The margin of ``digit`` at every step of a path, (steps + 1, n)."""
    return np.array([margins(classifier.forward(step.astype(np.float64)), digit)[0] for step in images])


def test_a_first_small_step_at_z_itself_raises_every_rows_margin_by_lr_times_the_gradients_l1_norm():
    # Adam's first step is lr * sign(g) in every coordinate: to first order the margin rises by lr * |g|_1.
    # (Later steps need not rise row by row: G and the classifier are piecewise linear, Adam carries momentum.)
    G, classifier = tiny_pair()
    latent = np.random.default_rng(2).uniform(-1, 1, (8, Z))
    lr = 1e-5
    end = steer(G, classifier, latent, 3, steps=1, lr=lr, spread=0)[3]
    before, gradient = margin_gradient(G, classifier, latent, 3)
    rise = margin_gradient(G, classifier, end, 3)[0] - before
    expected = lr * np.abs(gradient).sum(axis=1)
    assert np.all(rise > 0)
    np.testing.assert_allclose(rise, expected, rtol=1e-3)


@pytest.mark.parametrize("spread", [0.0, 1.0])
def test_steering_raises_the_margin_and_keeps_z_in_its_box(spread):
    G, classifier = tiny_pair()
    latent = np.random.default_rng(2).uniform(-1, 1, (8, Z))
    kept = latent.copy()
    images, log_probs, predicted, end = steer(G, classifier, latent, 3, steps=20, spread=spread)
    np.testing.assert_array_equal(latent, kept)  # the caller's rows are left alone
    assert images.shape == (21, 8, 784) and log_probs.shape == predicted.shape == (21, 8)
    margin = margins_along(classifier, images, 3)
    assert margin[-1].mean() > margin[0].mean() + 0.3, "the mean margin did not rise"
    assert log_probs[-1].mean() > log_probs[0].mean(), "the mean log-probability fell"
    assert np.abs(end).max() <= 1 and not np.allclose(end, latent)  # moved, inside the training range
    np.testing.assert_allclose(images[-1], G.forward(end), atol=1e-6)
    np.testing.assert_allclose(log_probs[-1], log_probabilities(classifier, G.forward(end))[:, 3], rtol=1e-12)
    np.testing.assert_array_equal(predicted[-1], classifier.forward(G.forward(end)).argmax(axis=1))


def test_the_random_points_come_from_rng_alone():
    G, classifier = tiny_pair()
    latent = np.random.default_rng(2).uniform(-1, 1, (8, Z))
    first, again = (steer(G, classifier, latent, 3, steps=5, rng=7)[3] for _ in range(2))
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, steer(G, classifier, latent, 3, steps=5, rng=8)[3])
    plain = steer(G, classifier, latent, 3, steps=5, spread=0, rng=7)[3]  # no random points: rng unused
    np.testing.assert_array_equal(plain, steer(G, classifier, latent, 3, steps=5, spread=0, rng=8)[3])


def test_only_the_first_z_size_columns_move():
    G, classifier = tiny_pair()
    latent = np.random.default_rng(3).uniform(-1, 1, (4, Z))
    end = steer(G, classifier, latent, 5, steps=5, z_size=2)[3]
    np.testing.assert_array_equal(end[:, 2:], latent[:, 2:])  # InfoGAN's codes, say, stay as drawn
    assert not np.allclose(end[:, :2], latent[:, :2])


def test_arrival_steps():
    predicted = np.array([[1, 2, 3], [7, 2, 3], [7, 7, 3]])  # (steps + 1, n): rows are steps
    assert arrival_steps(predicted == 7).tolist() == [1, 2, -1]


@pytest.fixture
def plain_generator(tmp_path):
    G = make_generator(Z, 8, rng=0)
    path = tmp_path / "generator.npz"
    np.savez(path, **generator_arrays(G, Z))
    return path


def test_steer_command_writes_the_end_images(plain_generator, tmp_path, capsys, mnist_dir, cache_dir, test_judge):
    npy, png = tmp_path / "sevens.npy", tmp_path / "paths.png"
    code = sample_main(["--checkpoint", str(plain_generator), "--steer", "7", "--steps", "5", "--n", "3",
                        "--data-dir", str(mnist_dir), "--cache-dir", str(cache_dir), "--out", str(png),
                        "--npy", str(npy)])
    assert code == 0
    end = np.load(npy, allow_pickle=False)
    assert end.shape == (3, 784) and end.dtype == np.float32 and np.abs(end).max() <= 1
    assert png.stat().st_size > 0 and "steered 3 z for 5 steps" in capsys.readouterr().out


@pytest.mark.parametrize("flags, message", [
    (["--steer", "10"], "--steer: must be an integer from 0 to 9"),
    (["--steer", "3", "--interpolate"], "choose one of --interpolate, --sweep-code and --steer"),
    (["--steer", "3", "--n", "1001"], "--steer keeps every path"),
    (["--steps", "5"], "--steps goes with --interpolate, --sweep-code or --steer"),
])
def test_bad_steer_flags_are_one_line_and_exit_2(plain_generator, tmp_path, capsys, flags, message):
    assert sample_main(["--checkpoint", str(plain_generator), "--out", str(tmp_path / "x.png"), *flags]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and not (tmp_path / "x.png").exists()


def test_steer_says_a_mistyped_data_dir_before_any_work(plain_generator, tmp_path, capsys):
    args = ["--checkpoint", str(plain_generator), "--steer", "3", "--out", str(tmp_path / "x.png")]
    assert sample_main([*args, "--data-dir", str(tmp_path / "no" / "data")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such folder, and its parent" in err and not (tmp_path / "x.png").exists()
