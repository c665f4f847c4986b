"""Spectral norm: the power iteration, the backward pass by finite differences (u held fixed), the
penalty's second-order pass through it, and its vector saved in checkpoints."""
import numpy as np
import pytest

from npgan.checkpoints import checkpoint_arrays, restore_checkpoint
from npgan.conv import Conv2d
from npgan.gan import GAN, GANConfig
from npgan.gradcheck import check_layer, numerical_gradient, relative_error
from npgan.layers import Dense, Flatten, LeakyReLU, Reshape, Sequential
from npgan.penalties import input_gradient_penalty
from npgan.spectral import SpectralNorm, spectral_layers, spectral_norm

TOL = 1e-6


def test_power_iteration_converges_to_the_largest_singular_value():
    """A matrix with known singular values 5, 4, 1, 0.5 (random orthogonal factors), from a random u."""
    rng = np.random.default_rng(0)
    U, _ = np.linalg.qr(rng.standard_normal((6, 4)))
    V, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    layer = Dense(6, 4, rng=0, dtype=np.float64)
    layer.params["W"][...] = U @ np.diag([5.0, 4.0, 1.0, 0.5]) @ V.T
    norm = SpectralNorm(layer, rng=1)
    norm.buffers["u"][...] = rng.standard_normal(6)
    norm.buffers["u"] /= np.linalg.norm(norm.buffers["u"])
    errors = []
    for _ in range(30):
        norm.power_iteration()
        errors.append(5.0 - norm.sigma())
    errors = np.array(errors)
    assert (errors >= 0).all() and errors[-1] < 1e-10  # from below (||A^T u|| <= sigma_1), down to 1e-10
    # u's error angle shrinks by (4/5)^2 per iteration, sigma's error (its square) by (4/5)^4 = 0.41
    np.testing.assert_allclose(errors[9:16] / errors[8:15], 0.8 ** 4, rtol=0.05)
    np.testing.assert_allclose(abs(norm.buffers["u"] @ U[:, 0]), 1, atol=1e-9)  # the top singular vector


def test_one_step_ahead_the_estimate_follows_a_changing_weight():
    layer = Dense(20, 10, rng=0, dtype=np.float64)
    norm = SpectralNorm(layer, rng=1)
    for _ in range(5):
        layer.params["W"] *= 1.1  # what an optimizer's small steps do to sigma, exaggerated
        norm.power_iteration()
        np.testing.assert_allclose(norm.sigma(), np.linalg.norm(layer.params["W"], 2), rtol=1e-6)


@pytest.mark.parametrize("kind", ["dense", "conv"])
def test_backward_matches_finite_differences_with_u_fixed(kind, record_max_error):
    rng = np.random.default_rng(0)
    if kind == "dense":
        inner, x = Dense(5, 3, rng=rng, dtype=np.float64), rng.standard_normal((4, 5))
    else:
        inner, x = Conv2d(2, 3, 3, 2, 1, rng=rng, dtype=np.float64), rng.standard_normal((2, 2, 5, 5))
    inner.params["b"][...] = rng.standard_normal(inner.params["b"].shape)
    layer = SpectralNorm(inner, rng=1)
    layer.power_iteration()
    u = layer.buffers["u"].copy()
    errors = check_layer(layer, x, rng=2)  # forward passes never move u: every difference sees one function
    np.testing.assert_array_equal(layer.buffers["u"], u)
    record_max_error(f"spectral norm {kind}", max(errors.values()))
    assert max(errors.values()) < TOL, errors


def test_the_weight_gradient_changes_nothing_along_the_weight():
    """Scaling W leaves W / sigma(W) alone, so the gradient has no component along W: <dL/dW, W> = 0."""
    rng = np.random.default_rng(0)
    layer = SpectralNorm(Dense(6, 4, rng=rng, dtype=np.float64), rng=1)
    layer.forward(rng.standard_normal((3, 6)))
    layer.zero_grad()
    layer.backward(rng.standard_normal((3, 4)))
    assert abs(np.vdot(layer.grads["W"], layer.params["W"])) < 1e-12 * np.abs(layer.grads["W"]).sum()
    assert np.abs(layer.grads["W"]).max() > 1e-3


def test_normalized_weight_has_spectral_norm_one_and_params_stay_raw():
    layer = SpectralNorm(Dense(30, 20, rng=0), rng=1)
    for _ in range(20):
        layer.power_iteration()
    W = layer.params["W"].copy()
    layer.forward(np.ones((2, 30), dtype=np.float32))
    assert layer.layer.params["W"] is not layer.params["W"]
    np.testing.assert_allclose(layer.layer.params["W"], W / layer.sigma(), rtol=1e-6)
    assert 1 <= np.linalg.norm(layer.layer.params["W"], 2) < 1.001  # sigma's estimate is from below
    np.testing.assert_array_equal(layer.params["W"], W)


def test_gradient_penalty_through_spectral_norm_matches_finite_differences(record_max_error):
    """The penalty's second-order pass reaches the raw weights through W / sigma(W) too."""
    rng = np.random.default_rng(0)
    net = spectral_norm(Sequential(Reshape((1, 5, 5)), Conv2d(1, 2, 3, 2, 1, rng=rng, dtype=np.float64),
                                   LeakyReLU(0.2), Flatten(), Dense(18, 1, rng=rng, dtype=np.float64)), rng=1)
    x = rng.standard_normal((3, 25))
    net.zero_grad()
    input_gradient_penalty(net, x, 1.0)
    analytic = net.flat_grads.copy()
    error = relative_error(analytic, numerical_gradient(lambda: input_gradient_penalty(net, x, 1.0), net.flat_params))
    record_max_error("spectral norm + penalty", error)
    assert error < TOL and np.abs(analytic).max() > 1e-3


def test_every_weight_of_the_models_critics_is_wrapped_and_u_is_checkpointed():
    for model in ("mlp-bn", "dcgan"):
        gan = GAN(GANConfig.for_model(model, loss="hinge", width=4))
        assert gan.config.spectral_norm  # the hinge recipe's
        weights = [layer for layer in gan.D.layers if isinstance(layer, SpectralNorm)]
        assert weights == spectral_layers(gan.D) and len(weights) == 3  # mlp-bn: 3 Dense; dcgan: 2 Conv2d, 1 Dense
        assert not any("W" in layer.params for layer in gan.D.layers if not isinstance(layer, SpectralNorm))
    rng = np.random.default_rng(0)
    gan.train_step(rng.uniform(-1, 1, (8, 784)).astype(np.float32), rng.uniform(-1, 1, (8, 100)).astype(np.float32))
    arrays = checkpoint_arrays(gan, 1, rng, {})
    us = [key for key in arrays if key.startswith("D/") and key.endswith("/u")]
    assert len(us) == 3
    restored = restore_checkpoint(arrays, "test").gan
    for key in us:
        np.testing.assert_array_equal(restored.D.buffers[key[2:]], gan.D.buffers[key[2:]])
