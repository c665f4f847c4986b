"""Check hand-written gradients against finite differences.

A backward pass is a claim about derivatives; central differences test it without any calculus:

    df/dx_i  ~  (f(x + h e_i) - f(x - h e_i)) / (2 h)        error O(h^2)

Use float64: with h = 1e-6 the rounding error of float32 (1e-7 relative) would swamp the answer.

- ``numerical_gradient`` nudges every element in turn: exact and clear, for small arrays.
- ``directional_derivative`` nudges the whole array along one random direction ``d``: two evaluations
  of ``f`` give ``<grad f, d>``, enough to catch a wrong gradient of any size cheaply.
- ``check_layer`` checks a layer's (or a network's) input and parameter gradients in one call.
"""
import numpy as np


def relative_error(a, b):
    """``max |a - b| / max(|a| + |b|)``, 0 when both are 0: scale-free, near 1e-10 for a right gradient."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = np.max(np.abs(a) + np.abs(b), initial=0.0)
    return 0.0 if scale == 0 else float(np.max(np.abs(a - b)) / scale)


def numerical_gradient(f, x, h=1e-6, indices=None):
    """Gradient of the scalar function ``f()`` with respect to the float64 array ``x``, element by element.

    ``f`` takes no arguments and reads ``x`` (which is changed in place and restored), so ``x`` can be an
    input or a parameter array inside a layer. ``indices``: only these elements of the flattened ``x``
    (a big network's weights checked on a random sample); the result is then ``(len(indices),)``.
    """
    _require_float64(x)
    flat_x = x.reshape(-1)  # a view: nudging it nudges x
    positions = range(flat_x.size) if indices is None else indices
    grad = np.array([_central_difference(f, flat_x, i, h) for i in positions])
    return grad.reshape(x.shape) if indices is None else grad


def _central_difference(f, flat_x, i, h):
    """``(f(x + h e_i) - f(x - h e_i)) / 2h``, ``x`` restored after."""
    original = flat_x[i]
    flat_x[i] = original + h
    f_plus = f()
    flat_x[i] = original - h
    f_minus = f()
    flat_x[i] = original
    return (f_plus - f_minus) / (2 * h)


def directional_derivative(f, x, direction, h=1e-6):
    """``<grad f(x), direction>`` by one central difference along ``direction`` (``x`` restored after)."""
    _require_float64(x)
    original = x.copy()
    x += h * direction
    f_plus = f()
    x[...] = original - h * direction
    f_minus = f()
    x[...] = original
    return (f_plus - f_minus) / (2 * h)


def check_layer(layer, x, rng=None, h=1e-6):
    """Relative errors of ``layer.backward`` for ``dL/dx`` and each parameter, element by element.

    The scalar checked is ``L = sum(layer.forward(x) * R)`` with a fixed random ``R``, whose gradient with
    respect to the output is exactly ``R``. ``x`` and the parameters must be float64.
    Returns ``{"x": err, "<param name>": err, ...}``.
    """
    rng = np.random.default_rng(rng)
    x = np.array(x, dtype=np.float64)
    upstream = rng.standard_normal(layer.forward(x).shape)

    def loss():
        return float(np.sum(layer.forward(x) * upstream))

    layer.zero_grad()
    layer.forward(x)
    analytic = {"x": layer.backward(upstream)}
    analytic.update((name, grad.copy()) for name, _, grad in layer.parameters())
    errors = {"x": relative_error(analytic["x"], numerical_gradient(loss, x, h))}
    for name, param, _ in layer.parameters():
        errors[name] = relative_error(analytic[name], numerical_gradient(loss, param, h))
    return errors


def _require_float64(x):
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("finite differences need a float64 array (float32 rounding would swamp them)")
