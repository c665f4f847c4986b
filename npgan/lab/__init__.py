"""The GAN lab: mode collapse and its cures on two-dimensional data (``python -m npgan.lab``).

- :mod:`npgan.lab.datasets`: the ring of 8 and the grid of 25 Gaussians, shapes, points of one's own;
- :mod:`npgan.lab.metrics`: modes covered, high-quality share and KL, as VEEGAN and PacGAN count them;
- :mod:`npgan.lab.training`: the lab's networks (with PacGAN's packing) trained by ``npgan.gan.GAN.train_step``;
- :mod:`npgan.lab.pictures`: GAN Lab's pictures (D's verdict, G's points, their gradients, G's manifold);
- :mod:`npgan.lab.sweep`: recipes over seeds, their table;
- :mod:`npgan.lab.command`: the command line (``python -m npgan.lab``), single runs and sweeps.
"""
from .datasets import DATASETS, dataset, grid25, load_points, ring8
from .metrics import SAMPLES, ModeScore, mode_score
from .training import LabConfig, LabRun, generate, make_networks, point_gradients, run

__all__ = ["DATASETS", "dataset", "grid25", "load_points", "ring8", "SAMPLES", "ModeScore", "mode_score",
           "LabConfig", "LabRun", "generate", "make_networks", "point_gradients", "run"]
