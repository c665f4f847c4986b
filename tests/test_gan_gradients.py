"""Finite-difference checks of the two gradients a GAN step really uses (float64, small sizes).

- the discriminator's parameters under d_loss = BCE(D(real), 0.9) + BCE(D(fake), 0);
- the generator's parameters under g_loss = BCE(D(G(z)), 1), the gradient passing *through* a fixed D.

For two pairs of networks: the tutorial's (fully connected) and npgan's DCGAN (``npgan.models.dcgan``: its
layout and 28x28 images, two channels instead of 32; batch norm in training mode).
"""
import numpy as np
import pytest

from npgan.gan import GANConfig
from npgan.gradcheck import directional_derivative, numerical_gradient, relative_error
from npgan.losses import bce_with_logits
from npgan.models import build_pair, make_discriminator, make_generator
from npgan.norm import BatchNorm

IMAGE, HIDDEN, Z, N = 20, 8, 5, 6
F64 = {"dtype": np.float64}


def tutorial_nets(rng):
    G = make_generator(Z, HIDDEN, IMAGE, alpha=0.2, rng=rng, **F64)
    D = make_discriminator(IMAGE, HIDDEN, alpha=0.2, rng=rng, **F64)
    return G, D, (IMAGE,)


def small_dcgan(rng):
    """npgan's DCGAN at width 2. Its N(0, 0.02) weights are moved by N(0, 0.2): at their initial size G's
    gradients would be ~1e-5, where finite differences drown in rounding error."""
    G, D = build_pair(GANConfig.for_model("dcgan", z_size=Z, width=2), rng, np.float64)
    for net in (G, D):
        for _, param, _ in net.parameters():
            param += rng.normal(0, 0.2, param.shape)
    return G, D, (784,)


@pytest.fixture(params=[("", tutorial_nets), ("DCGAN ", small_dcgan)], ids=["tutorial", "dcgan"])
def nets(request):
    label, make = request.param
    rng = np.random.default_rng(0)
    G, D, image_shape = make(rng)
    for net in (G, D):  # parameters away from their initial values (zero biases, unit gammas)
        for name, param, _ in net.parameters():
            if name.endswith("b") or name.endswith("gamma") or name.endswith("beta"):
                param += rng.normal(0, 0.1, param.shape)
    real = rng.uniform(-1, 1, (N,) + image_shape)
    z = rng.uniform(-1, 1, (N, Z))
    return label, G, D, real, z


def assert_gradients_match(label, net, loss, record_max_error):
    """Each of ``net``'s gradients (as the backward passes left them) against finite differences of ``loss``.

    A bias right before a BatchNorm has gradient 0 (the normalisation subtracts the channel's mean, so
    shifting it changes nothing): both gradients must then be ~0, where a relative error means nothing.
    """
    for index, layer in enumerate(net.layers):
        before_norm = index + 1 < len(net.layers) and isinstance(net.layers[index + 1], BatchNorm)
        for name, param in layer.params.items():
            key, numeric = f"{index}/{name}", numerical_gradient(loss, param)
            if before_norm and name == "b":
                assert np.abs(net.grads[key]).max() < 1e-12 and np.abs(numeric).max() < 1e-8, key
                continue
            error = relative_error(net.grads[key], numeric)
            record_max_error(f"{label} {key}", error)
            assert error < 1e-6, key


def d_loss(D, real, fake, smooth=0.1):
    """Real and fake as two batches (each normalised by its own statistics where D has batch norm)."""
    loss_real, d_real = bce_with_logits(D.forward(real), 1 - smooth)
    loss_fake, d_fake = bce_with_logits(D.forward(fake), 0.0)
    return loss_real + loss_fake, d_real, d_fake


def test_discriminator_gradients(nets, record_max_error):
    label, G, D, real, z = nets
    fake = G.forward(z)
    # Two backward passes (real, then fake) accumulate into D's grads: the sum d_loss is made of.
    D.zero_grad()
    _, d_real, d_fake = d_loss(D, real, fake)
    D.forward(real)
    D.backward(d_real, input_grad=False)
    D.forward(fake)
    D.backward(d_fake, input_grad=False)
    assert_gradients_match(f"{label}discriminator", D, lambda: d_loss(D, real, fake)[0], record_max_error)


def test_discriminator_input_gradient(nets, record_max_error):
    label, G, D, real, _ = nets
    loss, d_logits = bce_with_logits(D.forward(real), 0.9)
    d_real = D.backward(d_logits, param_grads=False)
    error = relative_error(d_real, numerical_gradient(lambda: bce_with_logits(D.forward(real), 0.9)[0], real))
    record_max_error(f"{label}discriminator input", error)
    assert error < 1e-6


def generator_loss(G, D, z):
    return bce_with_logits(D.forward(G.forward(z)), 1.0)[0]


def test_generator_gradients_through_fixed_discriminator(nets, record_max_error):
    label, G, D, _, z = nets
    D.zero_grad()
    G.zero_grad()
    _, d_logits = bce_with_logits(D.forward(G.forward(z)), 1.0)
    G.backward(D.backward(d_logits, param_grads=False), input_grad=False)
    assert not D.flat_grads.any(), "the G step must not touch D's gradients"
    assert_gradients_match(f"{label}generator-through-D", G, lambda: generator_loss(G, D, z), record_max_error)


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
