"""Every layer's backward pass against finite differences (float64), and the layer contract."""
import numpy as np
import pytest

from npgan.gradcheck import check_layer
from npgan.layers import Dense, LeakyReLU, Sequential, Sigmoid, Tanh

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
