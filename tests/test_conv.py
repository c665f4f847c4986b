"""Conv2d and ConvTranspose2d: gradients against finite differences (float64), against a naive loop, the
adjoint relation between the two, shapes, memory layouts and bad input."""
import json

import numpy as np
import pytest

from npgan.conv import Conv2d, ConvTranspose2d, col2im, col2im_by_phases, im2col, pad
from npgan.gradcheck import check_layer

TOL = 1e-6

# (in, out, kernel, stride, padding, H, W): strides 1-3, paddings 0-2, kernels 1-5, odd and unequal sizes
GEOMETRIES = [
    (1, 2, 3, 1, 0, 5, 5),
    (2, 3, 3, 1, 1, 5, 6),
    (3, 2, 4, 2, 1, 7, 7),
    (2, 2, 5, 3, 2, 8, 7),
    (3, 4, 1, 1, 0, 3, 4),
    (2, 1, 2, 2, 0, 5, 5),
]
IDS = ["k3s1p0", "k3s1p1", "k4s2p1", "k5s3p2", "k1s1p0", "k2s2p0-odd"]


def with_random_bias(layer, rng):
    layer.params["b"][...] = rng.standard_normal(layer.params["b"].shape)
    return layer


@pytest.mark.parametrize("cls", [Conv2d, ConvTranspose2d])
@pytest.mark.parametrize("geometry", GEOMETRIES, ids=IDS)
def test_gradients_match_finite_differences(cls, geometry, record_max_error):
    cin, cout, k, s, p, H, W = geometry
    rng = np.random.default_rng(0)
    layer = with_random_bias(cls(cin, cout, k, s, p, rng=rng, dtype=np.float64), rng)
    errors = check_layer(layer, rng.standard_normal((2, cin, H, W)), rng=1)
    record_max_error(cls.__name__, max(errors.values()))
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < TOL, errors


def naive_conv2d(x, W, b, stride, padding):
    """The definition, one output value at a time."""
    N, C, H, W_in = x.shape
    out_c, _, k, _ = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    H_out, W_out = (H + 2 * padding - k) // stride + 1, (W_in + 2 * padding - k) // stride + 1
    y = np.zeros((N, out_c, H_out, W_out))
    for n in range(N):
        for o in range(out_c):
            for i in range(H_out):
                for j in range(W_out):
                    window = xp[n, :, i * stride:i * stride + k, j * stride:j * stride + k]
                    y[n, o, i, j] = np.sum(window * W[o]) + b[o]
    return y


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=IDS)
def test_conv2d_agrees_with_a_naive_loop(geometry):
    cin, cout, k, s, p, H, W = geometry
    rng = np.random.default_rng(2)
    layer = with_random_bias(Conv2d(cin, cout, k, s, p, rng=rng, dtype=np.float64), rng)
    x = rng.standard_normal((3, cin, H, W))
    expected = naive_conv2d(x, layer.params["W"], layer.params["b"], s, p)
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=IDS)
def test_transposed_convolution_is_the_adjoint_of_convolution(geometry):
    """<conv(x), y> == <x, convT(y)> for the same weights and no bias: convT is conv's transpose."""
    cin, cout, k, s, p, H, W = geometry
    rng = np.random.default_rng(3)
    conv = Conv2d(cin, cout, k, s, p, rng=rng, dtype=np.float64)
    conv_t = ConvTranspose2d(cout, cin, k, s, p, dtype=np.float64)
    conv_t.params["W"][...] = conv.params["W"]     # (cout, cin, k, k) in both layouts
    x = rng.standard_normal((2, cin, H, W))
    y_shape = conv.forward(x).shape
    y = rng.standard_normal(y_shape)
    back = conv_t.forward(y)
    # convT gives back an image of x's size whenever the convolution used every row (no leftover rows)
    if (H + 2 * p - k) % s == 0 and (W + 2 * p - k) % s == 0:
        assert back.shape == x.shape
        np.testing.assert_allclose(np.sum(conv.forward(x) * y), np.sum(x * back), rtol=1e-12)
    # and it is the convolution's input gradient, whatever the sizes (when rows were left over, convT
    # returns the first ones only: PyTorch's output_padding would add the rest)
    conv.forward(x)
    dx = conv.backward(y)
    np.testing.assert_allclose(back, dx[:, :, :back.shape[2], :back.shape[3]], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("k, s, p, H, W", [(4, 2, 1, 7, 7), (3, 3, 2, 5, 8), (2, 1, 3, 4, 3), (5, 2, 0, 9, 6),
                                            (1, 1, 0, 3, 3), (3, 2, 4, 2, 3)])
def test_col2im_is_the_adjoint_of_pad_and_im2col(k, s, p, H, W):
    """<im2col(pad(x)), c> == <x, col2im(c)>: col2im drops what falls into the padding (padding up to beyond
    the kernel, windows that leave rows uncovered)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, H, W, 3))
    cols = im2col(pad(x, p), k, s)
    c = rng.standard_normal(cols.shape)
    back = col2im(c, np.zeros_like(x), k, s, p)
    np.testing.assert_allclose(np.sum(cols * c), np.sum(x * back), rtol=1e-12)


@pytest.mark.parametrize("k, s, p, H, W", [(4, 2, 1, 7, 7), (4, 2, 1, 28, 28), (3, 3, 2, 5, 8), (2, 1, 3, 4, 3),
                                            (5, 2, 0, 9, 6), (1, 1, 0, 3, 3), (3, 2, 4, 2, 3), (1, 3, 0, 7, 5),
                                            (5, 3, 2, 8, 7)])
def test_col2im_by_phases_is_col2im_of_the_product(k, s, p, H, W):
    """The stride-phase product gives Conv2d's input gradient ``col2im(dY @ W_matrix.T)`` for any geometry:
    kernels not a multiple of the stride, strides beyond the kernel, padding beyond the kernel."""
    rng = np.random.default_rng(0)
    conv = Conv2d(3, 5, k, s, p, rng=rng, dtype=np.float64)
    dy = rng.standard_normal((2, conv.output_size(H), conv.output_size(W), 5))
    expected = col2im(dy.reshape(-1, 5) @ conv.weight_matrix().T, np.zeros((2, H, W, 3)), k, s, p)
    np.testing.assert_allclose(col2im_by_phases(dy, conv.params["W"], s, p, (H, W)), expected, rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("cls", [Conv2d, ConvTranspose2d])
def test_kept_zero_borders_give_a_fresh_layers_results(cls):
    """A layer's padded inputs and zero-padded ``dy`` are kept (``scratch``) and only their inside is rewritten:
    passes of more, fewer and other-sized images, and of float32 after float64, give what a layer padding
    with new zeros every time gives, bit for bit (a stale inside, or a border an earlier shape wrote into,
    would not)."""
    rng = np.random.default_rng(0)
    layer = with_random_bias(cls(3, 4, 4, 2, 1, rng=rng, dtype=np.float64), rng)
    for N, H, W, dtype in [(4, 9, 9, np.float64), (2, 9, 9, np.float64), (5, 9, 9, np.float64),
                           (3, 10, 10, np.float64), (3, 9, 8, np.float64), (2, 9, 9, np.float32)]:
        fresh = cls(3, 4, 4, 2, 1, dtype=dtype)
        fresh.scratch = None                                                   # np.zeros every time
        for name, p in fresh.params.items():
            p[...] = layer.params[name]
        layer.params = {name: p.copy() for name, p in fresh.params.items()}   # float32 at the end
        x = rng.standard_normal((N, 3, H, W)).astype(dtype)
        y = layer.forward(x)
        np.testing.assert_array_equal(y, fresh.forward(x))
        dy = rng.standard_normal(y.shape).astype(dtype)
        np.testing.assert_array_equal(layer.backward(dy, param_grads=False), fresh.backward(dy, param_grads=False))
        if cls is Conv2d:
            v = rng.standard_normal(x.shape).astype(dtype)
            np.testing.assert_array_equal(layer.double_backward(v, dy), fresh.double_backward(v, dy))


def test_the_dcgans_layers_take_the_cheaper_col2im():
    """Phases where they copy fewer numbers than col2im adds (DCGAN: 32 <-> 64), col2im otherwise (1 <-> 32)."""
    assert Conv2d(32, 64, 4, 2, 1).phases_copy_less() and ConvTranspose2d(64, 32, 4, 2, 1).phases_copy_less()
    assert not Conv2d(1, 32, 4, 2, 1).phases_copy_less() and not ConvTranspose2d(32, 1, 4, 2, 1).phases_copy_less()


def test_output_sizes():
    x = np.zeros((2, 3, 7, 9), dtype=np.float32)
    assert Conv2d(3, 5, 4, 2, 1).forward(x).shape == (2, 5, 3, 4)          # (7 + 2 - 4) // 2 + 1
    assert ConvTranspose2d(3, 5, 4, 2, 1).forward(x).shape == (2, 5, 14, 18)  # (7 - 1) * 2 - 2 + 4
    assert ConvTranspose2d(3, 5, 3, 1, 1).forward(x).shape == (2, 5, 7, 9)
    assert ConvTranspose2d(3, 2, 5, 3, 2).forward(x).shape == (2, 2, 19, 25)
    # the DCGAN shapes
    assert Conv2d(1, 8, 4, 2, 1).forward(np.zeros((2, 1, 28, 28), np.float32)).shape == (2, 8, 14, 14)
    assert ConvTranspose2d(16, 8, 4, 2, 1).forward(np.zeros((2, 16, 7, 7), np.float32)).shape == (2, 8, 14, 14)


@pytest.mark.parametrize("cls", [Conv2d, ConvTranspose2d])
def test_any_memory_layout_gives_the_same_result(cls):
    """(N, C, H, W) contiguous or a view of channels-last memory (what the layers return): same numbers."""
    rng = np.random.default_rng(4)
    layer = with_random_bias(cls(3, 4, 3, 2, 1, rng=rng, dtype=np.float64), rng)
    x = rng.standard_normal((2, 3, 6, 5))
    x_channels_last = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    y = layer.forward(x)
    dy = rng.standard_normal(y.shape)
    dx = layer.backward(dy)
    np.testing.assert_array_equal(layer.forward(x_channels_last), y)
    np.testing.assert_array_equal(layer.backward(np.ascontiguousarray(dy)), dx)


@pytest.mark.parametrize("cls", [Conv2d, ConvTranspose2d])
def test_float32_in_float32_out_and_switches(cls):
    rng = np.random.default_rng(5)
    layer = cls(3, 4, 4, 2, 1, rng=rng)
    x = rng.standard_normal((2, 3, 6, 6), dtype=np.float32)
    y = layer.forward(x)
    assert y.dtype == np.float32
    dy = rng.standard_normal(y.shape, dtype=np.float32)
    dx = layer.backward(dy)
    assert dx.dtype == np.float32 and dx.shape == x.shape
    grads = {name: g.copy() for name, g in layer.grads.items()}
    layer.zero_grad()
    assert layer.backward(dy, input_grad=False) is None
    for name, grad in layer.grads.items():
        np.testing.assert_array_equal(grad, grads[name])
    layer.zero_grad()
    np.testing.assert_array_equal(layer.backward(dy, param_grads=False), dx)
    assert not any(g.any() for g in layer.grads.values())
    layer.backward(dy)
    layer.backward(dy)  # accumulates
    for name, grad in layer.grads.items():
        np.testing.assert_allclose(grad, 2 * grads[name], rtol=1e-6)


@pytest.mark.parametrize("cls", [Conv2d, ConvTranspose2d])
def test_config_rebuilds_the_same_shapes(cls):
    layer = cls(3, 5, 4, stride=2, padding=1, rng=0)
    config = json.loads(json.dumps(layer.config()))
    assert config == {"in_channels": 3, "out_channels": 5, "kernel_size": 4, "stride": 2, "padding": 1}
    rebuilt = cls(**config)
    assert {n: p.shape for n, p in rebuilt.params.items()} == {n: p.shape for n, p in layer.params.items()}
    expected_W = (5, 3, 4, 4) if cls is Conv2d else (3, 5, 4, 4)  # PyTorch's layouts
    assert layer.params["W"].shape == expected_W and layer.params["b"].shape == (5,)
    assert repr(layer) == f"{cls.__name__}(in_channels=3, out_channels=5, kernel_size=4, stride=2, padding=1)"


@pytest.mark.parametrize("cls", [Conv2d, ConvTranspose2d])
def test_bad_input_names_the_layer_and_both_shapes(cls):
    layer = cls(3, 4, 4, 2, 1)
    for bad in (np.zeros((2, 2, 8, 8)), np.zeros((2, 3, 8)), np.zeros((3, 8, 8)), np.zeros((2, 3, 8, 8, 1))):
        with pytest.raises(ValueError) as error:
            layer.forward(bad.astype(np.float32))
        message = str(error.value)
        assert cls.__name__ in message and "(N, 3, H, W)" in message and str(bad.shape) in message


def test_too_small_an_image_is_refused():
    with pytest.raises(ValueError, match=r"Conv2d.*H, W >= 5.*\(1, 1, 4, 7\)"):
        Conv2d(1, 1, 5).forward(np.zeros((1, 1, 4, 7)))
    with pytest.raises(ValueError, match=r"ConvTranspose2d.*H, W >= 3.*\(1, 1, 2, 2\)"):
        ConvTranspose2d(1, 1, 3, 1, 2).forward(np.zeros((1, 1, 2, 2)))  # (2 - 1) + 3 - 2 * 2 = 0 rows
    assert ConvTranspose2d(1, 1, 3, 1, 2).forward(np.zeros((1, 1, 3, 3))).shape == (1, 1, 1, 1)


@pytest.mark.parametrize("cls", [Conv2d, ConvTranspose2d])
@pytest.mark.parametrize("bad", [{"kernel_size": 0}, {"stride": 0}, {"padding": -1}, {"kernel_size": 2.5},
                                 {"stride": True}])
def test_geometry_without_output_is_refused_at_construction(cls, bad):
    args = {"in_channels": 1, "out_channels": 1, "kernel_size": 3, "stride": 1, "padding": 0, **bad}
    with pytest.raises(ValueError, match=f"{cls.__name__} needs an integer {next(iter(bad))}"):
        cls(**args)


@pytest.mark.parametrize("cls", [Conv2d, ConvTranspose2d])
def test_initialisations(cls):
    out, cin, k = 64, 32, 4
    glorot = cls(cin, out, k, rng=0).params
    limit = np.sqrt(6 / ((cin + out) * k * k))
    assert np.abs(glorot["W"]).max() <= limit and np.abs(glorot["W"]).max() > 0.95 * limit
    assert not glorot["b"].any()
    dcgan = cls(cin, out, k, init="dcgan", rng=0).params
    assert abs(dcgan["W"].std() - 0.02) < 0.001 and not dcgan["b"].any()
    torch_like = cls(cin, out, k, init="pytorch", rng=0).params
    fan_in = torch_like["W"].shape[1] * k * k    # PyTorch counts dim 1 of the weight as fan-in
    bound = 1 / np.sqrt(fan_in)
    for array in torch_like.values():
        assert np.abs(array).max() <= bound and np.abs(array).max() > 0.9 * bound
    with pytest.raises(ValueError, match="unknown init 'he'"):
        cls(cin, out, k, init="he")
