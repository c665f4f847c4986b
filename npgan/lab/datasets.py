"""Two-dimensional data for the GAN lab: the mixtures of the mode-collapse papers, shapes, and your own points.

A *mixture* has modes: ``K`` Gaussians with means ``means`` (K, 2) and one standard deviation ``std``, each
picked with probability 1/K. The two benchmarks of VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al.
2018) are mixtures, and their metrics (:mod:`npgan.lab.metrics`) count how many of the modes a generator
reaches:

- ``ring8``: 8 modes on the unit circle, ``(cos 2 pi k/8, sin 2 pi k/8)``, std 0.01;
- ``grid25``: 25 modes at ``{-4, -2, 0, 2, 4}^2``, std 0.05.

The other shapes have no modes to count; they are there to watch: ``moons`` (two interleaved half circles)
and ``spiral`` (one arm of a spiral), each blurred with a little Gaussian noise, and ``points``, a
distribution of one's own: the rows of a file, drawn uniformly with replacement.

Every sampler draws float32 rows (n, 2) from a ``np.random.Generator``: same generator state, same points.
"""
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Mixture:
    """Equal-weight Gaussian mixture: ``means`` (K, 2), a common ``std``; the modes are the means."""

    name: str
    means: np.ndarray
    std: float

    def sample(self, rng, n):
        """``n`` points (n, 2) float32: a uniformly random mode per point, plus ``std`` Gaussian noise."""
        modes = rng.integers(len(self.means), size=n)
        points = rng.standard_normal((n, 2))
        points *= self.std
        points += self.means[modes]
        return points.astype(np.float32)


@dataclass(frozen=True)
class Shape:
    """A distribution without modes to count: ``draw(rng, n) -> (n, 2)`` float64 points."""

    name: str
    draw: object
    means: None = None  # no modes: the mode metrics do not apply

    def sample(self, rng, n):
        return self.draw(rng, n).astype(np.float32)


def ring8():
    """8 Gaussians on the unit circle, std 0.01 (PacGAN's ring)."""
    angles = 2 * np.pi * np.arange(8) / 8
    return Mixture("ring8", np.stack([np.cos(angles), np.sin(angles)], axis=1), 0.01)


def grid25():
    """25 Gaussians at {-4, -2, 0, 2, 4}^2, std 0.05 (PacGAN's grid)."""
    ticks = np.arange(-4.0, 5.0, 2.0)
    return Mixture("grid25", np.stack(np.meshgrid(ticks, ticks, indexing="ij"), axis=-1).reshape(-1, 2), 0.05)


def _moons(rng, n, noise=0.05):
    """Two interleaved half circles of radius 1 (scikit-learn's ``make_moons``), centred on the origin."""
    upper = rng.random(n) < 0.5
    t = np.pi * rng.random(n)
    x = np.where(upper, np.cos(t), 1 - np.cos(t)) - 0.5
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t)) - 0.25
    return np.stack([x, y], axis=1) + noise * rng.standard_normal((n, 2))


def _spiral(rng, n, noise=0.03):
    """One arm of an Archimedean spiral, 1.5 turns, radius up to 1: ``r = t``, angle ``3 pi t``, t ~ U(0.1, 1).
    The density along the arm grows with the radius, as a uniform t spreads it over a longer curve."""
    t = 0.1 + 0.9 * rng.random(n)
    return np.stack([t * np.cos(3 * np.pi * t), t * np.sin(3 * np.pi * t)], axis=1) + noise * rng.standard_normal((n, 2))


DATASETS = {
    "ring8": ring8,
    "grid25": grid25,
    "moons": lambda: Shape("moons", _moons),
    "spiral": lambda: Shape("spiral", _spiral),
}


def dataset(name):
    """The distribution called ``name`` (a key of :data:`DATASETS`); ``ValueError`` naming the known ones."""
    if name not in DATASETS:
        raise ValueError(f"unknown data {name!r} (known: {', '.join(DATASETS)})")
    return DATASETS[name]()


def load_points(path):
    """Points (n, 2) float64 from a ``.npy`` file (never unpickled) or a ``.csv`` file (two numbers a line; a
    header line is skipped). ``ValueError`` naming the file unless they are n >= 2 rows of 2 finite numbers."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".npy":
            points = np.load(path, allow_pickle=False)
        elif path.suffix.lower() == ".csv":
            points = _read_csv(path)
        else:
            raise ValueError(f"{path}: points must be a .npy or .csv file")
        points = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError) as err:  # also np.load's "Object arrays cannot be loaded"
        message = str(err)
        raise ValueError(message if message.startswith(str(path)) else f"{path}: {message}") from None
    if points.ndim != 2 or points.shape[1] != 2 or len(points) < 2:
        raise ValueError(f"{path}: need points of shape (n, 2) with n >= 2, got {points.shape}")
    if not np.isfinite(points).all():
        raise ValueError(f"{path}: the points must be finite numbers")
    return points


def _read_csv(path):
    """Rows of a CSV file as floats; a first line that is not numbers (a header) is skipped."""
    with open(path, encoding="utf-8") as f:
        lines = [line for line in f.read().splitlines() if line.strip()]
    if lines and not _is_number(lines[0].split(",")[0]):
        lines = lines[1:]
    try:
        rows = [[float(value) for value in line.split(",")] for line in lines]
    except ValueError:
        raise ValueError(f"{path}: every line must hold numbers separated by commas") from None
    if any(len(row) != 2 for row in rows):
        raise ValueError(f"{path}: need two numbers a line (x, y)")
    return np.array(rows, dtype=np.float64).reshape(-1, 2)


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def points_shape(points):
    """A :class:`Shape` drawing the given points (n, 2) uniformly, with replacement."""
    points = np.asarray(points, dtype=np.float64)
    return Shape("points", lambda rng, n: points[rng.integers(len(points), size=n)])
