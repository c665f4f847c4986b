"""npgan.plots: the image mosaic, the figures, and atomic PNG/GIF files."""
import os

import numpy as np
import pytest
from PIL import Image

from npgan import plots
from npgan.plots import image_grid


def make_samples(epochs, k=16, seed=0):
    """(epochs, k, 784) in [-1, 1], different in every epoch."""
    return np.random.default_rng(seed).uniform(-1, 1, (epochs, k, 784)).astype(np.float32)


def image_axes(fig):
    return [ax for ax in fig.axes if ax.images]


# --- image_grid ------------------------------------------------------------------------------------------

def test_image_grid_shape_values_and_padding():
    images = np.zeros((5, 784), np.float32)
    images[0] = 1.0    # white cell at (0, 0)
    images[1] = -1.0   # black cell at (0, 1)
    images[2, :28] = 1  # first pixel row white, rest mid-grey, cell (0, 2)
    grid = image_grid(images, 2, 3, pad=2)
    assert grid.shape == (2 * 28 + 2, 3 * 28 + 2 * 2)
    assert grid.dtype == np.float32 and grid.min() >= 0 and grid.max() <= 1
    assert np.all(grid[:28, :28] == 1.0)
    assert np.all(grid[:28, 30:58] == 0.0)
    assert np.all(grid[0, 60:88] == 1.0) and np.all(grid[1:28, 60:88] == 0.5)
    # Padding between cells is white: the 2 columns between cells 0 and 1, the 2 rows between the rows.
    assert np.all(grid[:, 28:30] == 1.0) and np.all(grid[28:30, :] == 1.0)
    # Cells 3, 4 hold zeros (grey 0.5); cell 5 does not exist and is blank (white).
    assert np.all(grid[30:, :28] == 0.5) and np.all(grid[30:, 30:58] == 0.5)
    assert np.all(grid[30:, 60:] == 1.0)


def test_image_grid_accepts_28x28_clips_and_checks():
    flat = np.random.default_rng(1).uniform(-1, 1, (4, 784))
    assert np.array_equal(image_grid(flat, 2, 2), image_grid(flat.reshape(4, 28, 28), 2, 2))
    assert image_grid(flat, 1, 4, pad=0).shape == (28, 112)
    loud = np.full((1, 784), 5.0)
    loud[0, 0] = -7
    loud[0, 1] = np.nan
    grid = image_grid(loud, 1, 1)
    assert grid[0, 0] == 0.0 and grid[0, 1] == 0.0 and grid[0, 2] == 1.0
    with pytest.raises(ValueError, match="do not fit"):
        image_grid(flat, 1, 3)
    with pytest.raises(ValueError):
        image_grid(np.zeros((2, 700)), 1, 2)


def test_grid_shape_is_near_square_or_given_columns():
    assert plots.grid_shape(16) == (4, 4)
    assert plots.grid_shape(5) == (2, 3)
    assert plots.grid_shape(1) == (1, 1)
    assert plots.grid_shape(10, 5) == (2, 5)
    assert plots.grid_shape(3, 8) == (1, 3)


# --- figures ---------------------------------------------------------------------------------------------

def test_sample_grid_figure_is_one_grey_image_without_ticks():
    images = make_samples(1, 20)[0]
    fig = plots.sample_grid_figure(images, title="Epoch 100")
    (ax,) = image_axes(fig)
    (im,) = ax.images
    assert im.get_cmap().name == "Greys_r"
    assert im.get_array().shape == image_grid(images[:16], 4, 4).shape  # first 16 of 20
    assert np.allclose(im.get_array(), image_grid(images[:16], 4, 4))
    assert not ax.get_xticks().size and not ax.get_yticks().size
    assert fig.texts[0].get_text() == "Epoch 100"


def test_progress_figure_rows_are_labelled_epochs_including_the_last():
    samples = make_samples(25, 16)
    fig = plots.progress_figure(samples, rows=10, cols=6)
    (ax,) = image_axes(fig)
    labels = [int(t.get_text()) for t in ax.get_yticklabels()]
    assert len(labels) == 10 and labels[0] == 1 and labels[-1] == 25
    assert labels == sorted(set(labels))
    assert ax.get_ylabel() == "epoch"
    grid = ax.images[0].get_array()
    assert grid.shape == (10 * 28 + 9 * 2, 6 * 28 + 5 * 2)
    # The bottom-right cell is the last epoch's last sample.
    assert np.allclose(grid[-28:, -28:], (samples[-1, -1].reshape(28, 28) + 1) / 2)


def test_progress_figure_with_fewer_epochs_than_rows():
    fig = plots.progress_figure(make_samples(3, 4), rows=10, cols=6)
    (ax,) = image_axes(fig)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1", "2", "3"]
    assert ax.images[0].get_array().shape == (3 * 28 + 2 * 2, 4 * 28 + 3 * 2)


def test_losses_figure_lines_labels_and_epoch_axis():
    d, g = [1.2, 0.9, 0.8], [0.7, 1.5, 2.0]
    fig = plots.losses_figure(d, g)
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.lines] == ["Discriminator", "Generator"]
    assert list(ax.lines[0].get_xdata()) == [1, 2, 3] and list(ax.lines[1].get_ydata()) == g
    assert ax.get_title() == "Training Losses" and ax.get_xlabel() == "epoch"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Discriminator", "Generator"]

    fig = plots.losses_figure(d, g, d_means=[1, 1, 1], g_means=[2, 2, 2])
    (ax,) = fig.axes
    assert len(ax.lines) == 4 and len(ax.get_legend().get_texts()) == 4
    assert all(line.get_linestyle() == "--" for line in ax.lines[2:])


# --- files -----------------------------------------------------------------------------------------------

def test_save_figure_writes_a_valid_png(tmp_path):
    path = tmp_path / "samples.png"
    plots.save_figure(plots.sample_grid_figure(make_samples(1)[0]), path)
    with Image.open(path) as im:
        assert im.format == "PNG" and im.size[0] >= 400 and im.size[1] >= 400
    assert os.listdir(tmp_path) == ["samples.png"]


def test_save_figure_failure_leaves_nothing_behind(tmp_path, monkeypatch):
    fig = plots.losses_figure([1, 2], [2, 1])

    def broken_savefig(out, **kwargs):
        out.write(b"\x89PNG half a file")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(fig, "savefig", broken_savefig)
    with pytest.raises(RuntimeError, match="disk on fire"):
        plots.save_figure(fig, tmp_path / "losses.png")
    assert os.listdir(tmp_path) == []

    # An existing file stays as it was.
    (tmp_path / "losses.png").write_bytes(b"old")
    with pytest.raises(RuntimeError):
        plots.save_figure(fig, tmp_path / "losses.png")
    assert os.listdir(tmp_path) == ["losses.png"] and (tmp_path / "losses.png").read_bytes() == b"old"


def test_progress_gif_has_one_frame_per_epoch(tmp_path):
    path = tmp_path / "progress.gif"
    plots.save_progress_gif(make_samples(12), path, fps=5)
    with Image.open(path) as im:
        assert im.format == "GIF" and im.n_frames == 12
        grid_h, grid_w = image_grid(np.zeros((16, 784)), 4, 4).shape
        assert im.size[0] == 2 * grid_w and im.size[1] > 2 * grid_h  # x2, plus the "epoch N" band
        im.seek(3)
        assert im.info["duration"] == 200
    assert os.listdir(tmp_path) == ["progress.gif"]


def test_progress_gif_frames_show_the_grid():
    samples = make_samples(2)
    frames = list(plots.progress_frames(samples, label=False, scale=2))
    assert len(frames) == 2 and frames[0].dtype == np.uint8
    expected = np.rint(image_grid(samples[1], 4, 4) * 255).astype(np.uint8).repeat(2, 0).repeat(2, 1)
    assert np.array_equal(frames[1], expected)


def test_progress_gif_stays_small_for_100_epochs(tmp_path):
    path = tmp_path / "progress.gif"
    plots.save_progress_gif(make_samples(100), path)  # uniform noise: far worse than real samples
    assert os.path.getsize(path) < 2.5e6
    with Image.open(path) as im:
        assert im.n_frames == 100


def test_progress_gif_failure_leaves_nothing_behind(tmp_path, monkeypatch):
    def broken_save(self, fp, *args, **kwargs):
        fp.write(b"GIF89a")
        raise OSError("no space left")

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(OSError, match="no space"):
        plots.save_progress_gif(make_samples(3), tmp_path / "progress.gif")
    assert os.listdir(tmp_path) == []


def test_quality_figure_adds_precision_and_recall_when_logged():
    epochs, fid = [2, 4, 6], [80.0, 40.0, 50.0]
    shares = ([0.05, 0.08, 0.09], [0.2, 0.05, 0.02], [0.5, 0.7, 0.8])
    without = plots.quality_figure(epochs, fid, *shares)
    nan = [np.nan] * 3  # a resumed run scored before precision and recall were logged
    assert len(plots.quality_figure(epochs, fid, *shares, nan, nan).axes[1].get_lines()) == \
        len(without.axes[1].get_lines())
    right = plots.quality_figure(epochs, fid, *shares, [0.5, 0.6, 0.7], [0.1, 0.2, 0.3]).axes[1]
    labels = [line.get_label() for line in right.get_lines()]
    assert "precision (quality)" in labels and "recall (variety)" in labels
    assert list(right.get_lines()[labels.index("recall (variety)")].get_ydata()) == [0.1, 0.2, 0.3]


def test_truncation_figure_plots_each_figure_against_t():
    t = [0.25, 0.5, 1.0]
    fig = plots.truncation_figure(t, [90.0, 40.0, 20.0], [0.9, 0.8, 0.6], [0.05, 0.2, 0.4], title="sweep")
    ax_fid, ax_pr = fig.axes
    assert list(ax_fid.get_lines()[0].get_xdata()) == t and list(ax_fid.get_lines()[0].get_ydata()) == [90, 40, 20]
    assert [list(line.get_ydata()) for line in ax_pr.get_lines()] == [[0.9, 0.8, 0.6], [0.05, 0.2, 0.4]]
    assert ax_pr.get_ylim() == (0, 1) and "truncation" in ax_fid.get_xlabel()
