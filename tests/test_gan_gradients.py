"""Finite-difference checks of the two gradients a GAN step really uses (float64, small sizes).

- the discriminator's parameters under d_loss = BCE(D(real), 0.9) + BCE(D(fake), 0);
- the generator's parameters under g_loss = BCE(D(G(z)), 1), the gradient passing *through* a fixed D.
"""
import numpy as np
import pytest

from npgan.models import make_discriminator, make_generator
from npgan.gradcheck import directional_derivative, numerical_gradient, relative_error
from npgan.losses import bce_with_logits

IMAGE, HIDDEN, Z, N = 20, 8, 5, 6


def d_loss(D, real, fake, smooth=0.1):
    loss_real, d_real = bce_with_logits(D.forward(real), 1 - smooth)
    loss_fake, d_fake = bce_with_logits(D.forward(fake), 0.0)
    return loss_real + loss_fake, d_real, d_fake


@pytest.fixture
def nets():
    rng = np.random.default_rng(0)
    G = make_generator(Z, HIDDEN, IMAGE, alpha=0.2, rng=rng, dtype=np.float64)
    D = make_discriminator(IMAGE, HIDDEN, alpha=0.2, rng=rng, dtype=np.float64)
    for net in (G, D):  # non-zero biases, so their gradients are tested away from the initial point
        for name, param, _ in net.parameters():
            if name.endswith("b"):
                param[...] = rng.normal(0, 0.1, param.shape)
    real = rng.uniform(-1, 1, (N, IMAGE))
    z = rng.uniform(-1, 1, (N, Z))
    return G, D, real, z


def test_discriminator_gradients(nets, record_max_error):
    G, D, real, z = nets
    fake = G.forward(z)
    # Two backward passes (real, then fake) accumulate into D's grads: the sum d_loss is made of.
    D.zero_grad()
    _, d_real, d_fake = d_loss(D, real, fake)
    D.forward(real)
    D.backward(d_real, input_grad=False)
    D.forward(fake)
    D.backward(d_fake, input_grad=False)
    for name, param, grad in D.parameters():
        numeric = numerical_gradient(lambda: d_loss(D, real, fake)[0], param)
        error = relative_error(grad, numeric)
        record_max_error(f"discriminator {name}", error)
        assert error < 1e-6, name


def test_discriminator_input_gradient(nets, record_max_error):
    G, D, real, _ = nets
    loss, d_logits = bce_with_logits(D.forward(real), 0.9)
    d_real = D.backward(d_logits, param_grads=False)
    error = relative_error(d_real, numerical_gradient(lambda: bce_with_logits(D.forward(real), 0.9)[0], real))
    record_max_error("discriminator input", error)
    assert error < 1e-6


def generator_loss(G, D, z):
    return bce_with_logits(D.forward(G.forward(z)), 1.0)[0]


def test_generator_gradients_through_fixed_discriminator(nets, record_max_error):
    G, D, _, z = nets
    D.zero_grad()
    G.zero_grad()
    _, d_logits = bce_with_logits(D.forward(G.forward(z)), 1.0)
    G.backward(D.backward(d_logits, param_grads=False), input_grad=False)
    assert not D.flat_grads.any(), "the G step must not touch D's gradients"
    for name, param, grad in G.parameters():
        error = relative_error(grad, numerical_gradient(lambda: generator_loss(G, D, z), param))
        record_max_error(f"generator-through-D {name}", error)
        assert error < 1e-6, name


def test_directional_check_of_full_size_generator_step(record_max_error):
    """The tutorial's real sizes (z 100 -> 128 -> 784 -> 128 -> 1), checked along random directions."""
    rng = np.random.default_rng(1)
    G = make_generator(100, 128, 784, rng=rng, dtype=np.float64)
    D = make_discriminator(784, 128, rng=rng, dtype=np.float64)
    z = rng.uniform(-1, 1, (16, 100))
    G.zero_grad()
    _, d_logits = bce_with_logits(D.forward(G.forward(z)), 1.0)
    G.backward(D.backward(d_logits, param_grads=False), input_grad=False)
    for _ in range(3):
        direction = rng.standard_normal(G.flat_params.shape)
        numeric = directional_derivative(lambda: generator_loss(G, D, z), G.flat_params, direction)
        error = relative_error(G.flat_grads @ direction, numeric)
        record_max_error("generator full size (directional)", error)
        assert error < 1e-6
