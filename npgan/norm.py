"""Batch normalisation (Ioffe & Szegedy, 2015), forward and backward by hand."""
import numpy as np

from .layers import Layer, column_sums


class BatchNorm(Layer):
    """Normalise each channel over the batch, then scale and shift it: ``y = gamma * x_hat + beta``.

    Inputs ``(N, C)`` (a feature is a channel) or ``(N, C, H, W)`` (the statistics of a channel then pool
    the batch *and* every pixel, as ``BatchNorm2d``): ``m`` values per channel, ``m = N`` or ``N H W``.

    Training mode, per channel, over its ``m`` values ``x_i``::

        mu = mean(x_i)      var = mean((x_i - mu)^2)      sigma = sqrt(var + eps)
        x_hat_i = (x_i - mu) / sigma                       y_i = gamma * x_hat_i + beta

    Each channel comes out with mean ``beta`` and standard deviation ``gamma`` (about), whatever the layers
    before it do: deep networks such as a DCGAN's train faster and more stably with it.

    **Running statistics** (``buffers``, saved in checkpoints, never touched by an optimizer) estimate the
    population's ``mu`` and ``var`` for evaluation mode, which normalises with them instead of the batch's,
    so a single example gets a deterministic output. As PyTorch: after each training batch
    ``running = (1 - momentum) running + momentum * batch``, with the batch's *unbiased* variance
    ``var * m / (m - 1)``; ``momentum=None`` makes it the plain average of all batches seen
    (``momentum = 1 / num_batches_tracked``). To re-estimate them for other weights, such as a
    generator's exponential moving average: ``reset_running_stats()``, set ``momentum = None``, and run
    some batches forward in training mode.

    ``params``: ``gamma`` (ones) and ``beta`` (zeros), shape ``(C,)``. ``buffers``: ``running_mean`` (zeros),
    ``running_var`` (ones), ``num_batches_tracked`` (an int64 count).

    Memory: keeps its input (a reference, or one channels-last copy of an image batch that is not) and
    the per-channel ``mu`` and ``1 / sigma`` for the backward pass.

    Speed: an image batch is handled as ``N`` rows of ``H * W * C`` values, channels fastest (the
    convolutions' memory layout), with each per-channel vector repeated ``H * W`` times along the row.
    NumPy then runs every operation as long loops over rows instead of one short loop per pixel of
    ``C`` values (3-4x faster for C = 64), and the sums over the batch are matrix-vector products.
    """

    mixes_rows = True

    def __init__(self, num_features, momentum=0.1, eps=1e-5, *, dtype=np.float32):
        super().__init__()
        if momentum is not None and not 0 <= momentum <= 1 or eps <= 0:
            raise ValueError(f"BatchNorm needs 0 <= momentum <= 1 (or None) and eps > 0, got {momentum}, {eps}")
        self.num_features, self.momentum, self.eps = num_features, momentum, eps
        self.params = {"gamma": np.ones(num_features, dtype=dtype), "beta": np.zeros(num_features, dtype=dtype)}
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        self.buffers = {"running_mean": np.zeros(num_features, dtype=dtype),
                        "running_var": np.ones(num_features, dtype=dtype),
                        "num_batches_tracked": np.zeros((), dtype=np.int64)}

    def config(self):
        return {"num_features": self.num_features, "momentum": self.momentum, "eps": self.eps}

    def reset_running_stats(self):
        """Running mean 0, variance 1, count 0 (in place: ``Sequential.buffers`` holds these arrays)."""
        self.buffers["running_mean"].fill(0)
        self.buffers["running_var"].fill(1)
        self.buffers["num_batches_tracked"].fill(0)

    def _rows(self, x):
        """``x`` as 2-D rows with the channel axis fastest: ``(N, C)`` as it is, ``(N, C, H, W)`` as
        ``(N, H * W * C)`` (a view of channels-last memory, as the convolutions return; else one copy)."""
        if x.ndim not in (2, 4) or x.shape[1] != self.num_features:
            raise self.shape_error(f"(N, {self.num_features}) or (N, {self.num_features}, H, W)", x)
        return x if x.ndim == 2 else x.transpose(0, 2, 3, 1).reshape(len(x), -1)

    def _image(self, rows, like):
        """Rows back to the shape of ``like``: ``(N, C)``, or ``(N, C, H, W)`` as a view of channels-last rows."""
        if like.ndim == 2:
            return rows
        N, C, H, W = like.shape
        return rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)

    def _per_channel(self, row_values):
        """Values per row position (L,) summed over the positions of each channel: (C,)."""
        if self.positions == 1:                                # (N, C) rows: already one value a channel
            return row_values
        return row_values.reshape(-1, self.num_features).sum(axis=0)

    def _along_rows(self, channel_values):
        """A per-channel vector (C,) repeated to the row length, ready to broadcast over the rows."""
        return channel_values if self.positions == 1 else np.tile(channel_values, self.positions)

    def forward(self, x, groups=None):
        """``x`` -> ``y``, same shape.

        ``groups`` (training mode): the sizes of consecutive runs of rows, each normalised with statistics of
        its own, as a batch of its own (default: the whole batch, one group). A GAN's D judges real images
        and fakes in one pass so, with one larger product in each layer around this one, without letting
        the statistics of a batch mixing both tell it which is which.
        """
        rows = self._rows(x)                                   # (N, L), L = positions * C
        self.positions = rows.shape[1] // self.num_features
        self.batch_statistics = self.training
        self.x = rows
        self.groups = self._group_slices(len(rows), groups if self.training else None)
        y = np.empty_like(rows)
        self.statistics = [self._normalise(rows[group], y[group]) for group in self.groups]
        return self._image(y, x)

    @staticmethod
    def _group_slices(n, groups):
        """The rows of each group, as slices of ``0..n-1``."""
        if groups is None:
            return [slice(0, n)]
        if min(groups) < 1 or sum(groups) != n:
            raise ValueError(f"BatchNorm groups must be positive sizes adding up to the batch's {n} rows, "
                             f"got {groups}")
        ends = np.cumsum(groups)
        return [slice(int(end - size), int(end)) for size, end in zip(groups, ends)]

    def _normalise(self, rows, y):
        """One group's ``gamma * x_hat + beta`` into ``y``; returns its ``(mu, 1 / sigma)``."""
        m = len(rows) * self.positions                         # values per channel
        if self.training:
            if m < 2:
                raise ValueError(f"{self!r} needs more than one value per channel in training mode, got "
                                 f"{len(rows)} rows of {rows.shape[1]}")
            mean = self._per_channel(column_sums(rows)) / m
        else:
            mean = self.buffers["running_mean"].astype(rows.dtype)
        np.subtract(rows, self._along_rows(mean), out=y)       # x - mu
        if self.training:
            var = self._per_channel(_column_dots(y, y)) / m
            self._update_running_stats(mean, var, m)
        else:
            var = self.buffers["running_var"].astype(rows.dtype)
        inv_std = 1 / np.sqrt(var + self.eps)
        y *= self._along_rows(self.params["gamma"] * inv_std)  # gamma x_hat
        y += self._along_rows(self.params["beta"])
        return mean, inv_std

    def _update_running_stats(self, mean, var, m):
        self.buffers["num_batches_tracked"] += 1
        f = self.momentum if self.momentum is not None else 1 / int(self.buffers["num_batches_tracked"])
        for name, batch_value in (("running_mean", mean), ("running_var", var * (m / (m - 1)))):
            running = self.buffers[name]
            running *= 1 - f
            running += f * batch_value

    def backward(self, dy, *, input_grad=True, param_grads=True):
        """``dy`` -> ``dx``, same shape.

        ``dL/dbeta = sum_i dy_i`` and ``dL/dgamma = sum_i dy_i x_hat_i`` (sums over the ``m`` values of a channel).

        **The batch couples the examples.** In training mode ``mu`` and ``sigma`` are computed from the whole
        batch, so each input ``x_j`` moves every output of its channel, not only its own. With
        ``d mu / d x_j = 1/m`` and ``d sigma / d x_j = x_hat_j / m`` (the ``(x_i - mu)`` summed over ``i`` are 0),
        the quotient rule gives ``d x_hat_i / d x_j = (delta_ij - 1/m - x_hat_i x_hat_j / m) / sigma``, and
        summing ``gamma dy_i`` times it over ``i``::

            dx_j = gamma / sigma * (dy_j - mean_i(dy_i) - x_hat_j * mean_i(dy_i x_hat_i))

        the upstream gradient with its mean and its component along ``x_hat`` removed: shifting or scaling
        a channel's inputs does not change ``x_hat``, so the gradient has no such component.
        In evaluation mode ``mu`` and ``sigma`` are constants and ``dx = gamma / sigma * dy``.

        ``x_hat`` is recomputed from the kept input, ``(x - mu) / sigma``: cheaper than keeping a copy.
        With ``groups``, each group is a batch of its own: the means run over its rows only.
        """
        dy_rows = self._rows(dy)
        dx = np.empty_like(dy_rows) if input_grad else None
        for group, (mean, inv_std) in zip(self.groups, self.statistics):
            self._backward_group(dy_rows[group], self.x[group], mean, inv_std,
                                 None if dx is None else dx[group], param_grads)
        return None if dx is None else self._image(dx, dy)

    def _backward_group(self, dy, x, mean, inv_std, dx, param_grads):
        """One group's part of :meth:`backward`: its ``dx`` into ``dx`` (unless None), its share of ``dgamma``
        and ``dbeta`` into ``grads``."""
        m = len(dy) * self.positions
        if param_grads or self.batch_statistics:               # (evaluation mode's dx needs neither sum)
            x_centered = np.subtract(x, self._along_rows(mean), out=dx)  # in dx's memory, reused below
            dbeta = self._per_channel(column_sums(dy))
            dgamma = self._per_channel(_column_dots(dy, x_centered)) * inv_std
        if param_grads:
            self.grads["gamma"] += dgamma
            self.grads["beta"] += dbeta
        if dx is None:
            return
        scale = self.params["gamma"] * inv_std                 # gamma / sigma
        if not self.batch_statistics:
            np.multiply(dy, self._along_rows(scale), out=dx)
            return
        # dx = scale * (dy - mean(dy) - x_hat * mean(dy x_hat)), in place over x - mu
        dx *= self._along_rows(inv_std * dgamma / m)           # x_hat * mean(dy x_hat)
        dx += self._along_rows(dbeta / m)
        np.subtract(dy, dx, out=dx)
        dx *= self._along_rows(scale)


def _column_dots(a, b):
    """``sum(a * b)`` over the rows (N, L) -> (L,), without an ``a * b`` temporary."""
    return np.einsum("nl,nl->l", a, b)
