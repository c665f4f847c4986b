"""Convolutions by hand: ``Conv2d`` and its transpose ``ConvTranspose2d``, each one matrix product.

**im2col.** A convolution slides a ``(C, k, k)`` kernel over the (zero-padded) image with step ``stride``;
each output value is the dot product of one window of the input with one kernel. Copy every window into a
row of a matrix, ``cols`` of shape ``(N * H_out * W_out, k * k * C)`` ("image to columns"), and all the dot
products of all ``out_channels`` kernels become *one* matrix product ``cols @ W_matrix``, which BLAS runs
near the machine's peak speed. The backward pass is the same product read backwards (see ``Conv2d``), plus
``col2im``, which adds each row of a gradient back onto the window it was copied from. NumPy's strided adds
are slow, so where it copies less, ``col2im_by_phases`` gets the same sums from one more ``im2col`` and
product instead (a stride-2 layer's input gradient is four stride-1 convolutions, one per pixel parity).

**Memory layout.** At the interface, image batches are ``(N, C, H, W)`` as in PyTorch and the papers.
Inside, these layers work channels-last, ``(N, H, W, C)``: a window's ``k * k * C`` values then lie in ``k``
runs of ``k * C`` consecutive numbers (``im2col`` copies long runs), and ``cols @ W_matrix``, of shape
``(N * H_out * W_out, out)``, already *is* the output in ``(N, H_out, W_out, out)`` order. The layers return
it as an ``(N, C, H, W)`` *view* of that channels-last memory (PyTorch calls this the ``channels_last``
memory format): same shape, same values, same indexing, and no transposing copy. NumPy's elementwise
operations keep the memory order of their inputs, so activations and batch norm in between keep it too,
and the next convolution takes its input back without a copy. Any other ``(N, C, H, W)`` array works as
well; it is copied once.
"""
import math

import numpy as np

from .layers import Layer, column_sums, initial_weight_and_bias


# The convolutions' products run on slabs of this many images at a time, each slab's windows copied just
# before its product reads them: a slab of the DCGAN critic's 32 -> 64 layer is 16 x 49 windows of 512
# numbers (1.6 MB, in the cache), the loss's whole batch of 128 images 12.8 MB (not, beside what other
# processes keep there). Its penalised critic step: 2.8 ms faster (docs/speed.md; 8 images: too small).
SLAB = 16


def channels_last(x):
    """``(N, C, H, W)`` -> ``(N, H, W, C)``: a view, no copy."""
    return x.transpose(0, 2, 3, 1)


def channels_first(x):
    """``(N, H, W, C)`` -> ``(N, C, H, W)``: a view, no copy."""
    return x.transpose(0, 3, 1, 2)


def pad(x, padding, scratch=None, name="padded"):
    """Channels-last ``x`` (N, H, W, C) with ``padding`` zeros around each image: (N, H + 2p, W + 2p, C).
    ``scratch``: a layer's dict for :func:`zero_bordered` (then the result lives until the layer pads again
    under the same ``name``)."""
    if padding == 0:
        return x
    N, H, W, C = x.shape
    inside = (slice(padding, padding + H), slice(padding, padding + W))
    padded = zero_bordered(scratch, name, (N, H + 2 * padding, W + 2 * padding, C), inside, x.dtype)
    padded[(slice(None), *inside)] = x
    return padded


def zero_bordered(scratch, name, shape, inside, dtype):
    """``np.zeros(shape, dtype)`` for a caller that then writes the box ``inside`` (slices of axes 1, 2, ...)
    of every image (axis 0), and nothing else: the zeros around the box stay zeros.

    So a layer can keep the array, ``scratch[name]`` (its dict, or None: a new array every time), and hand
    out its first N images again for the same ``shape[1:]``, ``inside`` and ``dtype``, and the caller
    rewrites only the box: ``np.zeros`` writes every number (the DCGAN critic's penalised step pads 2
    batches of 128 x 16 x 16 x 32 numbers, and its input gradients by phases 1.5 batches of 128 x 9 x 9 x 64:
    1.1 ms of zeros). The array handed out is overwritten by the next call for the same ``name``."""
    if scratch is None:
        return np.zeros(shape, dtype)
    key = (shape[1:], tuple((box.start, box.stop) for box in inside), np.dtype(dtype))
    kept = scratch.get(name)
    if kept is None or kept[0] != key or len(kept[1]) < shape[0]:
        kept = scratch[name] = (key, np.zeros(shape, dtype))
    return kept[1][:shape[0]]


def im2col(x, kernel_size, stride, out=None, windows=None):
    """Every ``k x k`` window of channels-last ``x`` (N, H, W, C), taken with step ``stride``, as one row:
    ``cols`` (N * H_out * W_out, k * k * C), rows in (n, i, j) order, each row in (kh, kw, C) order.
    ``out``: rows of a matrix from :func:`cols_matrix` to write them into (else a new one); ``windows``:
    :func:`window_view` of ``x``, if made already (then ``x`` is not read).

    :func:`window_view` gives all windows as a view, no copy; the assignment makes the one copy.

    One channel (a grayscale image) is copied the other way round. A window's rows are then only ``k``
    numbers long, and NumPy copies such short runs slowly (the DCGAN critic's first layer: 0.7 ms for a
    batch of 128). So ``cols``' transpose is filled instead, one kernel offset at a time (each a strided
    copy of the image, 3x faster), and returned transposed: the same matrix, stored column by column,
    which BLAS reads as fast in every product.
    """
    if windows is None:
        windows = window_view(x, kernel_size, stride)
    N, H_out, W_out, C, k, _ = windows.shape
    if out is None:
        out = cols_matrix(N * H_out * W_out, kernel_size, C, windows.dtype)
    if C == 1:
        out.T.reshape(k, k, N, H_out, W_out)[...] = windows[:, :, :, 0].transpose(3, 4, 0, 1, 2)
    else:
        out.reshape(N, H_out, W_out, k, k, C)[...] = windows.transpose(0, 1, 2, 4, 5, 3)
    return out


def window_view(x, kernel_size, stride):
    """Every ``k x k`` window of channels-last ``x`` (N, H, W, C) with step ``stride``: a view (N, H_out,
    W_out, C, kh, kw), no copy. :func:`im2col` of its first ``n`` images is ``im2col`` of ``x[:n]``.

    Window ``(i, j)``'s tap ``(u, v)`` is pixel ``(s i + u, s j + v)``: the view steps ``s`` rows (columns)
    of ``x`` per window and one per tap. NumPy's ``sliding_window_view(x, (k, k), axis=(1, 2))[:, ::s, ::s]``
    is the same view, made in 17 microseconds instead of 5 (its checks; the penalised DCGAN critic step
    makes seven)."""
    N, H, W, C = x.shape
    k, s = kernel_size, stride
    n_step, h_step, w_step, c_step = x.strides
    return np.lib.stride_tricks.as_strided(x, (N, (H - k) // s + 1, (W - k) // s + 1, C, k, k),
                                           (n_step, s * h_step, s * w_step, c_step, h_step, w_step),
                                           writeable=False)


def cols_matrix(rows, kernel_size, channels, dtype):
    """An empty ``cols`` (rows, k k C) for :func:`im2col`: stored column by column for one channel."""
    if channels == 1:
        return np.empty((kernel_size * kernel_size, rows), dtype).T
    return np.empty((rows, kernel_size * kernel_size * channels), dtype)


def image_slabs(N, rows_per_image=1):
    """``slice`` s of ``SLAB`` images at a time covering ``N`` images, each ``rows_per_image`` rows (one row
    per output position, for the rows of ``cols``): the big products run slab by slab (:data:`SLAB`)."""
    step, rows = SLAB * rows_per_image, N * rows_per_image
    return [slice(i, min(i + step, rows)) for i in range(0, rows, step)]


def col2im(cols, out, kernel_size, stride, padding=0):
    """The adjoint (transpose) of :func:`im2col` (of ``pad`` then ``im2col``): adds each row of ``cols`` back
    onto its window of the channels-last array ``out`` (N, H, W, C), in place, and returns ``out``. Where
    windows overlap (``stride < kernel_size``) the values add up: an input pixel used by several windows
    gets the gradient from each of them.

    The windows lie on ``out`` with ``padding`` zeros around it (as ``im2col`` took them from ``pad(x)``);
    their parts that fall into that border are dropped, so the padded image is never stored (20% faster
    than adding onto a padded array and cropping it, for the DCGAN's 14 x 14 x 64 gradients).

    One strided slice-add per kernel offset (k * k of them), each covering every window at once.
    """
    N, H, W, C = out.shape
    k, s, p = kernel_size, stride, padding
    H_out, W_out = (H + 2 * p - k) // s + 1, (W + 2 * p - k) // s + 1
    cols = cols.reshape(N, H_out, W_out, k, k, C)
    for u in range(k):
        i0, i1 = _inside(u, H, H_out, s, p)
        for v in range(k):
            j0, j1 = _inside(v, W, W_out, s, p)
            if i0 < i1 and j0 < j1:   # offset u of window i lands on row s*i + u - p of out
                rows = slice(s * i0 + u - p, s * (i1 - 1) + u - p + 1, s)
                columns = slice(s * j0 + v - p, s * (j1 - 1) + v - p + 1, s)
                out[:, rows, columns] += cols[:, i0:i1, j0:j1, u, v]
    return out


def col2im_by_phases(dy, weight, stride, padding, size, scratch=None):
    """A convolution's input gradient ``col2im(dY @ W_matrix.T)``, channels-last (N, H, W, in), computed as
    ``im2col`` of ``dy`` and one product per stride phase: the strided adds of ``col2im`` become a copy (a
    gather), which NumPy runs faster. ``dy``: channels-last (N, H_out, W_out, out); ``weight``: (out, in, k, k);
    ``size``: (H, W); ``scratch``: a layer's dict for :func:`zero_bordered` (the zero-padded ``dy``). The same
    numbers up to rounding (the sums run in another order).

    **Stride phases.** Cut the padded input into blocks of ``s x s`` pixels: row ``s I + r`` is phase ``r``
    of block row ``I``. Window ``i`` reaches it through the tap ``u = s (I - i) + r`` (when ``u < k``), so a
    block hears only from the ``Q = ceil(k / s)`` windows ``i = I - Q + 1, ..., I``, each phase of it
    through its own taps; columns alike. A block's ``s s in`` gradients (all phases, all channels) are thus
    one ``Q x Q`` window of ``dY`` times one matrix: ``im2col(dY, Q, stride 1) @ W_phases``, a stride-1
    convolution of ``dY``, with ``W_phases[(a, b, o), (r, t, c)] = W[o, c, s (Q-1-a) + r, s (Q-1-b) + t]``
    (window row ``a`` of the block's window is ``dY`` row ``I - Q + 1 + a``; 0 for taps beyond ``k``).
    The blocks, put back in row order and cropped by ``padding``, are ``dx``. For k 4, stride 2 that is 4
    phases, each fed by 2 x 2 windows; the whole is 35% faster than product and ``col2im``.

    **Only the rows kept.** The blocks cover more than the image: on the DCGAN critic's 14 x 14 images, 8 x 8
    blocks of 2 x 2 (padded rows 0..15, of which 1..14 are kept). Row phase ``r`` of block row ``I`` is kept
    when ``0 <= s I + r - padding < H``, so each row phase has its own range of block rows (phase 0: 1..7,
    phase 1: 0..6), and its product takes only those, with its ``s in`` columns of ``W_phases``: 7 of 8
    block rows, 12% fewer multiplications (3-6% less time: narrower products run a little slower). ``im2col``
    lists the windows block row first, so each range is one slab of its rows, no copy; the phases are
    written straight into a cropped ``dx`` (no padded image to crop afterwards).
    """
    N, H_out, W_out, out = dy.shape
    _, C, k, _ = weight.shape
    s, p, (H, W) = stride, padding, size
    Q = -(-k // s)                                              # ceil(k / s)
    taps = np.zeros((out, C, Q * s, Q * s), weight.dtype)       # the kernel, zero-padded to Q s taps
    taps[:, :, :k, :k] = weight
    W_phases = (taps.reshape(out, C, Q, s, Q, s)[:, :, ::-1, :, ::-1]
                .transpose(2, 4, 0, 3, 5, 1).reshape(Q * Q * out, s, s * C))   # [(a, b, o), r, (t, c)]
    blocks_h, blocks_w = -(-(H + p) // s), -(-(W + p) // s)     # enough blocks to cover rows p .. p + H - 1
    # Q - 1 rows of zeros above (windows -Q+1..-1 do not exist), zeros below up to the last block's window;
    # windows from block blocks_h on fall wholly into the bottom padding and are dropped
    h, w = min(H_out, blocks_h), min(W_out, blocks_w)
    inside = (slice(Q - 1, Q - 1 + h), slice(Q - 1, Q - 1 + w))
    dy_padded = zero_bordered(scratch, "dy_padded", (N, blocks_h + Q - 1, blocks_w + Q - 1, out), inside, dy.dtype)
    dy_padded[(slice(None), *inside)] = dy[:, :h, :w]
    windows = window_view(dy_padded, Q, 1)                      # (N, I, J, out, a, b)
    dx = np.empty((N, H, W, C), dy.dtype)
    for images in image_slabs(N):                               # a slab of images at a time (SLAB)
        n = images.stop - images.start
        cols = windows[images].transpose(1, 0, 2, 4, 5, 3).reshape(blocks_h, n * blocks_w, Q * Q * out)  # (I, n, J)
        for r in range(s):
            first, end = -((r - p) // s), (H - 1 + p - r) // s + 1  # block rows I with 0 <= s I + r - p < H
            if first < end:
                rows = np.matmul(cols[first:end].reshape(-1, Q * Q * out), W_phases[:, r])  # (I, n, J) x (t, c)
                rows = rows.reshape(end - first, n, blocks_w * s, C)[:, :, p:p + W]       # columns s J + t, cropped
                top = s * first + r - p                         # the image row of the first block row's phase r
                dx[images, top:top + s * (end - first - 1) + 1:s] = rows.transpose(1, 0, 2, 3)
    return dx


def _inside(offset, size, windows, stride, padding):
    """The windows ``i0 <= i < i1`` whose kernel offset ``offset`` lands inside the image, not in its padding:
    ``0 <= stride * i + offset - padding < size``."""
    i0 = max(0, -((offset - padding) // stride))               # ceil((padding - offset) / stride)
    i1 = min(windows, (size - 1 + padding - offset) // stride + 1)
    return i0, i1


def _check_geometry(layer_name, kernel_size, stride, padding):
    """``kernel_size`` and ``stride`` must be integers >= 1 and ``padding`` >= 0 (else no output at all)."""
    for name, value, least in (("kernel_size", kernel_size, 1), ("stride", stride, 1), ("padding", padding, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
            raise ValueError(f"{layer_name} needs an integer {name} >= {least}, got {value!r}")


class _Convolution(Layer):
    """What ``Conv2d`` and ``ConvTranspose2d`` share: the arguments (square kernels, one stride and padding
    for both axes), weights from :func:`npgan.layers.initial_weight_and_bias`, the input check.

    ``init``: ``"glorot"`` (the default, as TensorFlow's ``conv2d``: fans ``in*k*k`` and ``out*k*k``),
    ``"dcgan"`` (normal, std 0.02) or ``"pytorch"``; bias 0 but for ``"pytorch"``.
    """

    transposed = False  # weights (out, in, k, k); True: (in, out, k, k)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, *, init="glorot", rng=None,
                 dtype=np.float32):
        super().__init__()
        _check_geometry(type(self).__name__, kernel_size, stride, padding)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = int(kernel_size), int(stride), int(padding)
        k = self.kernel_size
        weight_shape = (in_channels, out_channels, k, k) if self.transposed else (out_channels, in_channels, k, k)
        # fans as PyTorch counts them from the weight's shape (dims 1 and 0), times the kernel's area
        self.params["W"], self.params["b"] = initial_weight_and_bias(
            init, weight_shape, out_channels, weight_shape[1] * k * k, weight_shape[0] * k * k,
            np.random.default_rng(rng), dtype)
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        self.scratch = {}  # zero-bordered arrays kept from pass to pass (zero_bordered)

    def config(self):
        return {"in_channels": self.in_channels, "out_channels": self.out_channels,
                "kernel_size": self.kernel_size, "stride": self.stride, "padding": self.padding}

    def _check_input(self, x):
        """``x`` must be (N, in_channels, H, W) with H and W large enough for a non-empty output."""
        least = self.min_input_size()
        if x.ndim != 4 or x.shape[1] != self.in_channels or min(x.shape[2:]) < least:
            raise self.shape_error(f"(N, {self.in_channels}, H, W) with H, W >= {least}", x)

    def phases_copy_less(self):
        """Whether this layer's col2im half (``Conv2d.backward``'s ``dx``, ``ConvTranspose2d.forward``) runs as
        :func:`col2im_by_phases`, which copies ``Q Q`` numbers of each channel it reads (``Conv2d``'s ``dy``,
        ``ConvTranspose2d``'s ``x``) per block of ``s x s`` pixels (``Q = ceil(k / s)``), where ``col2im`` adds
        ``k k`` numbers of each channel it writes per window (one window per block, as windows step by ``s``). Phases for the DCGAN's 32 <-> 64
        layers (256 numbers against 512; 35% faster), ``col2im`` for its 1 <-> 32 ones (128 against 16)."""
        read, written = (self.in_channels, self.out_channels) if self.transposed else (self.out_channels,
                                                                                       self.in_channels)
        Q = -(-self.kernel_size // self.stride)
        return Q * Q * read < self.kernel_size ** 2 * written

    def spread(self, rows, W_matrix, grid, size):
        """``col2im(rows @ W_matrix)``, channels-last (N, *size, channels written): each row of ``rows``
        (N h w, channels read), one per point of ``grid`` = (N, h, w), paints a ``k x k`` patch, overlapping
        patches add, the border ``padding`` is dropped. ``Conv2d.backward``'s ``dx`` and
        ``ConvTranspose2d.forward``; by :func:`col2im_by_phases` where that copies less."""
        if self.phases_copy_less():
            return col2im_by_phases(rows.reshape(*grid, -1), self.params["W"], self.stride, self.padding, size,
                                    self.scratch)
        cols = np.matmul(rows, W_matrix)                         # (N h w, k k written)
        out = np.zeros((grid[0], *size, cols.shape[1] // self.kernel_size ** 2), cols.dtype)
        return col2im(cols, out, self.kernel_size, self.stride, self.padding)


class Conv2d(_Convolution):
    """2-D convolution (cross-correlation, as every deep learning library computes it).

    Shapes: ``x`` (N, in, H, W), ``W`` (out, in, k, k), ``b`` (out,), ``y`` (N, out, H_out, W_out) with
    ``H_out = (H + 2 padding - k) // stride + 1`` (same for W)::

        y[n, o, i, j] = b[o] + sum_{c, u, v} W[o, c, u, v] * x_pad[n, c, stride*i + u, stride*j + v]

    As matrices (module docstring): ``Y = cols @ W_matrix + b``, where ``cols`` (N H_out W_out, k k in) holds
    the windows and ``W_matrix`` (k k in, out) the kernels.

    Arguments: ``Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, *, init="glorot",
    rng=None, dtype=np.float32)``; ``init`` as in ``_Convolution``.

    Memory: keeps its padded input from the forward pass (for ``dW``; with one input channel, its im2col
    matrix ``cols``). Without padding that is the input itself, a reference, as ``Dense`` keeps its ``x``:
    an input changed in place before ``backward`` changes ``dW``.
    """

    def output_size(self, size):
        return (size + 2 * self.padding - self.kernel_size) // self.stride + 1

    def min_input_size(self):
        """The smallest H (or W) holding one window: ``H + 2 padding >= k``."""
        return max(1, self.kernel_size - 2 * self.padding)

    def weight_matrix(self):
        """``W`` (out, in, k, k) as (k k in, out), rows in the (kh, kw, C) order of ``cols``' columns."""
        return self.params["W"].transpose(2, 3, 1, 0).reshape(-1, self.out_channels)

    def windows(self, x):
        """Every window of ``x`` (N, in, H, W), padded, as a row: ``cols`` (N H_out W_out, k k in)."""
        return im2col(pad(channels_last(x), self.padding, self.scratch), self.kernel_size, self.stride)

    def images(self, rows, input_shape):
        """Output rows (N H_out W_out, out) as the images (N, out, H_out, W_out) of an input of ``input_shape``
        (a channels-first view of the rows' channels-last memory)."""
        N, _, H, W = input_shape
        return channels_first(rows.reshape(N, self.output_size(H), self.output_size(W), self.out_channels))

    def forward(self, x):
        self._check_input(x)
        self.input_shape = x.shape
        N, _, H, W = x.shape
        self.W_matrix = self.weight_matrix()                    # kept for dx: the weights of this pass
        # kept for dW: the windows of the padded input, a view (the layer keeps the padded input until its
        # next forward pass); with one input channel, the windows copied (add_weight_grad)
        self.input_windows = window_view(pad(channels_last(x), self.padding, self.scratch, "input"),
                                         self.kernel_size, self.stride)
        positions = self.output_size(H) * self.output_size(W)
        self.cols = cols_matrix(N * positions, self.kernel_size, 1, x.dtype) if self.in_channels == 1 else None
        y = np.empty((N * positions, self.out_channels), x.dtype)  # (N H_out W_out, out)
        for rows, cols in self.window_slabs(self.input_windows, self.cols):
            np.matmul(cols, self.W_matrix, out=y[rows])
            y[rows] += self.params["b"]                         # while the slab's outputs are in the cache
        self.y = self.images(y, x.shape)  # a reference: WGAN-GP's interpolates reuse it (npgan.penalties)
        return self.y

    def window_slabs(self, windows, cols=None):
        """For each slab of :data:`SLAB` images of ``windows`` (:func:`window_view` of a padded input):
        ``(rows, slab)``, the slab's rows of ``cols`` (all the windows as rows, ``(N H_out W_out, k k in)``) and
        its windows as rows (:func:`im2col`), copied just before the caller's products read them.

        ``cols``: a matrix from :func:`cols_matrix` to copy all the windows into (the caller keeps it). Without
        it, each slab is copied into one slab-sized matrix (16 images of the DCGAN critic's 32 -> 64 layer:
        1.6 MB), rewritten slab after slab: it stays in the cache, where a matrix of all the windows of
        128 images (12.8 MB) went out to memory and came back for each product."""
        N, H_out, W_out = windows.shape[:3]
        positions = H_out * W_out
        reused = None if cols is not None else cols_matrix(min(N, SLAB) * positions, self.kernel_size,
                                                           self.in_channels, windows.dtype)
        for images in image_slabs(N):
            rows = slice(images.start * positions, images.stop * positions)
            slab = cols[rows] if reused is None else reused[:rows.stop - rows.start]
            yield rows, im2col(None, self.kernel_size, self.stride, slab, windows[images])

    def add_weight_grad(self, dy_rows, cols=None):
        """``grads["W"] += cols.T @ dy_rows`` (the product (k k in, out)), put in ``W``'s (out, in, k, k) order;
        ``cols``: the windows of the last forward pass's input if None.

        Computed as its transpose ``dy_rows.T @ cols`` (out, k k in): the same sums, which OpenBLAS runs 7%
        faster in this orientation (the DCGAN critic's 32 -> 64 layer: 5.7 against 6.2 ms for 128 images),
        and whose rows are already ``W``'s first axis, slab by slab (:meth:`window_slabs`: the forward pass's
        windows are copied again, each slab's just before its product). One input channel: ``cols`` is
        stored column by column (:func:`im2col`), so ``cols.T @ dy_rows`` reads it row by row, in one product
        (its (k k, out) result is small; the slabs only split it: 0.40 against 0.53 ms for the DCGAN
        critic's 128 images), and the forward pass keeps its windows (1.6 MB for 128 images)."""
        if self.in_channels == 1:
            self.add_weight_matrix_grad(np.matmul((self.cols if cols is None else cols).T, dy_rows))
            return
        if cols is None:
            slabs = self.window_slabs(self.input_windows)
        else:
            _, _, H, W = self.input_shape
            positions = self.output_size(H) * self.output_size(W)    # rows of cols per image
            slabs = ((rows, cols[rows]) for rows in image_slabs(len(cols) // positions, positions))
        dW = None
        for rows, slab in slabs:
            product = np.matmul(dy_rows[rows].T, slab)
            if dW is None:
                dW = product
            else:
                dW += product
        self.add_weight_matrix_grad(dW.T)

    def add_weight_matrix_grad(self, dW_matrix):
        """``grads["W"] += dW_matrix``, a gradient (k k in, out) of :meth:`weight_matrix`, in ``W``'s order."""
        k = self.kernel_size
        dW = dW_matrix.T.reshape(self.out_channels, k, k, self.in_channels)  # no copy if dW_matrix.T is C-ordered
        self.grads["W"] += dW.transpose(0, 3, 1, 2)

    def backward(self, dy, *, input_grad=True, param_grads=True):
        """``dy`` (N, out, H_out, W_out) -> ``dx`` (N, in, H, W).

        ``Y = cols @ W_matrix + b`` is a dense layer whose rows are windows, so as for ``Dense``:
        ``dW_matrix = cols.T @ dY``, ``db = dY`` summed over rows (over the batch and every position: the
        same kernel and bias serve all of them), and ``dcols = dY @ W_matrix.T``. Each row of ``dcols`` is
        the gradient of one window; ``col2im`` adds the windows back where they came from (an input
        pixel seen by several windows collects the gradient of each), and the padding's share is dropped.
        Where it copies less (:meth:`phases_copy_less`), :func:`col2im_by_phases` computes the same ``dx``.
        """
        N, (_, _, H, W) = len(dy), self.input_shape                # N: any rows, without param_grads
        dy = channels_last(dy).reshape(-1, self.out_channels)    # a copy only if dy is not channels-last
        if param_grads:
            self.add_weight_grad(dy)
            self.grads["b"] += column_sums(dy)
        if not input_grad:
            return None
        dcols_grid = (N, self.output_size(H), self.output_size(W))  # dcols = dY @ W_matrix.T: a row per window
        return channels_first(self.spread(dy, self.W_matrix.T, dcols_grid, (H, W)))

    def double_backward(self, v, dy):
        """The backward pass of ``backward``: ``v = dP/d(dx)`` (N, in, H, W), ``dy`` (N, out, H_out, W_out) as
        ``backward`` got it -> ``dP/d(dy)`` (N, out, H_out, W_out); adds ``dP/dW`` into ``grads["W"]``.

        ``backward`` computed ``dx = col2im(dY @ W_matrix.T)``: linear in ``dY`` and in ``W``, free of ``x``
        and ``b``. ``col2im`` is the adjoint of ``pad`` + ``im2col``, so with ``V = im2col(pad(v))`` (the
        windows of ``v``), ``<v, dx> = <V, dY @ W_matrix.T>``, and as for :meth:`npgan.layers.Dense.double_backward`:

            dP/d(dY)       = V @ W_matrix    the forward pass on ``v``, without ``b``
            dP/d(W_matrix) = V.T @ dY        backward's ``dW`` with the windows of ``v`` in place of ``x``'s
            dP/db = 0,  dP/dx = 0
        """
        dy_rows = channels_last(dy).reshape(-1, self.out_channels)
        v_cols = self.windows(v)
        self.add_weight_grad(dy_rows, v_cols)
        return self.images(np.matmul(v_cols, self.W_matrix), v.shape)


class ConvTranspose2d(_Convolution):
    """Transposed convolution: a DCGAN generator's upsampling layer, e.g. 7x7 -> 14x14 with k 4, stride 2, padding 1.

    Shapes: ``x`` (N, in, H, W), ``W`` (in, out, k, k) as in PyTorch, ``b`` (out,), ``y`` (N, out, H_out, W_out)
    with ``H_out = (H - 1) * stride - 2 * padding + k``: the size a ``Conv2d(out, in, k, stride, padding)``
    turns back into H.

    **Why it is the gradient of a convolution.** A convolution is linear in its input: ``y = A x`` for a big
    sparse matrix ``A`` made of copies of the kernel, and its input gradient is ``dx = A^T dy``. This layer
    computes ``y = A^T x``: the input gradient of ``Conv2d(out, in, k, stride, padding)`` holding the same
    ``W`` (which is why PyTorch stores it as (in, out, k, k)). So the code is that convolution's backward
    pass, and its own backward pass is that convolution's forward pass (``(A^T)^T = A``):

    - forward: ``cols = X @ W_matrix`` (each input pixel paints a ``k x k x out`` patch, scaled by its
      values), ``col2im`` adds the overlapping patches into an image of size ``(H - 1) stride + k`` less
      the border ``padding`` (the patches' parts there are dropped), ``b`` added (or, where that copies
      less, the same by :func:`col2im_by_phases`);
    - backward: ``dcols = im2col(pad(dY))`` (the patch each input pixel painted, now of gradients),
      ``dX = dcols @ W_matrix.T``, ``dW_matrix = X.T @ dcols``, ``db`` = ``dY`` summed over all but channels.

    Where the convolution's stride skips input pixels, its transpose spreads each input pixel ``stride``
    apart: a "fractionally strided" convolution that upsamples.

    Arguments as ``Conv2d``; for ``init="pytorch"``, ``out*k*k`` counts as fan-in, as PyTorch counts it.

    Memory: keeps its input (for ``dW``) from the forward pass; ``cols`` lives only inside each pass.
    """

    transposed = True

    def output_size(self, size):
        return (size - 1) * self.stride - 2 * self.padding + self.kernel_size

    def min_input_size(self):
        """The smallest H (or W) whose output is not cropped away: ``(H - 1) stride + k - 2 padding >= 1``."""
        return max(1, 1 + math.ceil((2 * self.padding + 1 - self.kernel_size) / self.stride))

    def weight_matrix(self):
        """``W`` (in, out, k, k) as (in, k k out), columns in the (kh, kw, C) order of ``col2im``'s rows."""
        return self.params["W"].transpose(0, 2, 3, 1).reshape(self.in_channels, -1)

    def forward(self, x):
        self._check_input(x)
        N, _, H, W = self.input_shape = x.shape
        self.x = channels_last(x).reshape(-1, self.in_channels)  # (N H W, in): kept for dW
        self.W_matrix = self.weight_matrix()                     # kept for dx: the weights of this pass
        # Conv2d.backward's dx, with this layer's W (in, out, k, k) in the place of a Conv2d's (out, in, k, k)
        y = self.spread(self.x, self.W_matrix, (N, H, W), (self.output_size(H), self.output_size(W)))
        y += self.params["b"]
        return channels_first(y)

    def backward(self, dy, *, input_grad=True, param_grads=True):
        """``dy`` (N, out, H_out, W_out) -> ``dx`` (N, in, H, W): the forward pass of the matching ``Conv2d``."""
        dy = channels_last(dy)                                   # (N, H_out, W_out, out)
        dcols = im2col(pad(dy, self.padding, self.scratch), self.kernel_size, self.stride)  # (N H W, k k out)
        if param_grads:
            k = self.kernel_size
            dW = np.matmul(self.x.T, dcols).reshape(self.in_channels, k, k, self.out_channels)
            self.grads["W"] += dW.transpose(0, 3, 1, 2)
            self.grads["b"] += column_sums(dy.reshape(-1, self.out_channels))
        if not input_grad:
            return None
        N, _, H, W = self.input_shape
        dx = np.matmul(dcols, self.W_matrix.T)                   # (N H W, in)
        return channels_first(dx.reshape(N, H, W, self.in_channels))
