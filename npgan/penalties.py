"""Gradient penalties: WGAN-GP's and R1's, with their second-order gradient written out by hand.

A penalty on the *input gradient* of a critic ``f`` (a network mapping rows to one number each)::

    g_n = d f(x)_n / d x_n                      (the gradient of row n's output with respect to row n)
    P   = mean_n (||g_n|| - c)^2                 c = 1: WGAN-GP (Gulrajani et al., 2017), on interpolates
                                                c = 0: R1 (Mescheder et al., 2018), on real images

pushes the critic towards slope 1 (or 0) where it is evaluated. The norm is over *all* of a row's values
(the whole image, not per pixel). Training needs ``dP/d(params)``: the derivative of a derivative.

**The input gradient is itself a network.** ``g`` is what the backward pass computes from ``dy = 1``: for
each layer, ``dx = backward(dy)``, last layer first. Every step is a function of ``dy`` and of the layer's
parameters (and of what the forward pass cached), so ``P(g)`` can be differentiated by running *that*
computation backwards, first layer first: each layer's :meth:`double_backward` takes ``v = dP/d(dx)`` and
returns ``dP/d(dy)``, adding ``dP/d(params)`` into ``grads`` on the way. Since ``backward`` is linear in
``dy`` for every layer here, ``double_backward`` is its adjoint, and ``v`` travels input -> output like a
forward pass ("double backprop", Drucker & LeCun 1992; PyTorch does it with ``create_graph=True``).

**A two-layer critic, by hand.** ``f(x) = lrelu(x W1 + b1) W2 + b2`` with rows ``x`` (N, D), ``W1`` (D, H),
``W2`` (H, 1). Forward: ``a = x W1 + b1``, ``h = lrelu(a)``, ``f = h W2 + b2``. Backward from ``dy = 1``::

    dh = 1 @ W2.T                   (N, H)      Dense 2
    da = s * dh,  s = lrelu'(a)     (N, H)      LeakyReLU: s is 1 or alpha
    g  = da @ W1.T                  (N, D)      Dense 1:  g_n = W1 diag(s_n) W2, a column turned row

Then ``P = mean_n (||g_n|| - c)^2`` and, run back through those three lines, first line last::

    v  = dP/dg  = 2/N (||g_n|| - c) g_n / ||g_n||      (N, D)
    dW1 += v.T @ da     v1 = v @ W1   = dP/d(da)   (N, H)      Dense 1: g = da @ W1.T
                        v2 = s * v1   = dP/d(dh)   (N, H)      LeakyReLU: da = s * dh
    dW2 += v2.T @ 1     (v2 @ W2 = dP/d(dy), not needed)        Dense 2: dh = 1 @ W2.T

Each Dense step is the layer's forward pass on ``v`` without its bias, plus its usual weight gradient with
``v`` in place of ``x``; that costs about one more forward and backward pass. (Here ``dW1`` and
``v1 = v @ W1``, which only feeds ``dW2``, come from one product ``v.T @ s``: :func:`_tail_double_backward`.)

**Why nothing else appears.** ``g`` does not involve ``b1`` or ``b2``, so ``dP/db = 0``. It depends on ``x``
only through ``s = lrelu'(a)``, which is piecewise constant: its derivative is 0 wherever it exists, so
the terms with a second derivative of an activation vanish, and so does ``dP/dx``. That holds for every
piecewise-linear critic (Dense, Conv2d, (Leaky)ReLU, Dropout, Flatten, Reshape, LabelChannels): ``g`` is constant
inside each linear region, and only the weights move it. A smooth activation (tanh) would add a term
``v * dy * f''(x)`` sent back through the forward pass; no layer here needs it, and a layer without
``double_backward`` is refused. So is batch norm, which mixes the rows of a batch: ``f(x)_n`` then depends
on every row, and the per-example gradient the penalty is about does not exist (WGAN-GP's critic has none).

**A conditional critic** sees rows ``[image, one-hot label]``. Its norm covers the image only
(``classes=``): a label is a discrete choice, not a direction to move in, and the papers' conditional
critics penalise the gradient with respect to the image alone (the label being held fixed).
"""
import math

import numpy as np

from .conv import Conv2d, channels_last, pad, window_view
from .layers import Dense, Flatten, LeakyReLU, Reshape
from .norm import BatchNorm


def check_critic(net):
    """Raise ``ValueError`` naming the first layer of ``net`` (a ``Sequential``) without a second-order pass
    (``double_backward``); batch norm gets the reason too. Changes nothing."""
    for index, layer in enumerate(net.layers):
        if not hasattr(layer, "double_backward"):
            reason = ("; batch norm mixes the examples of a batch, while the penalty is per example: build the "
                      "critic without it, as WGAN-GP does") if isinstance(layer, BatchNorm) else ""
            raise ValueError(f"the input-gradient penalty cannot differentiate through {layer!r} (layer {index} "
                             f"of the critic): it has no second-order pass{reason}")


def input_gradient_penalty(net, x, center=1.0, *, classes=0, weight=1.0):
    """``mean_n (||d net(x)_n / d x_n|| - center)^2``, and its gradient added into ``net.grads``.

    Parameters
    ----------
    net : Sequential mapping ``x`` (N, ...) to (N, 1): the critic (every layer with ``double_backward``)
    x : array (N, ...): interpolates (WGAN-GP, ``center=1``) or real rows (R1, ``center=0``)
    center : the norm the penalty pulls towards
    classes : the last ``classes`` columns of ``x`` are a conditional critic's one-hot label: held fixed,
        outside the norm
    weight : the gradient added is ``weight * dP/d(params)`` (WGAN-GP's lambda; R1's gamma / 2)

    Returns
    -------
    The penalty ``P`` (a float, without ``weight``).

    Runs its own forward pass on ``x`` (so call it before or after a loss's forward/backward pair, not
    between them; with the usual ending, ``layer, LeakyReLU, [Flatten], Dense(., 1)``, the pass stops at the
    activation); adds into ``grads`` as ``backward`` does; never changes ``params``. The gradient with
    respect to ``x`` is 0 for these piecewise-linear critics (module docstring), so none is returned.
    """
    check_critic(net)
    return _penalty(net.layers, x, center, classes, weight)


def wgan_gp_penalty(net, real, fake, rng, *, weight=1.0, first_outputs=None):
    """WGAN-GP's term, ``input_gradient_penalty(net, random_interpolates(real, fake, rng), 1.0)``, with the
    critic's first layer run on the interpolates for free when its outputs on ``real`` and ``fake`` are
    known: the same value and gradients, to rounding, and the same draw from ``rng``.

    ``first_outputs``: what :func:`first_layer_outputs` returned right after the loss's forward pass on
    the rows ``[real; fake]`` (2N, ...), or None. **Why they suffice:** the first layer with weights
    (after reshapes only) is affine, ``a(x) = x W + b`` (a convolution too), and an interpolate is
    ``x = t r + (1 - t) f``, so ``a(x) = t (r W) + (1 - t) (f W) + b = t a(r) + (1 - t) a(f)``, as
    ``t + (1 - t) = 1`` carries the bias along. The loss's forward pass has computed ``a(r)`` and ``a(f)``;
    mixing them is one elementwise pass where the layer's forward pass took a product (mlp-bn's critic:
    (64 x 784) @ (784 x 512), 0.58 ms of a 9 ms step), and the interpolates themselves are never needed.
    The layer's backward passes in the penalty (without weight gradients) read what that forward pass left:
    the weights, which no update has changed since, and for a convolution the image size. Not for a
    conditional critic: there the loss's negatives hold real images with wrong labels, not the fakes the
    points lie between.
    """
    check_critic(net)
    if real.shape != fake.shape:
        raise ValueError(f"real and fake must have the same shape, got {real.shape} and {fake.shape}")
    start = _first_affine(net.layers)
    if first_outputs is None or start is None or len(first_outputs) != 2 * len(real):
        return input_gradient_penalty(net, random_interpolates(real, fake, rng), 1.0, weight=weight)
    n = len(real)
    h = mix(first_outputs[:n], first_outputs[n:], interpolation_weights(real, rng))  # random_interpolates' draw
    return _penalty(net.layers[start:], h, 1.0, 0, weight, skip_first=True)


def first_layer_outputs(net):
    """The outputs of ``net``'s first layer with weights, when it is a ``Dense`` or ``Conv2d`` with only
    reshapes before it, as its last forward pass left them (:func:`wgan_gp_penalty` mixes them); else None."""
    start = _first_affine(net.layers)
    return None if start is None else net.layers[start].y


def _first_affine(layers):
    """The index of the first ``Dense`` or ``Conv2d`` if only ``Reshape`` or ``Flatten`` come before it (the
    types exactly), else None."""
    for index, layer in enumerate(layers):
        if type(layer) in (Dense, Conv2d):
            return index
        if type(layer) not in (Reshape, Flatten):
            return None
    return None


def _penalty(layers, x, center, classes, weight, skip_first=False):
    """The penalty of the critic ``layers`` at ``x``, its gradient added. ``skip_first``: the first layer's
    forward pass has run and ``x`` is its output (:func:`wgan_gp_penalty`; layers before it that only
    reshape are left out, as the input gradient is the same numbers)."""
    tail = _one_output_tail(layers)
    upstreams, grad = _input_gradient(layers, x, tail, skip_first)
    rows = len(grad)
    shape = grad.shape
    grad = grad.reshape(rows, -1)
    image = grad[:, :grad.shape[1] - classes]
    norms = np.sqrt(np.einsum("ni,ni->n", image, image))
    value = float(np.mean(np.square(norms - center, dtype=np.float64)))
    # d/dg (||g|| - c)^2 = 2 (||g|| - c) g / ||g|| = 2 (1 - c / ||g||) g; at g = 0 (and c > 0) we take 0
    ratio = np.zeros_like(norms)
    np.divide(center, norms, out=ratio, where=norms > 0)
    coefficient = (2 * weight / rows) * (1 - ratio)
    if classes:   # the label columns are held fixed: no gradient flows from them
        v = np.zeros_like(grad)
        np.multiply(image, coefficient[:, None], out=v[:, :image.shape[1]])
    else:
        v = image * coefficient[:, None]
    v = v.reshape(shape)
    for layer, dy in zip(layers[:tail], reversed(upstreams)):
        v = layer.double_backward(v, dy)
    if tail is not None:
        _tail_double_backward(*layers[tail:tail + 2], layers[-1], v)
    return value


def _one_output_tail(layers):
    """Where a critic's usual ending starts: ``layer, LeakyReLU, [Flatten], Dense(·, 1)``, with ``layer`` a
    ``Dense`` or ``Conv2d``; its index, or None for any other ending. The types must be these exactly (a
    subclass may compute something else)."""
    *body, head = layers
    if body and type(body[-1]) is Flatten:
        body.pop()
    if (type(head) is Dense and head.params["W"].shape[1] == 1 and len(body) >= 2
            and type(body[-1]) is LeakyReLU and type(body[-2]) in (Dense, Conv2d)):
        return len(body) - 2
    return None


def _tail_double_backward(layer, activation, head, v):
    """The double backward pass of a critic's last layers (:func:`_one_output_tail`), ``v`` arriving at
    ``layer``: the gradients of ``layer`` and ``head`` from one product, where the ``double_backward`` calls
    of ``layer``, ``activation``, ``Flatten`` and ``head`` take two.

    Write ``layer`` as rows, ``Y = X W + b`` with ``W`` (K, O) (a ``Conv2d``: a row per window; the rows of
    output position p, one per example n, form block p). Let ``V`` be the rows of ``v`` (for a convolution,
    the windows of ``v``), ``S`` the activation's slope and ``w`` the head's weights, ``w[p, o]`` for
    channel o at position p. In the penalty's backward pass from ``dy = 1``, the head sent ``w`` to every
    example, so ``layer`` received ``dY[n, p, o] = S[n, p, o] w[p, o]``. The calls would compute::

        dW[k, o]      += sum_{n, p} V[n, p, k] S[n, p, o] w[p, o]             V.T @ dY: a product
        d(head)[p, o] += sum_n S[n, p, o] sum_k V[n, p, k] W[k, o]            V @ W: another, then sums

    Both are sums over n of ``V[n, p, k] S[n, p, o]``, ``M[p, o, k] = (S_p.T @ V_p)[o, k]``, one product
    per position (inner size N): then ``dW[k, o] = sum_p w[p, o] M[p, o, k]`` and ``d(head)[p, o] = sum_k
    M[p, o, k] W[k, o]``, two passes over ``M``. The same numbers up to rounding. DCGAN critic: 49 products
    (64 x 64) @ (64 x 512) instead of two (3136 x 512) @ (512 x 64), 1.5 ms less.

    A ``Dense`` layer has one position: ``M = V.T @ S`` (K, O), and both sums are elementwise. For a
    ``Conv2d``, ``M`` is laid out (P, O, K), so that for each channel o, ``M[:, o, :]`` is a (P, K) matrix with
    contiguous rows and both sums are BLAS matrix-vector products, O of each: ``w[:, o] @ M[:, o, :]`` and
    ``M[:, o, :] @ W[:, o]``. ``np.einsum`` summed them more slowly (DCGAN critic: 1.2 against 0.7 ms),
    and the product runs 10% faster with the wide side (K = 512) last (3.2 against 3.5 ms).
    """
    slope = activation.slope
    if type(layer) is not Conv2d:                                # Dense: P = 1
        M = np.dot(v.T, slope)                                   # (K, O)
        layer.grads["W"] += M * head.params["W"][:, 0]
        head.grads["W"][:, 0] += np.einsum("ko,ko->o", M, layer.params["W"])
        return
    W = layer.W_matrix                                           # (K, O)
    S = channels_last(slope)                                     # (N, H_out, W_out, O), a view
    N, H_out, W_out, O = S.shape
    windows = window_view(pad(channels_last(v), layer.padding, layer.scratch), layer.kernel_size, layer.stride)
    w = head.params["W"][:, 0].reshape(O, H_out, W_out)          # Flatten's order is (channel, position)
    W_by_channel = np.ascontiguousarray(W.T)[:, :, None]         # (O, K, 1)
    dW = np.zeros((O, W.shape[0]), W.dtype)
    d_head = np.empty((O, H_out, W_out), W.dtype)
    for i in range(H_out):                                       # one row of positions at a time: M in the cache
        V = windows[:, i].transpose(1, 0, 3, 4, 2).reshape(W_out, N, -1)   # (j, n, k): V_p for the row's p
        M = np.matmul(S[:, i].transpose(1, 2, 0), V)             # (j, o, k)
        by_channel = M.transpose(1, 0, 2)                        # (O, j, K), a view
        dW += np.matmul(w[:, None, i], by_channel)[:, 0]         # sum_p w[p, o] M[p, o, k]
        d_head[:, i] = np.matmul(by_channel, W_by_channel)[:, :, 0]  # sum_k M[p, o, k] W[k, o]
    layer.add_weight_matrix_grad(dW.T)
    head.grads["W"][:, 0] += d_head.reshape(-1)


def _input_gradient(layers, x, tail, skip_first=False):
    """The critic's forward pass on ``x`` and its backward pass from ``dy = 1`` without parameter gradients:
    ``(upstreams, dx)``, ``upstreams`` holding the ``dy`` each layer received, last layer first
    (``double_backward`` needs them). ``skip_first``: the first layer's forward pass has run, ``x`` is its
    output.

    With the usual ending (``tail``, :func:`_one_output_tail`), the forward pass stops at the activation:
    the critic's output is not needed, only the slopes. From ``dy = 1`` the head sends its weights ``w`` to
    every example, and the activation multiplies by its slope, so ``layer`` receives ``slope * w`` (``w``
    in Flatten's (channel, position) order): one multiply where the head, ``Flatten`` and the activation
    took a product, two copies and a multiply (DCGAN critic: 0.3 ms). Their upstreams are not listed."""
    first = 1 if skip_first else 0
    if tail is None:
        out = x
        for layer in layers[first:]:
            out = layer.forward(out)
        if out.shape != (len(x), 1):
            raise ValueError(f"a critic maps N rows to (N, 1), got {out.shape} for input {x.shape}")
        return _backward_keeping_upstreams(layers, np.ones_like(out))
    activation, head = layers[tail + 1], layers[-1]
    h = x
    for layer in layers[first:tail + 2]:
        h = layer.forward(h)
    if math.prod(h.shape[1:]) != head.params["W"].shape[0]:
        raise head.shape_error(f"(N, {head.params['W'].shape[0]})", h.reshape(len(h), -1))
    slope = activation.slope
    # w copied into the slope's memory order (channels-last after a convolution) first: NumPy multiplies
    # arrays of one order 4x faster than a channels-last one by a broadcast channels-first one (DCGAN
    # critic: 0.05 against 0.23 ms)
    w = np.empty_like(slope[0])
    w[...] = head.params["W"][:, 0].reshape(slope.shape[1:])
    dy = np.multiply(slope, w, out=np.empty_like(slope))
    return _backward_keeping_upstreams(layers[:tail + 1], dy)


def _backward_keeping_upstreams(layers, dy):
    """The backward pass of ``layers`` from ``dy`` without parameter gradients: ``(upstreams, dx)``, where
    ``upstreams`` holds the ``dy`` each layer received, last layer first (``double_backward`` needs them)."""
    upstreams = []
    for layer in reversed(layers):
        upstreams.append(dy)
        dy = layer.backward(dy, param_grads=False)
    return upstreams, dy


def random_interpolates(real, fake, rng):
    """WGAN-GP's points ``t real + (1 - t) fake``, one ``t ~ U[0, 1)`` per row drawn from ``rng``: the
    penalty is checked on the lines between the two distributions, where the optimal critic has slope 1.

    ``real`` and ``fake``: same shape (N, ...), float32 or float64 (the result's dtype). A conditional
    critic's rows should pair a real and a fake image of the same label, so the label stays one-hot.
    """
    if real.shape != fake.shape:
        raise ValueError(f"real and fake must have the same shape, got {real.shape} and {fake.shape}")
    return mix(real, fake, interpolation_weights(real, rng))


def interpolation_weights(real, rng):
    """The ``t`` of :func:`random_interpolates`: one uniform number per row of ``real``, (N,), in its dtype."""
    return rng.random(len(real), dtype=real.dtype)


def mix(a, b, t):
    """``t a + (1 - t) b`` row by row, ``t`` (N,): ``(a - b) t + b``, with one temporary."""
    mixed = a - b
    mixed *= t.reshape((len(t),) + (1,) * (a.ndim - 1))
    mixed += b
    return mixed
