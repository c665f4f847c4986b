"""Layers with hand-written forward and backward passes.

Every layer works on a batch: rows are examples, ``x`` has shape ``(N, D_in)`` (image layers take
``(N, C, H, W)``). This file holds the dense layer, the activations, ``Dropout``, ``Reshape``/``Flatten``/``Pack``
and ``Sequential``; convolutions are in :mod:`npgan.conv`, batch normalisation in :mod:`npgan.norm`.

- ``forward(x)`` returns ``y`` and caches what the backward pass needs.
- ``backward(dy)`` takes ``dL/dy`` (same shape as ``y``), returns ``dL/dx`` and **adds** the gradients of the
  layer's parameters into ``grads`` (so two backward passes accumulate; ``zero_grad()`` clears them).
  ``backward`` never changes ``params``: the optimizer does that.
- ``double_backward(v, dy)`` (the layers a critic may hold): the backward pass of ``backward`` itself, for
  gradient penalties, which differentiate an input gradient (see :mod:`npgan.penalties`). ``backward``
  maps ``dy`` to ``dx``; given ``v = dP/d(dx)`` and the ``dy`` that ``backward`` received, it returns
  ``dP/d(dy)`` and adds ``dP/d(params)`` into ``grads``.

Two keyword switches let a caller skip work whose result it would throw away, and nothing else:
``input_grad=False`` (returns ``None``: the first layer of a network being trained needs no ``dL/dx``) and
``param_grads=False`` (a network that is only passed *through*, like the discriminator during the
generator's step, needs no weight gradients). Without weight gradients, the layers a network may start with
(``Dense``, ``Conv2d``, ``Reshape``) take the ``dy`` of any rows of the last batch and return those rows'
``dx`` (their input gradient works row by row): ``Sequential.backward(input_grad=rows)`` relies on it.

``Sequential`` keeps all parameters of its layers in one flat array (and all gradients in another), the
layers' ``params`` and ``grads`` being views into them. The optimizer then updates a whole network with a
handful of vectorised operations instead of a loop over arrays. The price: code must update parameters
*in place* (``W -= ...``, ``W[...] = ...``), never rebind them (``layer.params["W"] = new_array``).
The same holds for ``buffers``, which ``Sequential.buffers`` lists by reference.
"""
import math

import numpy as np

from .losses import sigmoid


class Layer:
    """Base class: a layer without parameters.

    ``params``/``grads``: what the optimizer trains and its gradients (same keys and shapes).
    ``buffers``: state that is saved with the layer but never trained (batch norm's running statistics).
    ``training``: the mode set by ``train()``/``eval()``; only layers that behave differently at
    evaluation time (batch norm, dropout) look at it.
    """

    mixes_rows = False  # True for a layer whose rows' outputs depend on the other rows (batch norm)

    def __init__(self):
        self.params = {}
        self.grads = {}
        self.buffers = {}
        self.training = True

    def train(self, mode=True):
        """Training mode (``mode=False``: evaluation mode); returns the layer."""
        self.training = bool(mode)
        return self

    def eval(self):
        """Evaluation mode; returns the layer."""
        return self.train(False)

    def config(self):
        """The constructor arguments that fix the layer's shape (JSON-friendly): enough, with the saved
        ``params`` and ``buffers``, to rebuild it (:mod:`npgan.models` does)."""
        return {}

    def zero_grad(self):
        for grad in self.grads.values():
            grad.fill(0)

    def __repr__(self):
        args = ", ".join(f"{name}={value}" for name, value in self.config().items())
        return f"{type(self).__name__}({args})"

    def shape_error(self, expected, x):
        """The ``ValueError`` for an input of the wrong shape: names the layer, what it expects and what it got."""
        return ValueError(f"{self!r} expects input of shape {expected}, got {tuple(np.shape(x))}")

    def parameters(self):
        """Yield ``(name, param, grad)`` for each parameter, in a stable order."""
        for name, param in self.params.items():
            yield name, param, self.grads[name]

    def __call__(self, x):
        return self.forward(x)


INITS = ("glorot", "dcgan", "pytorch")


def initial_weight_and_bias(init, weight_shape, bias_size, fan_in, fan_out, rng, dtype):
    """Starting values ``(W, b)`` of a layer whose outputs each sum ``fan_in`` inputs times weights.

    ``init`` (weights from ``rng``, drawn in float64, then cast to ``dtype``):

    - ``"glorot"``: ``W ~ U(-r, r)``, ``r = sqrt(6 / (fan_in + fan_out))``, ``b = 0``. TensorFlow's default
      (the tutorial's ``tf.layers.dense``, also ``tf.layers.conv2d``): it keeps the variance of activations
      (forward) and of gradients (backward) roughly equal from layer to layer.
    - ``"dcgan"``: ``W ~ N(0, 0.02^2)``, ``b = 0``, as in the DCGAN paper (Radford et al., 2016).
    - ``"pytorch"``: PyTorch's default, ``W, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` (its
      "kaiming-uniform with a = sqrt(5)").
    """
    if init == "glorot":
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        W, b = rng.uniform(-limit, limit, weight_shape), np.zeros(bias_size)
    elif init == "dcgan":
        W, b = rng.normal(0.0, 0.02, weight_shape), np.zeros(bias_size)
    elif init == "pytorch":
        bound = 1 / np.sqrt(fan_in)
        W = rng.uniform(-bound, bound, weight_shape)
        b = rng.uniform(-bound, bound, bias_size)
    else:
        raise ValueError(f"unknown init {init!r}: choose one of {', '.join(INITS)}")
    return W.astype(dtype), b.astype(dtype)


def column_sums(rows):
    """Sum over the rows (N, L) -> (L,), as a matrix-vector product ``ones @ rows``: BLAS reads the rows once,
    3x faster than ``rows.sum(axis=0)`` for the convolutions' bias gradients (12544 rows of 64)."""
    return np.matmul(np.ones(len(rows), dtype=rows.dtype), rows)


# Weights from this many numbers on: Dense computes its input gradient as (W @ dy.T).T. OpenBLAS multiplies
# a batch by a *transposed* matrix (dy @ W.T) 20-35% more slowly than it multiplies W by a transposed batch,
# but the result is then a transposed view, which costs the next elementwise layer more time than the
# product saves for smaller weights (measured at batch 64 to 100: the tutorial's 128 x 784 lose 4-7%,
# mlp-bn's 512 x 1024 and 1024 x 784 gain 20%).
TRANSPOSED_DX_SIZE = 1 << 18


class Dense(Layer):
    """Fully connected layer ``y = x @ W + b``.

    Shapes: ``x`` (N, in_features), ``W`` (in_features, out_features), ``b`` (out_features,),
    ``y`` (N, out_features).

    ``init="glorot"`` (the default) gives Glorot-uniform ``W`` and zero ``b``: the initialisation of
    ``tf.layers.dense`` in the tutorial. ``"dcgan"`` and ``"pytorch"`` are the other choices
    (:func:`initial_weight_and_bias`).
    """

    def __init__(self, in_features, out_features, *, init="glorot", rng=None, dtype=np.float32):
        super().__init__()
        self.params["W"], self.params["b"] = initial_weight_and_bias(
            init, (in_features, out_features), out_features, in_features, out_features,
            np.random.default_rng(rng), dtype)
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}

    def config(self):
        in_features, out_features = self.params["W"].shape
        return {"in_features": in_features, "out_features": out_features}

    def forward(self, x):
        if x.ndim != 2 or x.shape[1] != self.params["W"].shape[0]:
            raise self.shape_error(f"(N, {self.params['W'].shape[0]})", x)
        self.x = x
        y = np.dot(x, self.params["W"])
        y += self.params["b"]  # in place: no second (N, out) temporary
        self.y = y  # a reference: WGAN-GP's interpolates reuse a critic's first outputs (npgan.penalties)
        return y

    def backward(self, dy, *, input_grad=True, param_grads=True):
        """``dy`` (N, out) -> ``dx`` (N, in).

        Since ``y_nj = sum_i x_ni W_ij + b_j``, the chain rule gives (summing over the batch n)
        ``dL/dW_ij = sum_n x_ni dy_nj``, i.e. ``x.T @ dy``; ``dL/db_j = sum_n dy_nj``, i.e. ``dy.sum(0)``;
        and ``dL/dx_ni = sum_j dy_nj W_ij``, i.e. ``dy @ W.T``.
        """
        if param_grads:
            self.grads["W"] += np.dot(self.x.T, dy)
            self.grads["b"] += dy.sum(axis=0)
        if not input_grad:
            return None
        W = self.params["W"]
        if W.shape[1] == 1:
            # One output unit (a critic's last layer): dy @ W.T is an outer product, one multiplication per
            # entry, which a broadcast multiply computes bit for bit as BLAS does, 2x faster than np.dot
            # (and NumPy's matmul, which runs it without BLAS, is slower still).
            return dy * W[:, 0]
        if W.size >= TRANSPOSED_DX_SIZE:
            # dx = dy @ W.T computed as (W @ dy.T).T: the same numbers, bit for bit, as a transposed view.
            return np.dot(W, dy.T).T
        return np.dot(dy, W.T)

    def double_backward(self, v, dy):
        """The backward pass of ``backward``: ``v = dP/d(dx)`` (N, in), ``dy`` (N, out) as ``backward`` got it
        -> ``dP/d(dy)`` (N, out); adds ``dP/dW`` into ``grads["W"]``.

        ``backward`` computed ``dx = dy @ W.T``: linear in ``dy`` and in ``W``, and free of ``x`` and ``b``.
        With ``P`` depending on ``dx_ni = sum_j dy_nj W_ij`` through ``v``:

            dP/d(dy_nj) = sum_i v_ni W_ij     i.e. ``v @ W``: this layer's forward pass on ``v``, without ``b``
            dP/dW_ij    = sum_n v_ni dy_nj    i.e. ``v.T @ dy``: backward's ``dW`` with ``v`` in place of ``x``
            dP/db = 0,  dP/dx = 0             (``dx`` does not depend on them)

        So ``v`` travels input -> output, as in the forward pass.
        """
        self.grads["W"] += np.dot(v.T, dy)
        return np.dot(v, self.params["W"])


class LeakyReLU(Layer):
    """``y = max(alpha * x, x)``: like ReLU, but negative inputs keep a small slope ``alpha`` (0 < alpha < 1),
    so a unit that is "off" still passes some gradient back and cannot die."""

    def __init__(self, alpha=0.01):
        super().__init__()
        if not 0 <= alpha < 1:
            raise ValueError(f"LeakyReLU needs 0 <= alpha < 1, got {alpha}")
        self.alpha = alpha

    def config(self):
        return {"alpha": self.alpha}

    def forward(self, x):
        """``y = slope * x``, the slope ``max([x > 0], alpha)`` (1 where ``x > 0``, ``alpha`` elsewhere): the same
        numbers as the tutorial's ``tf.maximum(alpha * h1, h1)``. The slope is kept: it is ``dy/dx``, which
        every backward pass multiplies by (a gradient penalty's ``backward`` and ``double_backward`` both).

        The slope is computed as ``alpha + (1 - alpha) [x > 0]``, a multiply and an add on the 0/1 mask:
        NumPy's ``np.maximum(mask, alpha)`` with a scalar is 2.5x slower than both together (0.39 ms against
        0.16 for the DCGAN critic's 128 x 32 x 14 x 14 activations). With ``1 - alpha`` rounded in x's dtype,
        ``(1 - alpha) + alpha`` rounds to exactly 1 (exact for alpha >= 1/2; below, ``1 - alpha`` is off by at
        most a quarter of the spacing of floats just above 1, too little to leave 1), so the slope is 1 or
        ``alpha``, bit for bit as with the maximum."""
        self.x = x
        self.slope = (x > 0).astype(x.dtype)
        alpha = x.dtype.type(self.alpha)
        self.slope *= 1 - alpha
        self.slope += alpha
        return x * self.slope

    def backward(self, dy, *, input_grad=True, param_grads=True):
        """``dy`` (N, D) -> ``dx = slope * dy`` (N, D), the slope 1 where ``x > 0`` and ``alpha`` elsewhere."""
        if not input_grad:
            return None
        # written in x's memory order, not dy's: after a convolution that is channels-last, which the
        # convolution's backward pass then takes without a copy (a plain `slope * dy` would follow dy)
        dx = np.empty_like(self.slope, dtype=np.result_type(self.slope, dy))
        return np.multiply(self.slope, dy, out=dx)

    def double_backward(self, v, dy):
        """The backward pass of ``backward`` (``dx = slope(x) * dy``): ``v = dP/d(dx)`` -> ``dP/d(dy) =
        slope(x) * v``, which is ``backward(v)``: the Jacobian ``diag(slope)`` is its own transpose.

        No second-derivative term: ``dx`` also depends on ``x`` through ``slope(x)``, but the slope is
        piecewise constant (1 or ``alpha``), so its derivative is 0 wherever it exists (all ``x != 0``).
        """
        return self.backward(v)


class Tanh(Layer):
    """``y = tanh(x)``, squashing to (-1, 1): the generator's output range, matching images scaled to [-1, 1]."""

    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, dy, *, input_grad=True, param_grads=True):
        """``dy`` (N, D) -> ``dx`` (N, D), using ``tanh'(x) = 1 - tanh(x)^2 = 1 - y^2``."""
        if not input_grad:
            return None
        dx = self.y * self.y
        np.subtract(1, dx, out=dx)  # in place: the (N, 784) output layer makes temporaries costly
        dx *= dy
        return dx


class Sigmoid(Layer):
    """``y = 1 / (1 + exp(-x))``, squashing to (0, 1); computed without overflow for any ``x``."""

    def forward(self, x):
        self.y = sigmoid(x)
        return self.y

    def backward(self, dy, *, input_grad=True, param_grads=True):
        """``dy`` (N, D) -> ``dx`` (N, D), using ``sigmoid'(x) = y (1 - y)``."""
        return dy * self.y * (1 - self.y) if input_grad else None


class ReLU(Layer):
    """``y = max(x, 0)``: the DCGAN generator's activation."""

    def forward(self, x):
        self.y = np.maximum(x, 0)
        return self.y

    def backward(self, dy, *, input_grad=True, param_grads=True):
        """``dy`` -> ``dx``, same shape: the slope is 1 where the unit is on (``y > 0``), 0 elsewhere."""
        return dy * (self.y > 0) if input_grad else None

    def double_backward(self, v, dy):
        """``dP/d(dy) = [y > 0] * v``, i.e. ``backward(v)``, as for :meth:`LeakyReLU.double_backward`: a
        diagonal Jacobian, and a slope (0 or 1) whose derivative is 0 wherever it exists."""
        return self.backward(v)


class Dropout(Layer):
    """Inverted dropout: in training, each input is zeroed with probability ``p`` and the survivors are
    scaled by ``1 / (1 - p)``, so every unit keeps its expected value and evaluation needs no rescaling:
    in evaluation mode the layer is the identity.

    The masks come from ``self.rng``, a ``np.random.Generator`` (``rng`` may be a seed or a generator,
    which is then used, and advanced, as it is). Saving ``rng.bit_generator.state`` and restoring it
    replays the same masks, so a resumed training run stays exact.
    """

    def __init__(self, p, *, rng=None):
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f"Dropout needs 0 <= p < 1, got {p}")
        self.p = p
        self.rng = np.random.default_rng(rng)

    def config(self):
        return {"p": self.p}

    def forward(self, x):
        if not self.training or self.p == 0:
            self.mask = None
            return x
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.p
        self.mask = np.multiply(keep, 1 / (1 - self.p), dtype=x.dtype)  # 0 or 1/(1-p)
        return x * self.mask

    def backward(self, dy, *, input_grad=True, param_grads=True):
        """``y = x * mask``, so ``dx = dy * mask``: dropped units pass no gradient."""
        if not input_grad:
            return None
        return dy if self.mask is None else dy * self.mask

    def double_backward(self, v, dy):
        """``dP/d(dy) = mask * v``, i.e. ``backward(v)``: ``dx = mask * dy`` is linear in ``dy``, with a
        diagonal Jacobian, and the mask does not depend on ``x``."""
        return self.backward(v)


class Reshape(Layer):
    """Each example to ``shape``: ``(N, ...)`` -> ``(N, *shape)``, e.g. a generator's ``(N, 6272)`` dense output to
    ``(N, 128, 7, 7)`` images. The order of the values does not change, so the backward pass reshapes back."""

    def __init__(self, shape):
        super().__init__()
        self.shape = tuple(int(size) for size in shape)
        if not self.shape or min(self.shape) < 1:
            raise ValueError(f"Reshape needs positive sizes, got {shape}")

    def config(self):
        return {"shape": list(self.shape)}

    def forward(self, x):
        size = math.prod(self.shape)
        if x.ndim < 1 or x.size != len(x) * size:
            raise self.shape_error(f"(N, ...) with {size} values per example", x)
        self.input_shape = x.shape
        return x.reshape((len(x),) + self.shape)

    def backward(self, dy, *, input_grad=True, param_grads=True):
        return dy.reshape((len(dy),) + self.input_shape[1:]) if input_grad else None  # any rows (Sequential)

    def double_backward(self, v, dy):
        """``backward`` only reshapes ``dy`` (a linear map with no parameters), so ``dP/d(dy)`` is ``v``
        reshaped back to ``dy``'s shape."""
        return v.reshape(dy.shape)


class Flatten(Layer):
    """``(N, C, H, W)`` (or any ``(N, ...)``) -> ``(N, C*H*W)``, in C order (channel, row, column) as PyTorch."""

    def forward(self, x):
        if x.ndim < 2:
            raise self.shape_error("(N, ...)", x)
        self.x = x  # its shape and memory order, for backward (a reference, not a copy)
        return x.reshape(len(x), -1)

    def backward(self, dy, *, input_grad=True, param_grads=True):
        """``dy`` reshaped back, in the memory order of the input: after a convolution, channels-last, as the
        activation's slope before it. NumPy multiplies two arrays of different memory orders slowly: this
        copy and a multiply in one order take 0.33 ms where the mixed multiply took 0.58 (DCGAN critic, 128
        images of 64 x 7 x 7)."""
        if not input_grad:
            return None
        if self.x.flags.c_contiguous:
            return dy.reshape(self.x.shape)
        dx = np.empty_like(self.x)  # the input's memory order (channels-last after a convolution)
        dx[...] = dy.reshape(self.x.shape)
        return dx

    def double_backward(self, v, dy):
        """As :meth:`Reshape.double_backward`: ``v`` reshaped to ``dy``'s shape."""
        return v.reshape(dy.shape)


class Pack(Layer):
    """PacGAN's packing (Lin et al., 2018): ``m`` consecutive rows side by side, ``(N, D) -> (N/m, m*D)``.

    A discriminator fed packed rows judges ``m`` samples at once, all real or all fake. One sample of a
    generator that covers a single mode looks real; ``m`` of them, all from that mode, do not: a real
    pack would come from ``m`` random modes. So D can punish missing modes, which it cannot see one
    sample at a time. Row ``i`` of the output is rows ``i*m .. i*m + m - 1`` of the input in C order,
    a reshape, so the backward pass reshapes the gradient back: each sample gets its own slice of it.
    """

    def __init__(self, m):
        super().__init__()
        self.m = int(m)
        if self.m < 1:
            raise ValueError(f"Pack needs m >= 1, got {m}")

    def config(self):
        return {"m": self.m}

    def forward(self, x):
        if x.ndim != 2 or len(x) % self.m:
            raise self.shape_error(f"(N, D) with N a multiple of {self.m}", x)
        self.input_shape = x.shape
        return x.reshape(len(x) // self.m, self.m * x.shape[1])

    def backward(self, dy, *, input_grad=True, param_grads=True):
        return dy.reshape(self.input_shape) if input_grad else None


class LabelChannels(Layer):
    """A conditional convolutional discriminator's input layer: rows ``(N, C*H*W + classes)``, an image and
    its one-hot label side by side as the GAN passes them, -> images ``(N, C + classes, H, W)``: the image,
    and for each class a constant channel holding that label value at every pixel. The first convolution
    then sees the label wherever it looks (the conditional GAN's concatenation, done for images).

    ``shape``: the image's ``(C, H, W)``. Backward: the image channels' gradient goes back to the pixels;
    a constant channel's value was used at every pixel, so its gradient is the sum over them.
    """

    def __init__(self, shape, classes):
        super().__init__()
        self.shape, self.classes = tuple(int(size) for size in shape), int(classes)
        if len(self.shape) != 3 or min(self.shape) < 1 or self.classes < 1:
            raise ValueError(f"LabelChannels needs an image shape (C, H, W) and classes >= 1, got {shape}, {classes}")

    def config(self):
        return {"shape": list(self.shape), "classes": self.classes}

    def forward(self, x):
        C, H, W = self.shape
        pixels = C * H * W
        if x.ndim != 2 or x.shape[1] != pixels + self.classes:
            raise self.shape_error(f"(N, {pixels} + {self.classes})", x)
        # Channels-last memory, returned as an (N, C, H, W) view: what Conv2d takes without a copy.
        images = np.empty((len(x), H, W, C + self.classes), dtype=x.dtype)
        images[..., :C] = x[:, :pixels].reshape(-1, C, H, W).transpose(0, 2, 3, 1)
        images[..., C:] = x[:, None, None, pixels:]
        return images.transpose(0, 3, 1, 2)

    def backward(self, dy, *, input_grad=True, param_grads=True):
        if not input_grad:
            return None
        C = self.shape[0]
        return np.concatenate([dy[:, :C].reshape(len(dy), -1), dy[:, C:].sum(axis=(2, 3))], axis=1)

    def double_backward(self, v, dy):
        """``dP/d(dy)`` for ``v = dP/d(dx)`` (N, C*H*W + classes): ``forward(v)``.

        The layer is linear without parameters, ``y = A x``, so ``backward`` is ``dx = A^T dy`` and the
        backward pass of that is ``A v``: the forward pass again (pixels to their channels, each label
        value copied to every pixel of its channel). No parameter gradient, no second-derivative term.
        """
        return self.forward(v)


class Sequential(Layer):
    """Layers applied in order; backward runs them in reverse (the chain rule).

    All parameters live in one flat array ``flat_params`` and all gradients in ``flat_grads``; each layer's
    ``params``/``grads`` entries are views into them. Parameter names are ``"<layer index>/<name>"``, e.g.
    ``"0/W"``: stable, and used as checkpoint keys. ``buffers`` uses the same keys (``"1/running_mean"``).
    ``train()``/``eval()`` set the mode of every layer.
    """

    def __init__(self, *layers):
        super().__init__()
        if any(isinstance(layer, Sequential) for layer in layers):
            raise TypeError("Sequential takes layers, not other Sequentials: list their .layers instead")
        self.layers = list(layers)
        self.flat_params, self.flat_grads = self._pack()
        self.buffers = {f"{i}/{name}": buffer for i, layer in enumerate(self.layers)
                        for name, buffer in layer.buffers.items()}

    def train(self, mode=True):
        for layer in self.layers:
            layer.train(mode)
        return super().train(mode)

    def _pack(self):
        """Move every parameter and gradient into one flat array each; make the layers' entries views."""
        named = [(f"{i}/{name}", layer, name) for i, layer in enumerate(self.layers) for name in layer.params]
        dtypes = {layer.params[name].dtype for _, layer, name in named}
        if len(dtypes) > 1:
            raise TypeError(f"all parameters of a Sequential must share one dtype, got {sorted(map(str, dtypes))}")
        dtype = dtypes.pop() if dtypes else np.float32
        flat_params = np.empty(sum(layer.params[name].size for _, layer, name in named), dtype=dtype)
        flat_grads = np.zeros_like(flat_params)
        offset = 0
        for key, layer, name in named:
            shape, size = layer.params[name].shape, layer.params[name].size
            flat_params[offset:offset + size] = layer.params[name].ravel()
            layer.params[name] = self.params[key] = flat_params[offset:offset + size].reshape(shape)
            layer.grads[name] = self.grads[key] = flat_grads[offset:offset + size].reshape(shape)
            offset += size
        return flat_params, flat_grads

    def forward(self, x, groups=None):
        """The layers in order. ``groups``: sizes of consecutive runs of rows that the layers mixing rows
        (``mixes_rows``: batch norm) treat as batches of their own; the others work row by row anyway."""
        for layer in self.layers:
            x = layer.forward(x, groups=groups) if groups is not None and layer.mixes_rows else layer.forward(x)
        return x

    def backward(self, dy, *, input_grad=True, param_grads=True):
        """Chain rule, last layer first.

        ``input_grad=False``: no layer computes a ``dx`` that only the network's input would receive. That is
        the first layer's, and also that of the first layer *with parameters* when only parameter-free layers
        come before it: a DCGAN discriminator starts with ``Reshape``, and its first convolution would else
        compute an input gradient (a product and a col2im) that the ``Reshape`` throws away.

        ``input_grad=rows`` (a slice): the ``dx`` of those rows only (InfoGAN's D step wants it for 16 of
        144). That first layer with parameters then runs twice: its weight gradients from every row, its
        ``dx`` from those rows of ``dy`` alone, which the layers before it (``Reshape``) take as they come.
        """
        first = next((i for i, layer in enumerate(self.layers) if layer.params), len(self.layers))
        for index in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[index]
            if index == first and isinstance(input_grad, slice):
                layer.backward(dy, input_grad=False, param_grads=param_grads)
                dy = layer.backward(dy[input_grad], param_grads=False)
            else:
                dy = layer.backward(dy, input_grad=input_grad is not False or index > first, param_grads=param_grads)
        return dy

    def zero_grad(self):
        self.flat_grads.fill(0)
