"""BatchNorm: the batch-coupled gradient (float64 finite differences) over both input ranks and in
evaluation mode, its running statistics, their saving, and the contract."""
import io
import json

import numpy as np
import pytest

from npgan.gradcheck import check_layer
from npgan.layers import Dense, Sequential
from npgan.norm import BatchNorm
from npgan.optim import Adam

TOL = 1e-6


def random_affine(layer, rng):
    layer.params["gamma"][...] = rng.uniform(0.5, 2.0, layer.num_features)
    layer.params["beta"][...] = rng.standard_normal(layer.num_features)
    return layer


@pytest.mark.parametrize("shape", [(7, 5), (4, 3, 5, 3), (3, 2, 1, 1)], ids=["(N, C)", "(N, C, H, W)", "1x1 pixels"])
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
def test_gradients_match_finite_differences(shape, training, record_max_error):
    rng = np.random.default_rng(0)
    layer = random_affine(BatchNorm(shape[1], dtype=np.float64), rng)
    layer.buffers["running_mean"][...] = rng.standard_normal(shape[1])
    layer.buffers["running_var"][...] = rng.uniform(0.5, 2.0, shape[1])
    layer.train(training)
    errors = check_layer(layer, 2 * rng.standard_normal(shape) + 1, rng=1)
    record_max_error(f"BatchNorm ({'train' if training else 'eval'})", max(errors.values()))
    assert set(errors) == {"x", "gamma", "beta"}
    assert max(errors.values()) < TOL, errors


def test_normalises_each_channel_over_batch_and_pixels():
    rng = np.random.default_rng(1)
    x = rng.normal(5.0, 3.0, (8, 4, 6, 6))
    y = BatchNorm(4, dtype=np.float64).forward(x)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1, rtol=1e-5)   # var / (var + eps)


def test_running_statistics_after_known_batches():
    layer = BatchNorm(2, momentum=0.1, dtype=np.float64)
    batch1 = np.array([[1.0, 10.0], [3.0, 20.0]])          # mean (2, 15), unbiased var (2, 50)
    batch2 = np.array([[0.0, 0.0], [0.0, 4.0], [6.0, 2.0]])  # mean (2, 2), unbiased var (12, 4)
    layer.forward(batch1)
    np.testing.assert_allclose(layer.buffers["running_mean"], [0.2, 1.5])
    np.testing.assert_allclose(layer.buffers["running_var"], [0.9 + 0.2, 0.9 + 5.0])
    layer.forward(batch2)
    np.testing.assert_allclose(layer.buffers["running_mean"], [0.9 * 0.2 + 0.2, 0.9 * 1.5 + 0.2])
    np.testing.assert_allclose(layer.buffers["running_var"], [0.9 * 1.1 + 1.2, 0.9 * 5.9 + 0.4])
    assert layer.buffers["num_batches_tracked"] == 2


def test_momentum_none_averages_all_batches_and_reset_starts_over():
    """For re-estimating statistics (e.g. of averaged generator weights): reset, then plain averages."""
    layer = BatchNorm(3, momentum=None, dtype=np.float64)
    rng = np.random.default_rng(2)
    batches = [rng.normal(i, 1 + i, (5, 3)) for i in range(4)]
    running = {name: buffer for name, buffer in layer.buffers.items()}  # as Sequential holds them
    layer.forward(rng.normal(size=(5, 3)))
    layer.reset_running_stats()
    for batch in batches:
        layer.forward(batch)
    np.testing.assert_allclose(running["running_mean"], np.mean([b.mean(0) for b in batches], axis=0))
    np.testing.assert_allclose(running["running_var"], np.mean([b.var(0, ddof=1) for b in batches], axis=0))
    assert running["num_batches_tracked"] == 4


def test_evaluation_mode_uses_the_running_statistics_and_leaves_them_alone():
    rng = np.random.default_rng(3)
    layer = random_affine(BatchNorm(3, dtype=np.float64), rng)
    for _ in range(5):
        layer.forward(rng.normal(2.0, 3.0, (16, 3, 4, 4)))
    mean, var = layer.buffers["running_mean"].copy(), layer.buffers["running_var"].copy()
    layer.eval()
    x = rng.normal(size=(2, 3, 4, 4))
    expected = ((x - mean[:, None, None]) / np.sqrt(var[:, None, None] + layer.eps)
                * layer.params["gamma"][:, None, None] + layer.params["beta"][:, None, None])
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-12)
    np.testing.assert_allclose(layer.forward(x[:1]), expected[:1], rtol=1e-12)  # one example alone, same output
    np.testing.assert_array_equal(layer.buffers["running_mean"], mean)
    assert layer.buffers["num_batches_tracked"] == 5


def test_buffers_survive_save_and_load_and_adam_leaves_them_alone():
    rng = np.random.default_rng(4)
    net = Sequential(Dense(3, 4, rng=0), BatchNorm(4), Dense(4, 1, rng=1))
    assert list(net.buffers) == ["1/running_mean", "1/running_var", "1/num_batches_tracked"]
    assert "1/gamma" in net.params and not any(key.startswith("1/running") for key in net.params)
    x = rng.standard_normal((8, 3)).astype(np.float32)
    net.forward(x)
    net.backward(np.ones((8, 1), dtype=np.float32))
    saved = {name: buffer.copy() for name, buffer in net.buffers.items()}
    Adam(net).step()
    for name, buffer in net.buffers.items():
        np.testing.assert_array_equal(buffer, saved[name])
    file = io.BytesIO()
    np.savez(file, **net.buffers)
    file.seek(0)
    other = Sequential(Dense(3, 4), BatchNorm(4), Dense(4, 1))
    with np.load(file, allow_pickle=False) as arrays:
        for name, buffer in other.buffers.items():
            buffer[...] = arrays[name]
    for name, buffer in other.buffers.items():
        np.testing.assert_array_equal(buffer, saved[name])
        assert buffer.dtype == saved[name].dtype


def test_updates_buffers_in_place():
    layer = BatchNorm(2)
    held = dict(layer.buffers)
    layer.forward(np.random.default_rng(5).standard_normal((4, 2)).astype(np.float32))
    assert all(layer.buffers[name] is held[name] for name in held)
    assert held["running_mean"].any() and held["num_batches_tracked"] == 1


def test_float32_in_float32_out_layouts_and_switches():
    rng = np.random.default_rng(6)
    layer = random_affine(BatchNorm(3), rng)
    x = rng.standard_normal((4, 3, 5, 5)).astype(np.float32)
    y = layer.forward(x)
    assert y.dtype == np.float32 and y.shape == x.shape
    dy = rng.standard_normal(x.shape).astype(np.float32)
    dx = layer.backward(dy)
    assert dx.dtype == np.float32 and dx.shape == x.shape
    channels_last = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(layer.forward(channels_last), y, rtol=1e-6)
    np.testing.assert_allclose(layer.backward(dy), dx, rtol=1e-5, atol=1e-6)
    grads = {name: g.copy() for name, g in layer.grads.items()}
    layer.zero_grad()
    assert layer.backward(dy, input_grad=False) is None
    for name, grad in layer.grads.items():
        np.testing.assert_allclose(grad, grads[name] / 2, rtol=1e-5)  # two backward passes above
    layer.zero_grad()
    np.testing.assert_allclose(layer.backward(dy, param_grads=False), dx, rtol=1e-5, atol=1e-6)
    assert not any(g.any() for g in layer.grads.values())


def test_config_and_bad_input():
    layer = BatchNorm(6, momentum=None, eps=1e-3)
    config = json.loads(json.dumps(layer.config()))
    assert config == {"num_features": 6, "momentum": None, "eps": 1e-3}
    assert BatchNorm(**config).params["gamma"].shape == (6,)
    for bad in (np.zeros((2, 5)), np.zeros((2, 5, 3, 3)), np.zeros((2, 6, 3)), np.zeros(6)):
        with pytest.raises(ValueError, match=r"BatchNorm\(num_features=6.*\(N, 6\) or \(N, 6, H, W\).*got "
                                             + repr(bad.shape).replace("(", r"\(").replace(")", r"\)")):
            layer.forward(bad)
    with pytest.raises(ValueError, match="more than one value per channel"):
        layer.forward(np.zeros((1, 6)))
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm(3, momentum=1.5)


def test_evaluation_mode_switches():
    rng = np.random.default_rng(7)
    layer = random_affine(BatchNorm(3, dtype=np.float64), rng).eval()
    x, dy = rng.standard_normal((4, 3, 2, 2)), rng.standard_normal((4, 3, 2, 2))
    layer.forward(x)
    dx = layer.backward(dy)
    grads = {name: g.copy() for name, g in layer.grads.items()}
    layer.zero_grad()
    np.testing.assert_array_equal(layer.backward(dy, param_grads=False), dx)
    assert not any(g.any() for g in layer.grads.values())
    assert layer.backward(dy, input_grad=False) is None
    for name, grad in layer.grads.items():
        np.testing.assert_array_equal(grad, grads[name])


class GroupedBatchNorm(BatchNorm):
    """Batch norm over two groups of rows, 3 then the rest, for check_layer (which calls forward(x))."""

    def forward(self, x, groups=None):
        return super().forward(x, groups=(3, len(x) - 3) if groups is None else groups)


@pytest.mark.parametrize("shape", [(7, 5), (5, 3, 4, 3)], ids=["(N, C)", "(N, C, H, W)"])
def test_grouped_gradients_match_finite_differences(shape, record_max_error):
    rng = np.random.default_rng(3)
    errors = check_layer(random_affine(GroupedBatchNorm(shape[1], dtype=np.float64), rng),
                         2 * rng.standard_normal(shape) + 1, rng=1)
    record_max_error("BatchNorm (two groups)", max(errors.values()))
    assert max(errors.values()) < TOL, errors


def test_each_group_is_a_batch_of_its_own():
    """groups=(a, b, c): the outputs, input and parameter gradients and running statistics of three
    separate passes (a GAN's D step judges real images, fakes and InfoGAN's copies in one pass so)."""
    rng = np.random.default_rng(4)
    x, dy = rng.normal(2.0, 3.0, (12, 4, 2, 2)), rng.standard_normal((12, 4, 2, 2))
    grouped, apart = (random_affine(BatchNorm(4, dtype=np.float64), np.random.default_rng(5)) for _ in range(2))
    y, dx = grouped.forward(x, groups=(5, 5, 2)), grouped.backward(dy)
    pieces = [(apart.forward(x[rows]), apart.backward(dy[rows])) for rows in (slice(0, 5), slice(5, 10), slice(10, 12))]
    np.testing.assert_allclose(y, np.concatenate([p[0] for p in pieces]), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, np.concatenate([p[1] for p in pieces]), rtol=1e-12, atol=1e-12)
    for name in ("gamma", "beta"):
        np.testing.assert_allclose(grouped.grads[name], apart.grads[name], rtol=1e-12)
    for name, value in grouped.buffers.items():
        np.testing.assert_allclose(value, apart.buffers[name], rtol=1e-12)
    assert grouped.buffers["num_batches_tracked"] == 3
    assert np.abs(y[:5].mean(axis=(0, 2, 3)) - grouped.params["beta"]).max() < 1e-12  # each group's own mean


def test_groups_must_cover_the_batch_and_are_ignored_in_evaluation_mode():
    layer = BatchNorm(2, dtype=np.float64)
    x = np.arange(12.0).reshape(6, 2)
    for groups in [(3, 2), (3, 4), (6, 0)]:
        with pytest.raises(ValueError, match="groups"):
            layer.forward(x, groups=groups)
    layer.eval()
    np.testing.assert_array_equal(layer.forward(x, groups=(3, 3)), layer.forward(x))
