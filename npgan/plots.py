"""Pictures of a GAN's training: sample grids, the progress figure, the loss curves and a progress GIF;
and the class shares of ``npgan.evaluate``.

Everything is built on :func:`image_grid`, which lays images out as one 2-D array (pure NumPy). The
figures use matplotlib's object API (``matplotlib.figure.Figure``, never ``pyplot``): no global state, no
GUI backend needed, safe in scripts and tests. In a notebook, a returned ``Figure`` left as the last
expression of a cell displays inline.

Images are generator outputs: rows of 784 values (or 28x28 arrays) in [-1, 1], tanh's range; they are
drawn white digits on black, with the tutorial's ``'Greys_r'`` colormap.
"""
import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .data import atomic_write

CMAP = "Greys_r"
DPI = 100


# --- The mosaic ------------------------------------------------------------------------------------------

def _as_square_images(images):
    """(n, h*w) with h == w, or (n, h, w) -> float array (n, h, w)."""
    images = np.asarray(images)
    if images.ndim == 2:
        side = math.isqrt(images.shape[1])
        if side * side != images.shape[1]:
            raise ValueError(f"rows of {images.shape[1]} values are not square images; pass (n, h, w)")
        images = images.reshape(len(images), side, side)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n, 784) or (n, 28, 28), got {images.shape}")
    return images


def image_grid(images, nrows, ncols, *, pad=2):
    """Lay out images as one 2-D array, row by row: a mosaic for ``imshow`` or a PNG/GIF frame.

    ``images``: (n, 784) or (n, 28, 28) with values in [-1, 1], ``n <= nrows * ncols``.
    Returns float32 of shape ``(nrows*28 + (nrows-1)*pad, ncols*28 + (ncols-1)*pad)`` with values in
    [0, 1]: -1 -> 0.0 (black), +1 -> 1.0 (white); values outside [-1, 1] are clipped, NaN shows black.
    The ``pad`` pixels between cells, and the cells beyond ``n``, are white (1.0).
    """
    images = _as_square_images(images)
    n, h, w = images.shape
    if nrows < 1 or ncols < 1 or pad < 0:
        raise ValueError(f"need nrows, ncols >= 1 and pad >= 0, got {nrows}, {ncols}, {pad}")
    if n > nrows * ncols:
        raise ValueError(f"{n} images do not fit a {nrows}x{ncols} grid")
    grid = np.ones((nrows * h + (nrows - 1) * pad, ncols * w + (ncols - 1) * pad), dtype=np.float32)
    cells = np.nan_to_num((images.astype(np.float32) + 1) / 2, nan=0.0)
    np.clip(cells, 0, 1, out=cells)
    for i, cell in enumerate(cells):
        r, c = divmod(i, ncols)
        grid[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w] = cell
    return grid


def grid_shape(n, ncols=None):
    """``(nrows, ncols)`` of a near-square grid for ``n`` images (``ncols`` given or ``ceil(sqrt(n))``)."""
    ncols = min(ncols or math.ceil(math.sqrt(n)), n)
    return math.ceil(n / ncols), ncols


def _evenly_spaced(count, wanted):
    """``min(wanted, count)`` distinct indices spread over ``range(count)``, first and last included."""
    return np.unique(np.linspace(0, count - 1, min(wanted, count)).round().astype(int))


def _bare(ax):
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


# --- Figures ---------------------------------------------------------------------------------------------

def sample_grid_figure(images, nrows=4, ncols=4, title=None):
    """The tutorial's ``view_samples``: images (n, 784) in [-1, 1] as an ``nrows`` x ``ncols`` grid.

    Shows the first ``nrows * ncols`` images (fewer leave blank cells). Returns the ``Figure``
    (one image axes, no ticks); save it with :func:`save_figure`.
    """
    images = _as_square_images(images)[:nrows * ncols]
    grid = image_grid(images, nrows, ncols)
    # About 1.6 inches per column for small grids (the tutorial's 4x4 was 7x7 inches), at most 12 wide.
    # ... but never fewer screen pixels than image pixels (large grids stay sharp).
    width = max(min(12.0, max(4.0, 1.6 * ncols)), grid.shape[1] / DPI)
    top = 0.45 if title else 0.0
    height = width * grid.shape[0] / grid.shape[1]
    fig = Figure(figsize=(width, height + top))
    ax = fig.add_axes((0, 0, 1, height / (height + top)))
    ax.imshow(grid, cmap=CMAP, vmin=0, vmax=1, interpolation="nearest")
    _bare(ax)
    if title:
        fig.suptitle(title, y=1 - 0.08 / (height + top), va="top", fontsize=13)
    return fig


def progress_figure(samples_per_epoch, rows=10, cols=6):
    """The tutorial's progress figure: samples (rows) across training (top to bottom).

    ``samples_per_epoch``: (epochs, k, 784) in [-1, 1]. Shows ``rows`` epochs evenly spaced through
    training, first and last included, and in each ``cols`` samples evenly spaced out of ``k`` (the same
    latent vectors in every row, so a column shows one sample improving). Rows are labelled with their
    1-based epoch. Returns the ``Figure`` (one image axes).
    """
    samples = np.asarray(samples_per_epoch)
    if samples.ndim == 2:
        samples = samples[None]
    if samples.ndim != 3 or samples.shape[0] == 0 or samples.shape[1] == 0:
        raise ValueError(f"samples_per_epoch must have shape (epochs, k, 784), got {samples.shape}")
    epochs = _evenly_spaced(len(samples), rows)
    picks = _evenly_spaced(samples.shape[1], cols)
    chosen = samples[epochs][:, picks].reshape(len(epochs) * len(picks), -1)
    pad = 2
    grid = image_grid(chosen, len(epochs), len(picks), pad=pad)
    side = _as_square_images(chosen[:1]).shape[1]

    cell = 0.85  # inches per image
    left, right, top, bottom = 0.75, 0.1, 0.45, 0.1
    width, height = len(picks) * cell, len(epochs) * cell
    fig = Figure(figsize=(width + left + right, height + top + bottom))
    W, H = fig.get_size_inches()
    ax = fig.add_axes((left / W, bottom / H, width / W, height / H))
    ax.imshow(grid, cmap=CMAP, vmin=0, vmax=1, interpolation="nearest", aspect="auto")
    _bare(ax)
    ax.set_yticks([r * (side + pad) + (side - 1) / 2 for r in range(len(epochs))],
                  labels=[str(e + 1) for e in epochs])
    ax.tick_params(axis="y", length=0, labelsize=10)
    ax.set_ylabel("epoch")
    ax.set_title(f"Samples during training ({len(samples)} epochs)", fontsize=11)
    return fig


def losses_figure(d_losses, g_losses, *, d_means=None, g_means=None):
    """The tutorial's "Training Losses" plot: one value per epoch for each network.

    ``d_losses``, ``g_losses``: (epochs,) (the tutorial plots the last batch's losses); ``d_means``,
    ``g_means``: optional (epochs,) epoch means, drawn as lighter dashed lines. x axis: epoch, from 1.
    Returns the ``Figure``.
    """
    fig = Figure(figsize=(7, 4.5))
    ax = fig.add_subplot()
    series = [(d_losses, "Discriminator", "C0", "-", 1.0), (g_losses, "Generator", "C1", "-", 1.0),
              (d_means, "Discriminator (epoch mean)", "C0", "--", 0.55),
              (g_means, "Generator (epoch mean)", "C1", "--", 0.55)]
    for values, label, color, style, alpha in series:
        if values is None:
            continue
        values = np.asarray(values, dtype=float).ravel()
        ax.plot(np.arange(1, len(values) + 1), values, style, color=color, alpha=alpha, label=label,
                marker="o" if len(values) == 1 else None)
    ax.set_title("Training Losses")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def class_shares_figure(class_names, sample_shares, real_shares, examples, title=None):
    """What a classifier calls the samples (``npgan.evaluate --png``).

    Top: the share of each class among the samples beside its share among real images, with the fair
    share ``1/K`` dashed. Below: per class (a row), ``examples`` the classifier is most sure of.
    ``examples``: (K, k, 784) in [-1, 1], a class with fewer than k samples padded with +1 (blank cells).
    Returns the ``Figure``.
    """
    examples = np.asarray(examples)
    classes, per_row = examples.shape[:2]
    pad, side = 2, _as_square_images(examples[0]).shape[1]
    grid = image_grid(examples.reshape(classes * per_row, -1), classes, per_row, pad=pad)

    cell, left, bars_height = 0.55, 1.3, 2.6  # inches
    width, height = max(per_row * cell, 5.5), classes * cell
    total_width, total_height = width + left + 0.2, height + bars_height + 1.6
    fig = Figure(figsize=(total_width, total_height))
    bars = fig.add_axes((left / total_width, (height + 1.0) / total_height, width / total_width,
                         bars_height / total_height))
    x = np.arange(classes)
    bars.bar(x - 0.2, 100 * np.asarray(sample_shares), 0.4, label="samples", color="C0")
    bars.bar(x + 0.2, 100 * np.asarray(real_shares), 0.4, label="real test images", color="C7")
    bars.axhline(100 / classes, color="k", linestyle="--", linewidth=0.8, label="fair share")
    bars.set_xticks(x, labels=class_names, rotation=30 if max(map(len, class_names)) > 2 else 0, fontsize=8)
    bars.set_ylabel("share (%)")
    bars.set_ylim(0, 135 * max(np.max(sample_shares), np.max(real_shares), 1 / classes))  # room for the legend
    bars.legend(fontsize=8, ncol=3, loc="upper center", frameon=False)
    if title:
        fig.suptitle(title, fontsize=11)

    ax = fig.add_axes((left / total_width, 0.1 / total_height, width / total_width, height / total_height))
    ax.imshow(grid, cmap=CMAP, vmin=0, vmax=1, interpolation="nearest", aspect="auto")
    _bare(ax)
    ax.set_yticks([r * (side + pad) + (side - 1) / 2 for r in range(classes)], labels=class_names)
    ax.tick_params(axis="y", length=0, labelsize=8)
    ax.set_title("the samples the classifier is most sure of, per class", fontsize=9)
    return fig


def quality_figure(epochs, fid, min_share, kl_uniform, confident_share, precision=None, recall=None):
    """How the samples improved: FID (left) and the confident and smallest-class shares, precision and
    recall (right; each if scored) at the scored ``epochs``; the best (lowest-FID) epoch is marked.
    Returns the ``Figure``."""
    fig = Figure(figsize=(10, 4))
    ax_fid, ax_share = fig.subplots(1, 2)
    epochs, fid = np.asarray(epochs), np.asarray(fid, dtype=float)
    best = int(np.argmin(fid))
    ax_fid.plot(epochs, fid, "o-", color="C3")
    ax_fid.plot(epochs[best], fid[best], "*", color="k", markersize=14, label=f"best: epoch {epochs[best]}")
    ax_fid.set_title("FID (lower is better; log scale)")
    ax_fid.set_yscale("log")  # early FIDs in the hundreds would flatten the later, interesting ones
    ax_fid.legend()
    ax_share.plot(epochs, confident_share, "o-", color="C2", label="confident share (p >= 0.9)")
    ax_share.plot(epochs, min_share, "o-", color="C0", label="smallest class share")
    ax_share.axhline(0.1, color="C0", alpha=0.3, linestyle=":")
    for values, style, label in ((precision, "s--", "precision (quality)"), (recall, "^--", "recall (variety)")):
        if values is not None and np.isfinite(np.asarray(values, dtype=float)).any():  # runs before they were logged
            ax_share.plot(epochs, values, style, label=label)
    ax_share.set_ylim(0, 1)
    ax_share.set_title("Classifier's view of the samples")
    ax_share.legend(fontsize=8)
    for ax in (ax_fid, ax_share):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return finish_panels(fig, (ax_fid, ax_share), "epoch")


def truncation_figure(truncations, fid, precision, recall, *, title=None):
    """The truncation trick's trade: FID (left), precision and recall (right) against the truncation T
    (1 = none, at the right). Tighter truncation keeps z near the centre: the samples get more typical
    (precision up) and less varied (recall down). FID counts both; for npgan's mlp-bn it only grows as T
    shrinks (lost variety costs it more than typicality gains). Returns the ``Figure``."""
    fig = Figure(figsize=(9, 3.6))
    ax_fid, ax_pr = fig.subplots(1, 2)
    ax_fid.plot(truncations, fid, "o-", color="C3")
    ax_fid.set_title("FID (lower is better)")
    ax_pr.plot(truncations, precision, "s-", label="precision (on the real digits' manifold)")
    ax_pr.plot(truncations, recall, "^-", label="recall (real digits covered)")
    ax_pr.set_ylim(0, 1)
    ax_pr.set_title("precision and recall (k = 3)")
    ax_pr.legend(fontsize=8)
    return finish_panels(fig, (ax_fid, ax_pr), "truncation T: z ~ Uniform(-T, T)", title)


def finish_panels(fig, axes, xlabel, title=None):
    """The common end of a figure of curves side by side: each panel's x label and a light grid, an
    optional title over them all, the layout tightened. Returns ``fig``."""
    for ax in axes:
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def write_png(fig, file, *, dpi=DPI, format="png"):
    """Write ``fig`` as PNG (or ``format``: "jpeg", "pdf", "svg", ...) into an open binary ``file``."""
    fig.savefig(file, format=format, dpi=dpi)


def save_figure(fig, path, *, dpi=DPI):
    """Write ``fig`` as a PNG at ``path`` atomically (a complete new file or the old one, never half)."""
    with atomic_write(path) as out:
        write_png(fig, out, dpi=dpi)


# --- Animated GIF ----------------------------------------------------------------------------------------

def _font(size):
    from PIL import ImageFont
    try:
        return ImageFont.load_default(size=size)  # scalable font: Pillow >= 10.1 with FreeType
    except (TypeError, OSError, ImportError):
        return ImageFont.load_default()


def progress_frames(samples_per_epoch, *, nrows=4, ncols=4, scale=2, label=True, epochs=None):
    """The frames of :func:`save_progress_gif` as uint8 arrays (H, W), one per epoch (or per ``epochs``;
    any ``(frames, k, 784)`` array works, e.g. the steps of ``npgan.sample``'s latent walks).

    Each is :func:`image_grid` of an epoch's first ``nrows * ncols`` samples, enlarged ``scale`` times
    (nearest neighbour), with ``"epoch N/E"`` written in a white band above when ``label``.
    """
    from PIL import Image, ImageDraw

    samples = np.asarray(samples_per_epoch)
    if samples.ndim != 3 or samples.shape[0] == 0:
        raise ValueError(f"samples_per_epoch must have shape (epochs, k, 784), got {samples.shape}")
    total = len(samples)
    epochs = range(total) if epochs is None else epochs
    band = 18 if label else 0
    font = _font(13) if label else None
    for e in epochs:
        grid = image_grid(samples[e][:nrows * ncols], nrows, ncols)
        pixels = np.rint(grid * 255).astype(np.uint8)
        pixels = pixels.repeat(scale, axis=0).repeat(scale, axis=1)
        if label:
            frame = np.full((band + pixels.shape[0], pixels.shape[1]), 255, dtype=np.uint8)
            frame[band:] = pixels
            image = Image.fromarray(frame)
            ImageDraw.Draw(image).text((4, 1), f"epoch {e + 1}/{total}", fill=0, font=font)
            pixels = np.asarray(image)
        yield pixels


def save_progress_gif(samples_per_epoch, path, *, nrows=4, ncols=4, fps=10, scale=2, max_frames=200,
                      hold_last=2.0, levels=16):
    """An animated GIF of the sample grid across epochs, written atomically to ``path``.

    ``samples_per_epoch``: (epochs, k, 784) in [-1, 1]; one frame per epoch (at most ``max_frames``,
    evenly spaced, last included), ``fps`` frames per second, the last frame held ``hold_last`` seconds,
    looping. Built with Pillow directly from :func:`image_grid` arrays, no matplotlib per frame. A 4x4
    grid costs about 13 KB per frame of early, noisy samples, so 100 epochs stay near 1 MB.
    """
    samples = np.asarray(samples_per_epoch)
    if samples.ndim != 3 or samples.shape[0] == 0:
        raise ValueError(f"samples_per_epoch must have shape (epochs, k, 784), got {samples.shape}")
    epochs = _evenly_spaced(len(samples), max_frames)
    frames = list(progress_frames(samples, nrows=nrows, ncols=ncols, scale=scale, epochs=epochs))
    with atomic_write(path) as out:
        write_gif(frames, out, fps=fps, hold_last=hold_last, levels=levels)


def write_gif(frames, file, *, fps=10, hold_last=2.0, levels=16):
    """Write uint8 frames (H, W), or colour frames (H, W, 3), as a looping animated GIF into an open binary ``file``.

    ``fps`` frames per second, the last frame held ``hold_last`` seconds. Grey pixels are rounded to ``levels``
    shades (16 look the same as 256 at this size and compress 2.5x better); colour frames share one palette
    of ``levels`` colours taken from the last frame, without dithering (flat areas stay flat and compress).
    """
    from PIL import Image

    if fps <= 0:
        raise ValueError(f"fps must be > 0, got {fps}")
    if not 2 <= levels <= 256:
        raise ValueError(f"levels must be from 2 to 256, got {levels}")
    if not frames:
        raise ValueError("a GIF needs at least one frame")
    if np.ndim(frames[0]) == 3:
        palette = Image.fromarray(frames[-1]).quantize(levels, dither=Image.Dither.NONE)
        images = [Image.fromarray(f).quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
    else:
        step = 255 / (levels - 1)
        images = [Image.fromarray((np.rint(np.rint(f / step) * step)).astype(np.uint8)) for f in frames]
    step_ms = max(20, round(1000 / fps))
    durations = [step_ms] * (len(images) - 1) + [max(step_ms, round(1000 * hold_last))]
    images[0].save(file, format="GIF", save_all=True, append_images=images[1:], duration=durations,
                   loop=0, optimize=False, disposal=1)
