"""The GAN beyond the tutorial's step: weight averaging, conditional networks, time budgets."""
import numpy as np
import pytest

from npgan.checkpoints import load_generator
from npgan.gan import GAN, GANConfig, one_hot, sample_z, with_labels
from npgan.gradcheck import numerical_gradient, relative_error
from npgan.layers import Dense, Sequential
from npgan.losses import bce_with_logits
from npgan.optim import EMA
from npgan.train import train


def test_ema_after_known_steps_equals_the_formula():
    model, average = (Sequential(Dense(3, 2, rng=0, dtype=np.float64)) for _ in range(2))
    p0 = model.flat_params.copy()
    ema = EMA(model, average, decay=0.9)
    np.testing.assert_array_equal(average.flat_params, p0)  # starts at the model's weights
    steps = [np.full_like(p0, value) for value in (1.0, -2.0, 4.0)]
    for p in steps:
        model.flat_params[...] = p
        ema.update()
    d = 0.9
    expected = d**3 * p0 + (1 - d) * (d**2 * steps[0] + d * steps[1] + steps[2])
    np.testing.assert_allclose(average.flat_params, expected, rtol=1e-12)


@pytest.mark.parametrize("decay", [0, 1, 1.5])
def test_ema_refuses_decays_outside_0_1(decay):
    net = Sequential(Dense(2, 2))
    with pytest.raises(ValueError, match="decay"):
        EMA(net, Sequential(Dense(2, 2)), decay)


def test_saved_generator_is_the_averaged_one(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (60, 28, 28), dtype=np.uint8)
    run = train(images, GANConfig(z_size=4, g_hidden=8, d_hidden=8, batch_size=20, epochs=2, ema=0.5),
                tmp_path, progress=False, log=lambda line: None)
    G, _ = load_generator(tmp_path / "generator.npz")
    np.testing.assert_array_equal(G.flat_params, run.gan.G_avg.flat_params)
    assert not np.array_equal(G.flat_params, run.gan.G.flat_params)


# --- conditional networks --------------------------------------------------------------------------------

def test_one_hot_and_with_labels():
    np.testing.assert_array_equal(one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    x = np.ones((2, 4), dtype=np.float32)
    joined = with_labels(x, np.array([1, 2]), 3)
    assert joined.dtype == np.float32 and joined.shape == (2, 7)
    np.testing.assert_array_equal(joined[:, 4:], [[0, 1, 0], [0, 0, 1]])
    assert with_labels(x, None, 0) is x
    for bad in ([0], [0, 3], [0.5, 1], None):
        with pytest.raises(ValueError):
            with_labels(x, bad if bad is None else np.array(bad), 3)
    with pytest.raises(ValueError, match="unconditional"):
        with_labels(x, np.array([0, 1]), 0)


@pytest.fixture
def conditional_gan():
    gan = GAN(GANConfig(z_size=5, g_hidden=8, d_hidden=8, alpha=0.2, conditional=True), dtype=np.float64)
    rng = np.random.default_rng(0)
    for net in (gan.G, gan.D):
        for name, param, _ in net.parameters():
            if name.endswith("b"):
                param[...] = rng.normal(0, 0.1, param.shape)
    real = rng.uniform(-1, 1, (6, 784))
    z = rng.uniform(-1, 1, (6, 5))
    labels = rng.integers(0, 10, 6)
    return gan, real, z, labels


def test_conditional_discriminator_image_gradient(conditional_gan, record_max_error):
    """D's gradient with respect to the image part of its input; the label columns are only inputs."""
    gan, real, _, labels = conditional_gan

    def loss():
        return bce_with_logits(gan.D.forward(with_labels(real, labels, 10)), 0.9)[0]

    _, d_logits = bce_with_logits(gan.D.forward(with_labels(real, labels, 10)), 0.9)
    d_input = gan.D.backward(d_logits, param_grads=False)
    assert d_input.shape == (6, 794)
    error = relative_error(d_input[:, :784], numerical_gradient(loss, real))
    record_max_error("conditional discriminator image", error)
    assert error < 1e-6


def test_conditional_steps_match_finite_differences(conditional_gan, record_max_error):
    """The gradients d_step and g_step apply: D's weights under d_loss, G's through D under g_loss."""
    gan, real, z, labels = conditional_gan
    fake = gan.G.forward(with_labels(z, labels, 10))

    def d_loss():
        batch = gan.d_batch(real, gan.G.forward(with_labels(z, labels, 10)), labels)
        return bce_with_logits(gan.D.forward(batch[:6]), 0.9)[0] + bce_with_logits(gan.D.forward(batch[6:]), 0.0)[0]

    def g_loss():
        fake_rows = with_labels(gan.G.forward(with_labels(z, labels, 10)), labels, 10)
        return bce_with_logits(gan.D.forward(fake_rows), 1.0)[0]

    numeric_d = {name: numerical_gradient(d_loss, p) for name, p, _ in gan.D.parameters()}
    numeric_g = {name: numerical_gradient(g_loss, p) for name, p, _ in gan.G.parameters()}
    gan.d_opt.step = gan.g_opt.step = lambda: None  # keep the weights: compare the gradients only
    gan.d_step(real, fake, labels)
    gan.G.forward(with_labels(z, labels, 10))
    gan.g_step(fake, labels)
    for label, net, numeric in (("D", gan.D, numeric_d), ("G", gan.G, numeric_g)):
        for name, _, grad in net.parameters():
            error = relative_error(grad, numeric[name])
            record_max_error(f"conditional {label} step {name}", error)
            assert error < 1e-6, (label, name)


@pytest.mark.parametrize("mismatch, kept", [(0.5, 3), (0.0, 6), (1 / 3, 4)])
def test_negatives_mix_fakes_and_real_images_with_wrong_labels(mismatch, kept):
    gan = GAN(GANConfig(z_size=4, g_hidden=8, d_hidden=8, conditional=True, mismatch=mismatch))
    rng = np.random.default_rng(0)
    real, fake = rng.uniform(-1, 1, (6, 784)), rng.uniform(-1, 1, (6, 784))
    labels = np.array([0, 9, 9, 3, 3, 5])
    batch = gan.d_batch(real, fake, labels)
    assert batch.shape == (12, 794)
    np.testing.assert_array_equal(batch[:6], with_labels(real, labels, 10))
    negatives = batch[6:]
    np.testing.assert_array_equal(negatives[:kept], with_labels(fake[:kept], labels[:kept], 10))
    np.testing.assert_array_equal(negatives[kept:, :784], real[kept:])
    assert np.all(negatives[kept:, 784:].argmax(axis=1) != labels[kept:])  # every pair is a wrong one


def test_conditional_generator_draws_what_it_is_asked_for():
    """Samples depend on the label: the same z with two labels gives two different images."""
    gan = GAN(GANConfig(z_size=4, g_hidden=8, d_hidden=8, conditional=True))
    z = np.repeat(sample_z(np.random.default_rng(0), 1, 4), 2, axis=0)
    a, b = gan.generate(z, np.array([3, 8]))
    assert not np.allclose(a, b)
    with pytest.raises(ValueError):
        gan.generate(z)


# --- time budget --------------------------------------------------------------------------------------------

class FakeClock:
    """Each call returns a time ``tick`` seconds after the previous one."""

    def __init__(self, tick):
        self.now, self.tick = 0.0, tick

    def __call__(self):
        self.now += self.tick
        return self.now


def test_minutes_stops_at_the_end_of_the_epoch_that_passes_the_budget(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (40, 28, 28), dtype=np.uint8)
    config = GANConfig(z_size=4, g_hidden=8, d_hidden=8, batch_size=20, epochs=10)
    quiet = dict(progress=False, log=lambda line: None)
    # Two clock reads per epoch, 15 s apart: each epoch "takes" 15 s, so 0.6 min = 36 s ends after epoch 3.
    run = train(images, config, tmp_path / "a", minutes=0.6, clock=FakeClock(15), **quiet)
    assert run.epoch == 3 and run.state["train_seconds"] == 45
    run = train(images, config, tmp_path / "b", minutes=0.5, clock=FakeClock(15), **quiet)
    assert run.epoch == 2  # 30 s reaches 0.5 min exactly: the budget is used
    assert train(images, config, tmp_path / "c", minutes=60, clock=FakeClock(15), **quiet).epoch == 10


def test_learning_rate_decays_per_epoch():
    gan = GAN(GANConfig(z_size=4, g_hidden=8, d_hidden=8, lr=0.01, lr_decay=0.5))
    gan.start_epoch(0)
    assert gan.g_opt.lr == gan.d_opt.lr == 0.01
    gan.start_epoch(3)
    assert gan.g_opt.lr == gan.d_opt.lr == 0.01 * 0.5**3
    steady = GAN(GANConfig(z_size=4, g_hidden=8, d_hidden=8))
    steady.start_epoch(7)
    assert steady.g_opt.lr == 0.002  # lr_decay 1: the tutorial's constant rate, exactly
