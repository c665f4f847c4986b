"""The lab's pictures, drawn as GAN Lab (Kahng et al., 2018) draws them, and its metric curves.

One frame shows the plane at one moment of training:

- the background is D's verdict at every point (green: "real", purple: "fake"; for the BCE losses the
  probability of real, from 0 to 1, for the others the raw score, its colour range fitted to the frame);
- green dots are real points, purple dots G's points;
- a thin grey mesh is G's *manifold*: a square grid of z values, each line bent to where G sends it
  (folds and stretches show where G puts much or little mass);
- the first 150 of G's points carry an arrow, ``-dL_G/dx``: the direction the G step moves them (lengths
  to scale within a frame, the longest capped).

Frames are matplotlib figures (the object API, no pyplot) turned into RGB arrays for the GIF.
"""
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..plots import finish_panels, write_gif

REAL, FAKE, MESH = "#1b7837", "#762a83", "#555555"
HEAT_CMAP = "PiYG"  # purple (fake) .. white .. green (real)
ARROWS = 150        # G's points that carry an arrow (all of them would hide the picture)


def frame_title(frame, modes=None):
    text = f"step {frame.step:,}"
    if frame.score is not None:
        s = frame.score
        text += f"   modes {s.modes}/{modes}   high quality {s.high_quality:.0%}   KL {s.kl:.2f}"
    return text


def draw_frame(ax, result, frame=None, *, title=None):
    """Draw ``frame`` (default: the last) of the lab run ``result`` (an :class:`npgan.lab.training.LabRun`) on ``ax``."""
    frame = result.frames[-1] if frame is None else frame
    low, high = result.extent
    heat = frame.heat
    if result.config.loss in ("ns", "minimax"):
        vmin, vmax = 0.0, 1.0  # D's probability of "real"
    else:  # a score: centre the colours on the middle of what D outputs here
        lo, hi = np.percentile(heat, [2, 98])
        mid, half = (lo + hi) / 2, max((hi - lo) / 2, 1e-6)
        vmin, vmax = mid - half, mid + half
    ax.imshow(heat, origin="lower", extent=(low, high, low, high), cmap=HEAT_CMAP, vmin=vmin, vmax=vmax,
              alpha=0.55, interpolation="bilinear")
    mesh = frame.manifold
    for line in list(mesh) + list(mesh.transpose(1, 0, 2)):
        ax.plot(line[:, 0], line[:, 1], color=MESH, linewidth=0.35, alpha=0.6)
    ax.scatter(result.real[:, 0], result.real[:, 1], s=6, color=REAL, linewidths=0, label="real")
    ax.scatter(frame.fake[:, 0], frame.fake[:, 1], s=6, color=FAKE, linewidths=0, label="G(z)")
    if len(frame.arrows):
        # Lengths relative to the frame's own: the 90th percentile gets 7% of the width, none more than 14%.
        shown = frame.arrows[:ARROWS]
        length = np.linalg.norm(shown, axis=1)
        unit = 0.07 * (high - low) / max(np.percentile(length, 90), 1e-30)
        shown = shown * np.minimum(unit, 0.14 * (high - low) / np.maximum(length, 1e-30))[:, None]
        ax.quiver(frame.fake[:len(shown), 0], frame.fake[:len(shown), 1], shown[:, 0], shown[:, 1], angles="xy",
                  scale_units="xy", scale=1, color="#40004b", width=0.0035, headwidth=4, headlength=4.5, alpha=0.75)
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    means = result.config.distribution().means
    heading = frame_title(frame, None if means is None else len(means))
    ax.set_title(heading if title is None else f"{title}\n{heading}", fontsize=8)


def frames_figure(results, index=-1, *, titles=None, size=4.0, legend=True):
    """Frame ``index`` of each run in ``results`` side by side, ``size`` inches each. Returns the ``Figure``."""
    titles = titles or [None] * len(results)
    top = 0.36 if titles[0] else 0.2  # inches for the titles
    fig = Figure(figsize=(size * len(results), size + top))
    for i, (result, title) in enumerate(zip(results, titles)):
        ax = fig.add_axes((i / len(results) + 0.005, 0.005, 1 / len(results) - 0.01, size / (size + top) - 0.01))
        draw_frame(ax, result, result.frames[index], title=title)
        if legend and i == 0:
            ax.legend(loc="lower left", fontsize=7, markerscale=2.5, framealpha=0.8, handletextpad=0.2)
    return fig


def frame_pixels(fig, dpi):
    """The RGB pixels (H, W, 3) uint8 of a figure rendered at ``dpi``."""
    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def write_frames_gif(results, file, *, titles=None, size=3.6, dpi=80, fps=6, hold_last=2.5, colors=64):
    """Every logged frame of the runs ``results`` (side by side, logged at the same steps) as a looping
    animated GIF of ``colors`` colours into the open binary ``file``."""
    images = [frame_pixels(frames_figure(results, i, titles=titles, size=size), dpi)
              for i in range(len(results[0].frames))]
    write_gif(images, file, fps=fps, hold_last=hold_last, levels=colors)


def metrics_figure(history, modes=None, title=None):
    """The losses and, for a mixture, the three mode metrics against the step. Returns the ``Figure``."""
    steps = np.asarray(history["step"])
    scored = modes is not None
    fig = Figure(figsize=(12 if scored else 5, 3.4))
    axes = fig.subplots(1, 4 if scored else 1, squeeze=False)[0]
    axes[0].plot(steps, history["d_loss"], label="D loss", color="C0")
    axes[0].plot(steps, history["g_loss"], label="G loss", color="C1")
    axes[0].set_title("losses (at the logged steps)", fontsize=10)
    axes[0].legend(fontsize=8)
    if scored:
        panels = [("modes", f"modes covered (of {modes})", (0, modes * 1.05)),
                  ("high_quality", "high-quality share", (0, 1.02)),
                  ("kl", "KL(modes || uniform)", (0, None))]
        for ax, (key, label, limits) in zip(axes[1:], panels):
            ax.plot(steps, history[key], "o-", markersize=2.5, color="C2")
            ax.set_ylim(*limits)
            ax.set_title(label, fontsize=10)
        axes[1].yaxis.set_major_locator(MaxNLocator(integer=True))
    return finish_panels(fig, axes, "step", title)

