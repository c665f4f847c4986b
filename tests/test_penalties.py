"""The input-gradient penalty (WGAN-GP, R1) and its hand-written second-order gradient, against finite
differences in float64: every critic parameter, the input, the value itself; the contract (adds into
grads, leaves params alone, refuses batch norm); the interpolates."""
import numpy as np
import pytest

from npgan.conv import Conv2d
from npgan.gan import GANConfig
from npgan.gradcheck import numerical_gradient, relative_error
from npgan.layers import Dense, Dropout, Flatten, LabelChannels, LeakyReLU, ReLU, Reshape, Sequential, Tanh
from npgan.models import build_pair
from npgan.norm import BatchNorm
import npgan.penalties
from npgan.penalties import (check_critic, first_layer_outputs, input_gradient_penalty, random_interpolates,
                             wgan_gp_penalty)

TOL = 1e-6
FEATURES, SHAPE = 6, (1, 6, 6)


def mlp_critic(classes, rng, last=ReLU):
    """Dense -> LeakyReLU -> Dropout -> Dense -> ReLU -> Dense: every dense-side layer with a second-order pass.
    ``last=LeakyReLU``: the ending the penalty shortcuts (``npgan.penalties._tail_double_backward``)."""
    return Sequential(Dense(FEATURES + classes, 5, rng=rng, dtype=np.float64), LeakyReLU(0.2), Dropout(0.3, rng=0),
                      Dense(5, 4, rng=rng, dtype=np.float64), last(), Dense(4, 1, rng=rng, dtype=np.float64))


def conv_critic(classes, rng, last=ReLU):
    """A small DCGAN-like critic on 6x6 images (with LabelChannels when conditional): 6x6 -> 3x3 -> 2x2 -> 1."""
    first = LabelChannels(SHAPE, classes) if classes else Reshape(SHAPE)
    return Sequential(first, Conv2d(1 + classes, 3, 3, 2, 1, rng=rng, dtype=np.float64), LeakyReLU(0.2),
                      Conv2d(3, 4, 2, 1, 0, rng=rng, dtype=np.float64), last(), Flatten(),
                      Dense(16, 1, rng=rng, dtype=np.float64))


def critic_and_input(kind, classes, seed=0, n=4):
    """A float64 critic with non-zero biases, and rows of images (+ one-hot labels when conditional)."""
    rng = np.random.default_rng(seed)
    base, _, ending = kind.partition("-")   # "-tail": the critic ends in LeakyReLU, as the models' critics do
    net = (mlp_critic if base == "mlp" else conv_critic)(classes, rng, LeakyReLU if ending else ReLU)
    for name, param, _ in net.parameters():
        if name.endswith("b"):
            param[...] = 0.3 * rng.standard_normal(param.shape)
    size = FEATURES if base == "mlp" else int(np.prod(SHAPE))
    x = np.zeros((n, size + classes))
    x[:, :size] = rng.standard_normal((n, size))
    if classes:
        x[np.arange(n), size + rng.integers(0, classes, n)] = 1
    return net, x


def penalty(net, x, center, classes, weight=1.0):
    """The penalty with every Dropout's masks replayed, so finite differences see one fixed function."""
    replay_dropout(net)
    return input_gradient_penalty(net, x, center, classes=classes, weight=weight)


def replay_dropout(net):
    """Every Dropout draws the same masks from here on (its generator reseeded)."""
    for layer in net.layers:
        if isinstance(layer, Dropout):
            layer.rng = np.random.default_rng(7)


CASES = [(kind, classes, center) for kind in ("mlp", "conv", "mlp-tail", "conv-tail") for classes in (0, 3)
         for center in (1.0, 0.0)]
IDS = [f"{kind}-{'conditional' if classes else 'plain'}-{'GP' if center else 'R1'}" for kind, classes, center in CASES]


@pytest.mark.parametrize("kind, classes, center", CASES, ids=IDS)
def test_parameter_gradients_match_finite_differences(kind, classes, center, record_max_error):
    net, x = critic_and_input(kind, classes)
    net.zero_grad()
    penalty(net, x, center, classes)
    analytic = net.flat_grads.copy()
    numeric = numerical_gradient(lambda: penalty(net, x, center, classes), net.flat_params)
    error = relative_error(analytic, numeric)
    record_max_error(f"penalty {kind} params", error)
    assert error < TOL, error
    for name, _, grad in net.parameters():  # the biases do not move the input gradient (module docstring)
        if name.endswith("b"):
            assert not grad.any()
    assert np.abs(analytic).max() > 1e-3      # and the weights do: the check compared something


@pytest.mark.parametrize("kind, classes, center", CASES, ids=IDS)
def test_input_gradient_is_zero_for_piecewise_linear_critics(kind, classes, center, record_max_error):
    """``g`` is constant inside each linear region of these critics, so the penalty does not change with ``x``."""
    net, x = critic_and_input(kind, classes, seed=1)
    numeric = numerical_gradient(lambda: penalty(net, x, center, classes), x)
    record_max_error(f"penalty {kind} input (absolute)", np.abs(numeric).max())
    assert np.abs(numeric).max() < 1e-8


@pytest.mark.parametrize("kind, classes, center", CASES, ids=IDS)
def test_value_from_a_finite_differenced_input_gradient(kind, classes, center):
    net, x = critic_and_input(kind, classes, seed=2)
    value = penalty(net, x, center, classes)

    # rows are independent, so d(sum of outputs)/dx holds each row's own gradient
    grad = numerical_gradient(lambda: forward_sum(net, x), x)
    image = grad[:, :grad.shape[1] - classes]
    expected = np.mean((np.linalg.norm(image, axis=1) - center) ** 2)
    assert value == pytest.approx(expected, rel=1e-8)
    assert value > 1e-3


def forward_sum(net, x):
    """The sum of the critic's outputs, with the Dropout masks of :func:`penalty`'s forward pass."""
    replay_dropout(net)
    return float(net.forward(x).sum())


@pytest.mark.parametrize("kind", ["mlp-tail", "conv-tail"])
def test_the_tail_shortcut_is_the_layer_by_layer_pass(kind, monkeypatch):
    """A critic ending in LeakyReLU, [Flatten], Dense(., 1) takes the shortcut (its forward pass stopping at
    the activation, its backward pass starting from ``slope * w``); it gives the value and gradients of the
    full passes and the layer-by-layer double backward pass, to rounding."""
    net, x = critic_and_input(kind, 0, seed=8)
    assert npgan.penalties._one_output_tail(net.layers) is not None
    net.zero_grad()
    value = penalty(net, x, 1.0, 0)
    shortcut = net.flat_grads.copy()
    monkeypatch.setattr(npgan.penalties, "_one_output_tail", lambda layers: None)
    net.zero_grad()
    assert penalty(net, x, 1.0, 0) == value
    np.testing.assert_allclose(shortcut, net.flat_grads, rtol=1e-12, atol=1e-14)

@pytest.mark.parametrize("kind", ["mlp", "conv", "mlp-tail", "conv-tail"])
def test_wgan_gp_from_the_first_layers_outputs_is_the_penalty_on_interpolates(kind):
    """WGAN-GP's penalty with the interpolates' first layer mixed from its outputs on the real and fake rows
    (by linearity; the conv critic's starts after a Reshape) is the penalty on the interpolates: same
    value and gradients to rounding, the same draw from the generator."""
    net, real = critic_and_input(kind, 0, seed=9, n=5)
    fake = np.random.default_rng(10).standard_normal(real.shape)
    results = []
    for mixed in (False, True):
        replay_dropout(net)
        net.forward(np.concatenate([real, fake]))      # the loss's pass, which leaves the first outputs
        first = first_layer_outputs(net)
        assert first is not None and len(first) == 2 * len(real)
        net.zero_grad()
        replay_dropout(net)
        rng = np.random.default_rng(11)
        if mixed:
            value = wgan_gp_penalty(net, real, fake, rng, weight=3.0, first_outputs=first)
        else:
            value = input_gradient_penalty(net, random_interpolates(real, fake, rng), 1.0, weight=3.0)
        results.append((value, net.flat_grads.copy(), rng.random()))
    (direct, direct_grads, direct_next), (mixed, mixed_grads, mixed_next) = results
    assert mixed == pytest.approx(direct, rel=1e-12) and mixed > 1e-3
    np.testing.assert_allclose(mixed_grads, direct_grads, rtol=1e-10, atol=1e-13)
    assert mixed_next == direct_next                     # the same draws from rng
    replay_dropout(net)                                  # and without the outputs, the same penalty
    net.zero_grad()
    assert wgan_gp_penalty(net, real, fake, np.random.default_rng(11), weight=3.0) == direct
    np.testing.assert_array_equal(net.flat_grads, direct_grads)


def test_the_first_layers_outputs_need_a_plain_affine_first_layer():
    """Only a Dense or Conv2d with nothing but reshapes before it is affine in the input: a conditional
    critic's LabelChannels, say, has no outputs to mix (and the penalty runs its own forward pass)."""
    net, x = critic_and_input("conv", 3, seed=12)
    net.forward(x)
    assert first_layer_outputs(net) is None
    net, x = critic_and_input("conv", 0, seed=12)
    net.forward(x)
    assert first_layer_outputs(net) is net.layers[1].y


def test_conditional_norm_covers_the_image_only():
    """The label columns' gradient is left out: moving it would change the value."""
    net, x = critic_and_input("mlp", 3, seed=3)
    with_label = penalty(net, x, 1.0, 0)
    image_only = penalty(net, x, 1.0, 3)
    assert with_label != pytest.approx(image_only, rel=1e-3)


@pytest.mark.parametrize("kind", ["mlp", "conv", "conv-tail"])
def test_grads_accumulate_scaled_by_weight_and_params_are_untouched(kind):
    net, x = critic_and_input(kind, 0, seed=4)
    net.zero_grad()
    penalty(net, x, 1.0, 0)
    once = net.flat_grads.copy()
    start = np.random.default_rng(5).standard_normal(net.flat_grads.shape)
    net.flat_grads[...] = start
    params = net.flat_params.copy()
    value = penalty(net, x, 1.0, 0, weight=10.0)
    np.testing.assert_allclose(net.flat_grads, start + 10 * once, rtol=1e-12, atol=1e-12)
    assert value == penalty(net, x, 1.0, 0)          # the value is the penalty itself, without the weight
    np.testing.assert_array_equal(net.flat_params, params)


@pytest.mark.parametrize("kind", ["conv", "conv-tail"])
def test_float32_agrees_with_float64(kind):
    """Training runs in float32: same value and gradient, to float32's precision, and float32 grads."""
    net64, x = critic_and_input(kind, 3, seed=6)
    for layer in net64.layers:
        if isinstance(layer, Dropout):
            layer.p = 0.0
    net32 = Sequential(*[type(layer)(**layer.config(), **({"dtype": np.float32} if layer.params else {}))
                         for layer in net64.layers])
    net32.flat_params[...] = net64.flat_params
    net64.zero_grad(), net32.zero_grad()
    value64 = input_gradient_penalty(net64, x, classes=3)
    value32 = input_gradient_penalty(net32, x.astype(np.float32), classes=3)
    assert net32.flat_grads.dtype == np.float32
    assert value32 == pytest.approx(value64, rel=1e-5)
    assert relative_error(net32.flat_grads, net64.flat_grads) < 1e-5


@pytest.mark.parametrize("layer, reason", [(BatchNorm(5, dtype=np.float64), "mixes the examples"),
                                           (Tanh(), "no second-order pass")])
def test_a_layer_without_second_order_pass_is_refused(layer, reason):
    net = Sequential(Dense(FEATURES, 5, rng=0, dtype=np.float64), layer, Dense(5, 1, rng=1, dtype=np.float64))
    net.flat_grads[...] = 1.0
    params = net.flat_params.copy()
    with pytest.raises(ValueError, match=rf"{type(layer).__name__}.*layer 1.*{reason}"):
        input_gradient_penalty(net, np.ones((3, FEATURES)))
    assert (net.flat_grads == 1).all()
    np.testing.assert_array_equal(net.flat_params, params)


def test_the_models_critics():
    """mlp-bn's D has a second-order pass in every layer; the DCGAN's D holds a batch norm."""
    for model, refused in (("tutorial", False), ("mlp-bn", False), ("dcgan", True)):
        _, D = build_pair(GANConfig.for_model(model, conditional=True), rng=0)
        if refused:
            with pytest.raises(ValueError, match="BatchNorm"):
                check_critic(D)
        else:
            check_critic(D)


def test_a_critic_must_give_one_number_per_row():
    net = Sequential(Dense(FEATURES, 2, rng=0, dtype=np.float64))
    with pytest.raises(ValueError, match=r"\(N, 1\)"):
        input_gradient_penalty(net, np.ones((3, FEATURES)))


def test_a_body_that_does_not_fit_the_head_is_refused():
    """With the usual ending the penalty's forward pass stops at the activation, before the head; an input
    whose features do not fit the head is still refused, as the head's forward pass would."""
    net = Sequential(Conv2d(1, 3, 3, 2, 1, rng=0, dtype=np.float64), LeakyReLU(0.2), Flatten(),
                     Dense(27, 1, rng=1, dtype=np.float64))
    assert npgan.penalties._one_output_tail(net.layers) is not None
    input_gradient_penalty(net, np.ones((2, 1, 6, 6)))          # 3 channels of 3 x 3: 27 features
    with pytest.raises(ValueError, match=r"Dense.*\(N, 27\), got \(2, 48\)"):
        input_gradient_penalty(net, np.ones((2, 1, 8, 8)))      # 3 channels of 4 x 4


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_random_interpolates_lie_between_real_and_fake(dtype):
    rng = np.random.default_rng(8)
    real, fake = rng.standard_normal((50, 1, 4, 4)).astype(dtype), rng.standard_normal((50, 1, 4, 4)).astype(dtype)
    x = random_interpolates(real, fake, np.random.default_rng(9))
    assert x.dtype == dtype and x.shape == real.shape
    t = ((x - fake) / (real - fake)).reshape(50, -1)      # one t per row, the same for all of its values
    np.testing.assert_allclose(t, t[:, :1].repeat(16, axis=1), rtol=1e-3 if dtype == np.float32 else 1e-9)
    assert (t >= -1e-6).all() and (t < 1 + 1e-6).all() and t.std() > 0.1
    np.testing.assert_array_equal(x, random_interpolates(real, fake, np.random.default_rng(9)))
    with pytest.raises(ValueError, match="same shape"):
        random_interpolates(real, fake[:3], rng)
