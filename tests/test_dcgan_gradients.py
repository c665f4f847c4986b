"""A small DCGAN (its layout and image size, two channels instead of 64) through the finite-difference
checks the tutorial's networks pass in test_gan_gradients.py: the discriminator's parameters and input,
and the generator's parameters trained through a fixed discriminator. Float64, batch norm in training mode.

    G: z -> Dense(2w*7*7) -> BatchNorm -> ReLU -> Reshape(2w, 7, 7) -> ConvTranspose2d(2w, w, 4, 2, 1)
         -> BatchNorm -> ReLU -> ConvTranspose2d(w, 1, 4, 2, 1) -> Tanh                  (N, 1, 28, 28)
    D: Conv2d(1, w, 4, 2, 1) -> LeakyReLU(0.2) -> Conv2d(w, 2w, 4, 2, 1) -> BatchNorm -> LeakyReLU(0.2)
         -> Flatten -> Dense(2w*7*7, 1)                                                    (N, 1) logits
"""
import numpy as np
import pytest

from npgan.conv import Conv2d, ConvTranspose2d
from npgan.gradcheck import numerical_gradient, relative_error
from npgan.layers import Dense, Flatten, LeakyReLU, ReLU, Reshape, Sequential, Tanh
from npgan.losses import bce_with_logits
from npgan.norm import BatchNorm

W, Z, N = 2, 3, 3
F64 = {"dtype": np.float64}


def small_dcgan(rng):
    G = Sequential(Dense(Z, 2 * W * 7 * 7, rng=rng, **F64), BatchNorm(2 * W * 7 * 7, **F64), ReLU(),
                   Reshape((2 * W, 7, 7)), ConvTranspose2d(2 * W, W, 4, 2, 1, rng=rng, **F64),
                   BatchNorm(W, **F64), ReLU(), ConvTranspose2d(W, 1, 4, 2, 1, rng=rng, **F64), Tanh())
    D = Sequential(Conv2d(1, W, 4, 2, 1, rng=rng, **F64), LeakyReLU(0.2),
                   Conv2d(W, 2 * W, 4, 2, 1, rng=rng, **F64), BatchNorm(2 * W, **F64), LeakyReLU(0.2),
                   Flatten(), Dense(2 * W * 7 * 7, 1, rng=rng, **F64))
    for net in (G, D):  # every parameter away from its initial value (biases 0, gamma 1, beta 0)
        for _, param, _ in net.parameters():
            param += rng.normal(0, 0.1, param.shape)
    return G, D


@pytest.fixture
def nets():
    rng = np.random.default_rng(0)
    G, D = small_dcgan(rng)
    real = rng.uniform(-1, 1, (N, 1, 28, 28))
    z = rng.uniform(-1, 1, (N, Z))
    return G, D, real, z


def check(label, net, grad_of, loss, record_max_error):
    """Every parameter's analytic gradient against finite differences of ``loss``.

    A bias right before a BatchNorm has gradient 0 (the normalisation subtracts the channel's mean, so
    shifting it changes nothing): both gradients must then be ~0, where a relative error means nothing.
    """
    for index, layer in enumerate(net.layers):
        followed_by_norm = index + 1 < len(net.layers) and isinstance(net.layers[index + 1], BatchNorm)
        for name, param in layer.params.items():
            key = f"{index}/{name}"
            numeric = numerical_gradient(loss, param)
            if followed_by_norm and name == "b":
                assert np.abs(grad_of[key]).max() < 1e-12 and np.abs(numeric).max() < 1e-8, key
                continue
            error = relative_error(grad_of[key], numeric)
            record_max_error(f"{label} {key}", error)
            assert error < 1e-6, key


def d_loss(D, real, fake):
    """Real and fake as separate batches, each normalised by its own statistics (as DCGAN trains)."""
    return bce_with_logits(D.forward(real), 0.9)[0] + bce_with_logits(D.forward(fake), 0.0)[0]


def test_output_shapes(nets):
    G, D, real, z = nets
    fake = G.forward(z)
    assert fake.shape == real.shape and D.forward(fake).shape == (N, 1)


def test_discriminator_gradients(nets, record_max_error):
    G, D, real, z = nets
    fake = G.forward(z)
    D.zero_grad()
    for images, target in ((real, 0.9), (fake, 0.0)):
        _, d_logits = bce_with_logits(D.forward(images), target)
        D.backward(d_logits, input_grad=False)
    check("DCGAN discriminator", D, D.grads, lambda: d_loss(D, real, fake), record_max_error)


def test_discriminator_input_gradient(nets, record_max_error):
    _, D, real, _ = nets
    _, d_logits = bce_with_logits(D.forward(real), 0.9)
    d_real = D.backward(d_logits, param_grads=False)
    numeric = numerical_gradient(lambda: bce_with_logits(D.forward(real), 0.9)[0], real)
    error = relative_error(d_real, numeric)
    record_max_error("DCGAN discriminator input", error)
    assert error < 1e-6


def test_generator_gradients_through_fixed_discriminator(nets, record_max_error):
    G, D, _, z = nets
    D.zero_grad()
    G.zero_grad()
    _, d_logits = bce_with_logits(D.forward(G.forward(z)), 1.0)
    G.backward(D.backward(d_logits, param_grads=False), input_grad=False)
    assert not D.flat_grads.any(), "the G step must not touch D's gradients"

    def g_loss():
        return bce_with_logits(D.forward(G.forward(z)), 1.0)[0]

    check("DCGAN generator-through-D", G, G.grads, g_loss, record_max_error)
