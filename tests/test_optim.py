"""Adam and RMSprop: hand-computed updates, flat-buffer equivalence, and checkpoint round trips."""
import numpy as np
import pytest

from npgan.layers import Dense, LeakyReLU, Sequential
from npgan.optim import Adam, RMSprop


def test_two_steps_equal_the_hand_computed_update():
    layer = Dense(2, 3, rng=0, dtype=np.float64)
    p0 = layer.params["W"].copy()
    g1, g2 = np.full((2, 3), 0.5), np.arange(6.0).reshape(2, 3) - 2.5
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    opt = Adam(layer, lr=lr, beta1=b1, beta2=b2, eps=eps)

    layer.grads["W"][...] = g1
    opt.step()
    m1, v1 = (1 - b1) * g1, (1 - b2) * g1**2
    p1 = p0 - lr * np.sqrt(1 - b2) / (1 - b1) * m1 / (np.sqrt(v1) + eps)
    np.testing.assert_allclose(layer.params["W"], p1, rtol=1e-12)
    np.testing.assert_allclose(p0 - p1, lr, rtol=1e-5)  # the first Adam step moves each weight by ~lr

    layer.grads["W"][...] = g2
    opt.step()
    m2, v2 = b1 * m1 + (1 - b1) * g2, b2 * v1 + (1 - b2) * g2**2
    p2 = p1 - lr * np.sqrt(1 - b2**2) / (1 - b1**2) * m2 / (np.sqrt(v2) + eps)
    np.testing.assert_allclose(layer.params["W"], p2, rtol=1e-12)
    assert opt.t == 2


def make_net(dtype=np.float64):
    return Sequential(Dense(4, 3, rng=1, dtype=dtype), LeakyReLU(), Dense(3, 2, rng=2, dtype=dtype))


def test_flat_buffer_update_equals_per_array_update():
    net = make_net()
    separate = [Dense(4, 3, rng=1, dtype=np.float64), Dense(3, 2, rng=2, dtype=np.float64)]
    opt, opts = Adam(net), [Adam(layer) for layer in separate]
    assert len(opt.buffers) == 1 and len(opts[0].buffers) == 2
    rng = np.random.default_rng(0)
    for _ in range(3):
        for layer, dense in zip(separate, net.layers[::2]):
            for name in layer.grads:
                layer.grads[name][...] = dense.grads[name][...] = rng.standard_normal(layer.grads[name].shape)
        opt.step()
        for o in opts:
            o.step()
    for layer, dense in zip(separate, net.layers[::2]):
        for name in layer.params:
            np.testing.assert_allclose(dense.params[name], layer.params[name], rtol=1e-14)


def run_steps(net, opt, grads):
    for g in grads:
        net.flat_grads[...] = g
        opt.step()


def test_rmsprop_three_steps_equal_its_formula():
    """s <- rho s + (1 - rho) g^2, p <- p - lr g / (sqrt(s) + eps), from s = 0, per element."""
    net = make_net()
    lr, rho, eps = 0.01, 0.99, 1e-8
    opt = RMSprop(net, lr=lr, rho=rho, eps=eps)
    rng = np.random.default_rng(0)
    p, s = net.flat_params.copy(), np.zeros_like(net.flat_params)
    for step in range(3):
        g = rng.standard_normal(p.shape) * 10.0 ** (step - 1)  # gradients of changing size
        net.flat_grads[...] = g
        opt.step()
        s = rho * s + (1 - rho) * g**2
        p = p - lr * g / (np.sqrt(s) + eps)
        np.testing.assert_allclose(net.flat_params, p, rtol=1e-12)
    assert opt.t == 3
    # The first step moves each weight by lr / sqrt(1 - rho) = 10 lr, whatever the gradient's size:
    net.flat_params[...] = 0
    RMSprop(net, lr=lr, rho=rho, eps=eps).step()
    np.testing.assert_allclose(np.abs(net.flat_params), lr / np.sqrt(1 - rho), rtol=1e-4)  # up to eps


@pytest.mark.parametrize("kind", [Adam, RMSprop])
def test_state_dict_round_trip_continues_identically(kind):
    grads = np.random.default_rng(0).standard_normal((5, make_net().flat_params.size)).astype(np.float32)
    net_a = make_net(np.float32)
    opt_a = kind(net_a)
    run_steps(net_a, opt_a, grads[:2])
    saved_params, saved_state = net_a.flat_params.copy(), opt_a.state_dict()
    run_steps(net_a, opt_a, grads[2:])

    net_b = make_net(np.float32)
    net_b.flat_params[...] = saved_params
    opt_b = kind(net_b)
    opt_b.load_state_dict(dict(np.load(save(saved_state), allow_pickle=False)))
    assert opt_b.t == 2
    run_steps(net_b, opt_b, grads[2:])
    np.testing.assert_array_equal(net_b.flat_params, net_a.flat_params)


def save(state):
    import io
    buffer = io.BytesIO()
    np.savez(buffer, **state)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize("kind", [Adam, RMSprop])
def test_load_state_dict_rejects_another_model(kind):
    state = kind(make_net()).state_dict()
    other = Sequential(Dense(5, 3), LeakyReLU(), Dense(3, 2))
    with pytest.raises(ValueError, match=f"{kind.__name__} state does not fit"):
        kind(other).load_state_dict(state)
    with pytest.raises(ValueError, match="does not fit"):  # another optimizer's state
        (RMSprop if kind is Adam else Adam)(make_net()).load_state_dict(state)


def test_rejects_bad_hyperparameters():
    with pytest.raises(ValueError):
        Adam(make_net(), lr=-1)
    with pytest.raises(ValueError):
        Adam(make_net(), beta1=1.0)
    with pytest.raises(ValueError):
        RMSprop(make_net(), rho=1.0)
