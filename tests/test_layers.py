"""Every layer's backward pass against finite differences (float64), and the layer contract."""
import json

import numpy as np
import pytest

import npgan.layers
from npgan.conv import Conv2d
from npgan.gradcheck import check_layer, numerical_gradient, relative_error
from npgan.layers import Dense, Dropout, Flatten, LeakyReLU, ReLU, Reshape, Sequential, Sigmoid, Tanh
from npgan.norm import BatchNorm

TOL = 1e-6


def away_from_kink(rng, shape):
    """Inputs at least 0.1 from 0, where LeakyReLU is not differentiable."""
    x = rng.standard_normal(shape)
    return np.sign(x) * (0.1 + np.abs(x))


@pytest.mark.parametrize(
    "make_layer",
    [
        lambda: Dense(6, 4, rng=0, dtype=np.float64),
        lambda: LeakyReLU(0.01),
        lambda: LeakyReLU(0.2),
        lambda: Tanh(),
        lambda: Sigmoid(),
    ],
    ids=["Dense", "LeakyReLU(0.01)", "LeakyReLU(0.2)", "Tanh", "Sigmoid"],
)
def test_layer_gradients_match_finite_differences(make_layer, record_max_error):
    layer = make_layer()
    rng = np.random.default_rng(1)
    x = away_from_kink(rng, (5, 6))
    if isinstance(layer, Dense):  # give b a non-zero value so its gradient is tested off the zero point
        layer.params["b"][...] = rng.standard_normal(4)
    errors = check_layer(layer, x, rng=2)
    record_max_error(type(layer).__name__, max(errors.values()))
    assert set(errors) == {"x"} | set(layer.params)
    assert max(errors.values()) < TOL, errors


def test_sequential_gradients_match_finite_differences(record_max_error):
    rng = np.random.default_rng(3)
    net = Sequential(Dense(7, 5, rng=rng, dtype=np.float64), LeakyReLU(0.1),
                     Dense(5, 3, rng=rng, dtype=np.float64), Tanh())
    errors = check_layer(net, rng.standard_normal((4, 7)), rng=4)
    record_max_error("Sequential", max(errors.values()))
    assert set(errors) == {"x", "0/W", "0/b", "2/W", "2/b"}
    assert max(errors.values()) < TOL, errors


def test_dense_shapes_dtype_and_glorot_init():
    layer = Dense(784, 128, rng=0)
    W, b = layer.params["W"], layer.params["b"]
    assert W.shape == (784, 128) and b.shape == (128,)
    assert W.dtype == b.dtype == np.float32
    assert not b.any()
    limit = np.sqrt(6 / (784 + 128))
    assert np.abs(W).max() <= limit and np.abs(W).max() > 0.95 * limit
    assert abs(W.std() - limit / np.sqrt(3)) < 0.01 * limit  # std of U(-r, r) is r / sqrt(3)
    y = layer.forward(np.ones((3, 784), dtype=np.float32))
    assert y.shape == (3, 128) and y.dtype == np.float32
    assert Dense(3, 2, dtype=np.float64).params["W"].dtype == np.float64


def test_dense_init_is_reproducible_from_rng():
    assert np.array_equal(Dense(5, 3, rng=7).params["W"], Dense(5, 3, rng=7).params["W"])
    assert not np.array_equal(Dense(5, 3, rng=7).params["W"], Dense(5, 3, rng=8).params["W"])


def test_backward_accumulates_and_zero_grad_clears():
    rng = np.random.default_rng(0)
    layer = Dense(4, 3, rng=rng, dtype=np.float64)
    x, dy = rng.standard_normal((2, 4)), rng.standard_normal((2, 3))
    layer.forward(x)
    layer.backward(dy)
    once = {name: grad.copy() for name, grad in layer.grads.items()}
    layer.backward(dy)
    for name, grad in layer.grads.items():
        np.testing.assert_allclose(grad, 2 * once[name])
    layer.zero_grad()
    assert all(not grad.any() for grad in layer.grads.values())


def test_backward_never_changes_params():
    net = Sequential(Dense(4, 3, rng=0), LeakyReLU(), Dense(3, 2, rng=1))
    before = net.flat_params.copy()
    net.forward(np.ones((2, 4), dtype=np.float32))
    net.backward(np.ones((2, 2), dtype=np.float32))
    assert np.array_equal(net.flat_params, before)
    assert net.flat_grads.any()


def test_skipping_work_skips_only_that_work():
    rng = np.random.default_rng(0)
    net = Sequential(Dense(4, 3, rng=rng, dtype=np.float64), LeakyReLU(), Dense(3, 2, rng=rng, dtype=np.float64))
    x, dy = rng.standard_normal((5, 4)), rng.standard_normal((5, 2))
    net.forward(x)
    full_dx = net.backward(dy)
    full_grads = net.flat_grads.copy()
    net.zero_grad()
    assert net.backward(dy, input_grad=False) is None
    np.testing.assert_array_equal(net.flat_grads, full_grads)
    net.zero_grad()
    np.testing.assert_array_equal(net.backward(dy, param_grads=False), full_dx)
    assert not net.flat_grads.any()


def test_dense_input_gradient_of_large_weights_is_the_same_product(monkeypatch):
    """Large weights take dx as (W @ dy.T).T (npgan.layers.TRANSPOSED_DX_SIZE): the same numbers, and right."""
    rng = np.random.default_rng(0)
    layer = Dense(7, 5, rng=rng, dtype=np.float64)
    x, dy = rng.standard_normal((4, 7)), rng.standard_normal((4, 5))
    layer.forward(x)
    plain = layer.backward(dy)
    monkeypatch.setattr(npgan.layers, "TRANSPOSED_DX_SIZE", 0)
    np.testing.assert_array_equal(layer.backward(dy), plain)
    assert check_layer(layer, x, rng=1)["x"] < 1e-7


def test_no_input_gradient_below_the_first_layer_with_parameters():
    """With input_grad=False, layers before the first one with parameters (a Reshape) are asked for none."""
    asked = []

    class Recorder(Reshape):
        def backward(self, dy, *, input_grad=True, param_grads=True):
            asked.append(input_grad)
            return super().backward(dy, input_grad=input_grad, param_grads=param_grads)

    rng = np.random.default_rng(0)
    net = Sequential(Recorder((2, 2)), Flatten(), Dense(4, 3, rng=rng, dtype=np.float64), Recorder((3,)))
    x, dy = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    net.forward(x)
    assert net.backward(dy, input_grad=False) is None
    assert asked == [True, False]  # the Recorder after the Dense passes dy on; the one before gets nothing to do
    full_grads = net.flat_grads.copy()
    net.zero_grad()
    assert net.backward(dy).shape == x.shape
    np.testing.assert_array_equal(net.flat_grads, full_grads)


def test_sequential_params_are_views_of_one_flat_buffer():
    net = Sequential(Dense(4, 3, rng=0), LeakyReLU(), Dense(3, 2, rng=1))
    assert list(net.params) == ["0/W", "0/b", "2/W", "2/b"]
    assert [name for name, _, _ in net.parameters()] == ["0/W", "0/b", "2/W", "2/b"]
    assert net.flat_params.size == 4 * 3 + 3 + 3 * 2 + 2
    net.flat_params[:] = 1.5
    assert (net.layers[0].params["W"] == 1.5).all() and (net.params["2/b"] == 1.5).all()
    net.layers[2].grads["b"] += 2
    assert net.flat_grads[-2:].tolist() == [2, 2]
    net.zero_grad()
    assert not net.layers[2].grads["b"].any()


def test_sequential_keeps_initial_values_and_rejects_mixed_dtypes_and_nesting():
    dense = Dense(3, 2, rng=0)
    W = dense.params["W"].copy()
    net = Sequential(dense)
    assert np.array_equal(net.params["0/W"], W)
    with pytest.raises(TypeError, match="dtype"):
        Sequential(Dense(2, 2), Dense(2, 2, dtype=np.float64))
    with pytest.raises(TypeError, match="Sequential"):
        Sequential(net)


def test_layers_without_parameters_have_empty_dicts():
    for layer in (LeakyReLU(), Tanh(), Sigmoid()):
        assert layer.params == {} and layer.grads == {}
        layer.zero_grad()


def test_activation_values():
    x = np.array([[-1000.0, -2.0, 0.0, 3.0, 1000.0]], dtype=np.float32)
    np.testing.assert_allclose(LeakyReLU(0.1).forward(x), [[-100.0, -0.2, 0.0, 3.0, 1000.0]], rtol=1e-6)
    np.testing.assert_allclose(Tanh().forward(x), np.tanh(x.astype(np.float64)), rtol=1e-6)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is harmless
        y = Sigmoid().forward(x)
    np.testing.assert_allclose(y, [[0.0, 1 / (1 + np.exp(2)), 0.5, 1 / (1 + np.exp(-3)), 1.0]], rtol=1e-6)
    assert LeakyReLU().forward(x).dtype == Tanh().forward(x).dtype == y.dtype == np.float32
    with pytest.raises(ValueError, match="alpha"):
        LeakyReLU(1.5)



def test_leaky_relu_slope_is_exactly_one_or_alpha():
    """The slope is computed as alpha + (1 - alpha) [x > 0]: it must round to 1 and alpha exactly, as the
    maximum it replaces gave, for any alpha and both dtypes."""
    alphas = [0.0, 0.01, 0.2, 1 / 3, 0.5, np.nextafter(0.5, 0), np.nextafter(1, 0)]
    alphas += list(np.random.default_rng(0).random(2000))
    for dtype in (np.float32, np.float64):
        x = np.array([-2.0, 0.0, 1e-30, 3.0], dtype=dtype)
        for alpha in alphas:
            layer = LeakyReLU(alpha)
            layer.forward(x)
            assert layer.slope.dtype == dtype
            assert list(layer.slope) == [dtype(alpha), dtype(alpha), 1, 1], (dtype, alpha)

class ForgetfulLeakyReLU(LeakyReLU):
    """A typical bug: the backward pass of a plain ReLU (slope 0, not alpha, for x < 0)."""

    def backward(self, dy, *, input_grad=True, param_grads=True):
        return np.where(self.x > 0, dy, 0.0)


def test_gradient_check_catches_a_wrong_backward_pass():
    rng = np.random.default_rng(0)
    errors = check_layer(ForgetfulLeakyReLU(0.2), away_from_kink(rng, (4, 5)), rng=1)
    assert errors["x"] > 1e-2


def test_gradient_check_refuses_float32():
    with pytest.raises(TypeError, match="float64"):
        check_layer(Dense(3, 2), np.ones((2, 3), dtype=np.float32))


# --- ReLU, Dropout, Reshape, Flatten; initialisations; config; bad input --------------------------------

@pytest.mark.parametrize(
    "make_layer, shape",
    [
        (lambda: ReLU(), (4, 6)),
        (lambda: ReLU(), (2, 3, 4, 5)),
        (lambda: Reshape((3, 2, 2)), (4, 12)),
        (lambda: Flatten(), (2, 3, 4, 5)),
    ],
    ids=["ReLU", "ReLU-4d", "Reshape", "Flatten"],
)
def test_shape_and_activation_layers_match_finite_differences(make_layer, shape, record_max_error):
    layer = make_layer()
    errors = check_layer(layer, away_from_kink(np.random.default_rng(5), shape), rng=6)
    record_max_error(type(layer).__name__, max(errors.values()))
    assert set(errors) == {"x"} and errors["x"] < TOL, errors


def test_dropout_gradient_matches_finite_differences_for_a_fixed_mask(record_max_error):
    layer = Dropout(0.3, rng=0)
    x = np.random.default_rng(1).standard_normal((6, 7))
    upstream = np.random.default_rng(2).standard_normal((6, 7))
    state = layer.rng.bit_generator.state

    def loss():  # the same mask each time: restore the generator before the forward pass
        layer.rng.bit_generator.state = state
        return float(np.sum(layer.forward(x) * upstream))

    loss()
    dx = layer.backward(upstream)
    error = relative_error(dx, numerical_gradient(loss, x))
    record_max_error("Dropout", error)
    assert error < TOL


def test_relu_values_and_switches():
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]], dtype=np.float32)
    relu = ReLU()
    y = relu.forward(x)
    assert y.dtype == np.float32 and y.tolist() == [[0, 0, 0, 0.5, 3.0]]
    assert relu.backward(np.ones_like(x)).tolist() == [[0, 0, 0, 1, 1]]
    assert relu.backward(np.ones_like(x), input_grad=False) is None


def test_dropout_keeps_the_expected_value_and_is_the_identity_in_eval_mode():
    x = np.full((200, 500), 3.0, dtype=np.float32)
    layer = Dropout(0.25, rng=0)
    y = layer.forward(x)
    assert y.dtype == np.float32
    dropped = y == 0
    assert abs(dropped.mean() - 0.25) < 0.01
    np.testing.assert_allclose(y[~dropped], 3.0 / 0.75, rtol=1e-6)  # survivors scaled by 1 / (1 - p)
    assert abs(y.mean() - 3.0) < 0.03
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)) == 0, dropped)  # no gradient where dropped
    layer.eval()
    assert layer.forward(x) is x and layer.backward(y) is y
    layer.train()
    assert Dropout(0.0).forward(x) is x


def test_dropout_replays_its_masks_after_restoring_the_generator_state():
    layer = Dropout(0.5, rng=7)
    x = np.ones((8, 16), dtype=np.float32)
    layer.forward(x)                      # advance the generator a little
    state = layer.rng.bit_generator.state
    masks = [layer.forward(x) for _ in range(3)]
    restored = Dropout(0.5)
    restored.rng.bit_generator.state = state
    for mask in masks:
        np.testing.assert_array_equal(restored.forward(x), mask)


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5])
def test_dropout_refuses_p_outside_zero_one(p):
    with pytest.raises(ValueError, match="Dropout needs 0 <= p < 1"):
        Dropout(p)


def test_reshape_and_flatten_keep_the_order_of_values():
    x = np.arange(2 * 12, dtype=np.float32).reshape(2, 12)
    images = Reshape((3, 2, 2)).forward(x)
    assert images.shape == (2, 3, 2, 2) and images[1, 2, 1, 0] == 12 + 2 * 4 + 1 * 2 + 0
    flat = Flatten()
    np.testing.assert_array_equal(flat.forward(images), x)
    assert flat.backward(np.ones((2, 12))).shape == (2, 3, 2, 2)
    # a channels-last view flattens in (C, H, W) order, as PyTorch
    channels_last = np.ascontiguousarray(images.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    np.testing.assert_array_equal(flat.forward(channels_last), x)


def test_bad_shapes_name_the_layer_and_both_shapes():
    with pytest.raises(ValueError, match=r"Reshape\(shape=\[3, 2, 2\]\).*12 values per example.*\(2, 10\)"):
        Reshape((3, 2, 2)).forward(np.zeros((2, 10)))
    with pytest.raises(ValueError, match=r"Dense\(in_features=4, out_features=3\).*\(N, 4\).*\(2, 5\)"):
        Dense(4, 3).forward(np.zeros((2, 5), dtype=np.float32))
    with pytest.raises(ValueError, match=r"Flatten\(\).*\(5,\)"):
        Flatten().forward(np.zeros(5))
    with pytest.raises(ValueError, match="positive sizes"):
        Reshape((3, 0))


def test_dense_initialisations():
    assert np.array_equal(Dense(5, 3, rng=7).params["W"], Dense(5, 3, init="glorot", rng=7).params["W"])
    dcgan = Dense(400, 300, init="dcgan", rng=0).params
    assert abs(dcgan["W"].std() - 0.02) < 0.001 and not dcgan["b"].any()
    torch_like = Dense(400, 300, init="pytorch", rng=0).params
    bound = 1 / np.sqrt(400)  # PyTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for W and b
    for array in torch_like.values():
        assert np.abs(array).max() <= bound and np.abs(array).max() > 0.95 * bound
    with pytest.raises(ValueError, match="unknown init 'xavier'.*glorot, dcgan, pytorch"):
        Dense(3, 2, init="xavier")


@pytest.mark.parametrize("layer", [Dense(5, 3), LeakyReLU(0.2), Tanh(), Sigmoid(), ReLU(), Dropout(0.3),
                                   Reshape((2, 3)), Flatten()], ids=lambda layer: type(layer).__name__)
def test_config_rebuilds_a_layer_of_the_same_shape(layer):
    config = json.loads(json.dumps(layer.config()))  # JSON-friendly
    rebuilt = type(layer)(**config)
    assert rebuilt.config() == layer.config()
    assert {n: p.shape for n, p in rebuilt.params.items()} == {n: p.shape for n, p in layer.params.items()}


def test_every_layer_and_sequential_switch_modes():
    net = Sequential(Dense(4, 3, rng=0), ReLU(), Dropout(0.5), Dense(3, 2, rng=1))
    assert net.training and all(layer.training for layer in net.layers)
    assert net.eval() is net and not net.training and not any(layer.training for layer in net.layers)
    x = np.ones((2, 4), dtype=np.float32)
    np.testing.assert_array_equal(net.forward(x), net.forward(x))  # no dropout in evaluation mode
    net.train()
    assert all(layer.training for layer in net.layers)


@pytest.mark.parametrize("first", ["Dense", "Reshape + Conv2d"])
def test_input_gradient_of_some_rows_is_those_rows_of_the_full_one(first):
    """input_grad=rows: the weight gradients of every row, the input gradient of those rows alone (InfoGAN's
    D step wants it for its augmented copies only)."""
    rng = np.random.default_rng(0)
    if first == "Dense":
        layers = [Dense(16, 8, rng=rng, dtype=np.float64), LeakyReLU(0.2), BatchNorm(8, dtype=np.float64)]
    else:
        layers = [Reshape((1, 4, 4)), Conv2d(1, 3, 4, stride=2, padding=1, rng=rng, dtype=np.float64),
                  LeakyReLU(0.2), Flatten()]
    net = Sequential(*layers, Dense(8 if first == "Dense" else 12, 2, rng=rng, dtype=np.float64))
    x = rng.standard_normal((10, 16))
    dy = rng.standard_normal((10, 2))
    net.forward(x, groups=(4, 6))
    full = net.backward(dy)
    full_grads = net.flat_grads.copy()
    net.zero_grad()
    rows = net.backward(dy, input_grad=slice(7, None))
    np.testing.assert_allclose(rows, full[7:], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(net.flat_grads, full_grads, rtol=1e-12, atol=1e-14)
