"""The models beyond the tutorial (mlp-bn, dcgan, and conditional variants): gradients of the whole networks
as the GAN trains them, which network each step moves, batch-norm buffers, and files that rebuild them."""
import numpy as np
import pytest

from npgan.checkpoints import generator_arrays, load_generator
from npgan.gan import GAN, GANConfig, sample_z, with_labels
from npgan.losses import bce_with_logits
from npgan.models import MODELS, build_pair

from _gradients import check

N = 6


def small(model, conditional=False):
    """A float64 config of ``model`` with the ns loss (its architecture as built for BCE; the other losses and
    constraints have tests of their own), small enough for element-wise finite differences where possible."""
    sizes = {"tutorial": dict(g_hidden=6, d_hidden=6), "mlp-bn": {}, "dcgan": dict(width=2)}[model]
    return GANConfig.for_model(model, z_size=5, conditional=conditional, loss="ns", **sizes)


def batch(config, rng):
    real = rng.uniform(-1, 1, (N, 784))
    z = rng.uniform(-1, 1, (N, config.z_size))
    labels = rng.integers(0, 10, N) if config.conditional else None
    return real, z, labels


def nudge(net, rng):
    """Move every parameter off its initial value (zero biases, unit gammas; DCGAN's weights are so small,
    N(0, 0.02), that G's gradients would be ~1e-5, where finite differences drown in rounding error)."""
    for _, param, _ in net.parameters():
        param += rng.normal(0, 0.2, param.shape)


def nudged_gan(model, conditional, seed, *nets):
    """``(config, gan, rng, (real, z, labels))``: a small float64 GAN of ``model`` whose ``nets`` ("G", "D")
    are nudged, and a batch, all from ``default_rng(seed)``."""
    config = small(model, conditional)
    gan = GAN(config, dtype=np.float64)
    rng = np.random.default_rng(seed)
    for name in nets:
        nudge(getattr(gan, name), rng)
    return config, gan, rng, batch(config, rng)


def case_label(model, conditional, step):
    return f"{model}{' conditional' if conditional else ''} {step}"


CASES = [("mlp-bn", False), ("dcgan", False), ("mlp-bn", True), ("dcgan", True)]
# The conditional input is the same two concatenations in every model: checked once through G, for dcgan.
G_CASES = [("mlp-bn", False), ("dcgan", False), ("dcgan", True)]


@pytest.mark.parametrize("model, conditional", CASES, ids=lambda v: str(v))
def test_discriminator_step_gradient_matches_finite_differences(model, conditional, record_max_error):
    """The gradient ``d_step`` applies to D: real and fake batches apart (batch norm in D) or together."""
    config, gan, rng, (real, z, labels) = nudged_gan(model, conditional, 0, "D")
    fake = gan.G.forward(with_labels(z, labels, config.classes))
    d_batch = gan.d_batch(real, fake, labels)

    def d_loss():
        if gan.separate_batches:
            return (bce_with_logits(gan.D.forward(d_batch[:N]), 1 - config.smooth)[0]
                    + bce_with_logits(gan.D.forward(d_batch[N:]), 0.0)[0])
        logits = gan.D.forward(d_batch)
        return bce_with_logits(logits[:N], 1 - config.smooth)[0] + bce_with_logits(logits[N:], 0.0)[0]

    gan.d_opt.step = lambda: None  # keep the weights: compare the gradient only
    gan.d_step(real, fake, labels)
    grads = {name: grad.copy() for name, _, grad in gan.D.parameters()}
    check(gan.D, grads, d_loss, case_label(model, conditional, "D step"), record_max_error,
          sample=8 if model == "mlp-bn" else None, rng=rng)


@pytest.mark.parametrize("model, conditional", G_CASES, ids=lambda v: str(v))
def test_generator_step_gradient_through_the_discriminator(model, conditional, record_max_error):
    """The gradient ``g_step`` applies to G, flowing through D (in training mode, as in the step)."""
    config, gan, rng, (_, z, labels) = nudged_gan(model, conditional, 1, "G", "D")
    g_in = with_labels(z, labels, config.classes)

    def g_loss():
        return bce_with_logits(gan.D.forward(with_labels(gan.G.forward(g_in), labels, config.classes)), 1.0)[0]

    gan.g_opt.step = lambda: None
    gan.D.zero_grad()
    gan.g_step(gan.G.forward(g_in), labels)
    assert not gan.D.flat_grads.any(), "the G step must not touch D's gradients"
    grads = {name: grad.copy() for name, _, grad in gan.G.parameters()}
    check(gan.G, grads, g_loss, case_label(model, conditional, "G through D"), record_max_error,
          sample=8 if model == "mlp-bn" else None, rng=rng)


@pytest.mark.parametrize("model", MODELS)
def test_each_step_moves_only_its_network_and_buffers_move_only_in_training(model):
    config = small(model)
    gan = GAN(config)
    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, (8, 784)).astype(np.float32)
    z = sample_z(rng, 8, config.z_size)
    fake = gan.G.forward(z)
    g_state = (gan.G.flat_params.copy(), {k: v.copy() for k, v in gan.G.buffers.items()})
    d_before = gan.D.flat_params.copy()
    gan.d_step(real, fake)
    assert np.array_equal(gan.G.flat_params, g_state[0]) and not np.array_equal(gan.D.flat_params, d_before)
    assert all(np.array_equal(gan.G.buffers[k], v) for k, v in g_state[1].items())  # the D step runs no G
    d_after = gan.D.flat_params.copy()
    gan.g_step(fake)
    assert np.array_equal(gan.D.flat_params, d_after) and not np.array_equal(gan.G.flat_params, g_state[0])
    # Evaluation mode (sampling) reads the running statistics and changes none of them.
    buffers = {k: v.copy() for k, v in {**gan.G.buffers, **gan.D.buffers}.items()}
    gan.generate(z)
    gan.D.eval()
    gan.D.forward(real)
    assert all(np.array_equal({**gan.G.buffers, **gan.D.buffers}[k], v) for k, v in buffers.items())
    if model != "tutorial":  # ... while a training-mode forward pass updates them
        gan.D.train()
        gan.D.forward(real)
        gan.G.forward(z)
        moved = [k for k, v in {**gan.G.buffers, **gan.D.buffers}.items() if not np.array_equal(v, buffers[k])]
        assert any("running_mean" in k for k in moved)


def test_batch_norm_models_see_real_and_fake_apart():
    assert not GAN(small("tutorial")).separate_batches
    assert not GAN(small("mlp-bn")).separate_batches  # PyTorch-GAN's MLP D has no batch norm
    assert GAN(small("dcgan")).separate_batches


@pytest.mark.parametrize("model, conditional", CASES, ids=lambda v: str(v))
def test_saved_generator_rebuilds_from_its_file_alone(model, conditional, tmp_path):
    config = small(model, conditional)
    gan = GAN(config)
    rng = np.random.default_rng(0)
    for _ in range(2):  # a couple of steps, so the running statistics are not their initial values
        real, z, labels = batch(config, rng)
        gan.train_step(real.astype(np.float32), z.astype(np.float32), labels)
    np.savez(tmp_path / "g.npz", **generator_arrays(gan.sampler, config.z_size, config.classes, model=model))
    G, meta = load_generator(tmp_path / "g.npz")
    assert meta["model"] == model and meta["classes"] == config.classes
    _, z, labels = batch(config, rng)
    z = z.astype(np.float32)
    np.testing.assert_array_equal(G.forward(with_labels(z, labels, config.classes)), gan.generate(z, labels))


def test_weight_average_gets_batch_statistics_of_its_own():
    """``refresh_average`` re-estimates the averaged generator's running statistics from its own outputs:
    the result no longer equals the live generator's, and is the same every time (deterministic)."""
    config = GANConfig.for_model("dcgan", z_size=5, width=2, ema=0.5, batch_size=8)
    gan = GAN(config)
    rng = np.random.default_rng(0)
    for _ in range(3):
        gan.train_step(rng.uniform(-1, 1, (8, 784)).astype(np.float32), sample_z(rng, 8, config.z_size))
    gan.refresh_average()
    first = {k: v.copy() for k, v in gan.G_avg.buffers.items()}
    assert not np.allclose(first["1/running_mean"], gan.G.buffers["1/running_mean"])
    assert int(first["1/num_batches_tracked"]) == 20
    gan.refresh_average()
    assert all(np.array_equal(gan.G_avg.buffers[k], v) for k, v in first.items())
    assert gan.G_avg.layers[1].momentum == 0.1 and not gan.G_avg.training


def test_build_pair_refuses_an_unknown_model():
    with pytest.raises(ValueError, match="unknown model"):
        build_pair(GANConfig(model="resnet"))
