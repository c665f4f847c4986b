"""One lab run: small networks for 2-D data, trained with npgan's GAN step, watched as they learn.

The networks (GAN Lab's and PacGAN's scale), built from npgan's layers:

    G: z (2, standard normal) -> 3 x (Dense 128, ReLU) -> Dense 2              [-> Pack(m)]
    D: packed points (2m)     -> 2 x (Dense 128, LeakyReLU 0.2) -> Dense 1      (a logit, or a critic's score)

PacGAN's packing (``pack = m > 1``) is a last layer of G and the same reshape of every real batch: D then
judges rows of ``m`` points, all real or all fake, while the GAN step, the losses and any penalty see
ordinary rows (``npgan.layers.Pack``). The points themselves are G's output *before* the packing
(:func:`generate`).

Each step draws a real batch and ``z`` from one stream of random numbers (``seed``), and calls
``GAN.train_step``; the initial weights and the 2,500 samples scored come from streams of their own, so a
seed fixes the run bit for bit, and scoring or drawing more often changes nothing in the training.
"""
import math
import time
from dataclasses import dataclass, field, replace

import numpy as np

from ..gan import GAN, GANConfig
from ..layers import Dense, LeakyReLU, Pack, ReLU, Sequential
from ..losses import sigmoid
from ..recipes import recipe
from .datasets import dataset, points_shape
from .metrics import SAMPLES, mode_score

DEFAULT_STEPS = 8000
PICTURE_POINTS = 500   # real and fake points drawn per frame (fakes carry the arrows)
HEAT_SIZE = 96         # D's output on a HEAT_SIZE x HEAT_SIZE grid over the plane
MANIFOLD_SIZE = 21     # G's manifold: a MANIFOLD_SIZE x MANIFOLD_SIZE grid of z in [-Z_EXTENT, Z_EXTENT]^2
Z_EXTENT = 2.5
DECAY_STEPS = 1000      # --lr-decay multiplies the learning rates after every DECAY_STEPS steps


# The lab's own settings of the GAN step, where they differ from the tutorial's (GANConfig): 2-D z, no label
# smoothing, and Adam at lr 1e-3 with beta1 0.5. A loss's recipe (npgan.recipes) and the flags given go on top.
LAB_DEFAULTS = dict(z_size=2, smooth=0.0, lr=1e-3, beta1=0.5)


@dataclass
class LabConfig:
    """A lab run. ``gan``: settings of the GAN step given on top of the loss's recipe (GANConfig fields, e.g.
    ``{"penalty": "gp", "d_steps": 5}``); see :meth:`gan_config`."""

    data: str = "grid25"
    loss: str = "ns"
    steps: int = DEFAULT_STEPS
    seed: int = 0
    batch_size: int = 100
    g_hidden: tuple = (128, 128, 128)
    d_hidden: tuple = (128, 128)
    pack: int = 1
    gan: dict = field(default_factory=dict)
    points: np.ndarray = None  # the points of data "points" (n, 2)

    def gan_config(self):
        """The GANConfig of the step: GANConfig's defaults, then :data:`LAB_DEFAULTS`, then the recipe of the
        loss and penalty (``npgan.recipes``), then ``gan``; batch size and seed the lab's."""
        settings = recipe(self.loss, self.gan.get("penalty", "none"))
        return GANConfig(**{**LAB_DEFAULTS, **settings, **self.gan, "loss": self.loss,
                            "batch_size": self.batch_size, "seed": self.seed})

    def distribution(self):
        return points_shape(self.points) if self.data == "points" else dataset(self.data)


def make_networks(config, rng=None, dtype=np.float32):
    """``(G, D)`` of the lab (see the module's docstring) for ``config``'s widths and packing."""
    rng = np.random.default_rng(rng)
    G, width = [], 2
    for hidden in config.g_hidden:
        G += [Dense(width, hidden, rng=rng, dtype=dtype), ReLU()]
        width = hidden
    G.append(Dense(width, 2, rng=rng, dtype=dtype))
    if config.pack > 1:
        G.append(Pack(config.pack))
    D, width = [], 2 * config.pack
    for hidden in config.d_hidden:
        D += [Dense(width, hidden, rng=rng, dtype=dtype), LeakyReLU(0.2)]
        width = hidden
    D.append(Dense(width, 1, rng=rng, dtype=dtype))
    return Sequential(*G), Sequential(*D)


def generate(G, z):
    """G's points (n, 2) for ``z`` (n, 2): every layer but a final ``Pack``, so ``n`` need not be a multiple of m."""
    layers = G.layers[:-1] if isinstance(G.layers[-1], Pack) else G.layers
    for layer in layers:
        z = layer.forward(z)
    return z


def pack_rows(points, m):
    """Points (n, 2) as D's rows (n/m, 2m): the reshape ``Pack(m)`` does (a view, no copy)."""
    return points.reshape(len(points) // m, -1)


def point_gradients(gan, points, m):
    """``dL_G / dx`` for each fake point ``x`` of ``points`` (n, 2), n a multiple of ``m``: the gradient of G's
    loss with respect to G's output, as the G step computes it (objective, then D's backward pass, D's
    weights left alone). G moves its points *against* it: the arrows GAN Lab draws are ``-gradient``."""
    _, d_out = gan.objective.g(gan.D.forward(pack_rows(points, m)))
    return gan.D.backward(d_out, param_grads=False).reshape(points.shape)


@dataclass
class Frame:
    """What a picture of one moment shows (all float32/float64 arrays, plain data)."""

    step: int
    fake: np.ndarray        # (PICTURE_POINTS, 2) G's points for fixed z
    arrows: np.ndarray      # (PICTURE_POINTS, 2) -dL_G/dx on those points: where the G step moves them
    heat: np.ndarray        # (HEAT_SIZE, HEAT_SIZE) D's verdict over the plane (rows: y, columns: x)
    manifold: np.ndarray    # (MANIFOLD_SIZE, MANIFOLD_SIZE, 2) where G sends a grid of z
    score: object = None    # ModeScore of the 2,500 samples, for a mixture


@dataclass
class LabRun:
    """A finished run: its config, the logged history, the frames, and the final 2,500 samples."""

    config: LabConfig
    samples: np.ndarray                    # (SAMPLES, 2) float32, the final generator on the fixed z
    score: object                          # ModeScore of ``samples`` (None for data without modes)
    seconds: float                         # training time (scoring and pictures excluded), wall clock
    history: dict = field(default_factory=dict)  # "step", "d_loss", "g_loss", and for mixtures "modes", ...
    frames: list = field(default_factory=list)
    real: np.ndarray = None                # (PICTURE_POINTS, 2) real points for the pictures
    extent: tuple = None                   # (low, high) of the square drawn
    diverged_at: int = None                # the step whose loss was not finite, if any
    cpu_seconds: float = None              # the same training time as this process's CPU time: on a busy
                                           # machine the steadier figure (at one BLAS thread)


def plot_extent(distribution, rng):
    """A square ``(low, high)`` holding the data with a margin: where the pictures and D's heat map look."""
    points = distribution.sample(rng, 5000)
    half = float(np.abs(points).max()) * 1.25 + 0.1
    return -half, half


def heat_grid(extent, size=HEAT_SIZE):
    """The points (size*size, 2) at which D's heat map is computed, row by row from the bottom (y) up."""
    ticks = np.linspace(*extent, size, dtype=np.float32)
    x, y = np.meshgrid(ticks, ticks)
    return np.stack([x.ravel(), y.ravel()], axis=1)


def z_grid(size=MANIFOLD_SIZE, extent=Z_EXTENT):
    ticks = np.linspace(-extent, extent, size, dtype=np.float32)
    x, y = np.meshgrid(ticks, ticks)
    return np.stack([x.ravel(), y.ravel()], axis=1)


def d_verdict(gan, points, m, loss):
    """D's output on ``points`` (each shown as a pack of m copies of itself): the probability of "real" for
    the BCE losses, the raw score for the others (least squares, hinge, Wasserstein)."""
    out = gan.D.forward(np.repeat(points, m, axis=0).reshape(len(points), -1)).ravel()
    return sigmoid(out) if loss in ("ns", "minimax") else out


def snapshot(gan, config, step, z_points, extent, score=None):
    """A :class:`Frame` of the networks as they are now (changes nothing they will train with)."""
    m = config.pack
    fake = generate(gan.G, z_points)
    arrows = -point_gradients(gan, fake[:m * (len(fake) // m)], m)
    heat = d_verdict(gan, heat_grid(extent), m, config.loss).reshape(HEAT_SIZE, HEAT_SIZE)
    manifold = generate(gan.G, z_grid()).reshape(MANIFOLD_SIZE, MANIFOLD_SIZE, 2)
    return Frame(step, fake.copy(), arrows, heat, manifold.copy(), score)


def log_steps(steps, every):
    """The steps after which the run logs: 0 (before training), every ``every``-th, and the last."""
    if not every:
        return {steps}
    return set(range(0, steps, every)) | {steps}


def run(config, *, log_every=None, frames=False, clock=time.perf_counter):
    """Train ``config``'s networks for ``config.steps`` GAN steps; returns a :class:`LabRun`.

    ``log_every``: score the 2,500 samples (a mixture) and record the losses every that many steps
    (None: only at the end); ``frames``: keep a :class:`Frame` at each logged step (else only the last).
    """
    distribution = config.distribution()
    n, m = config.batch_size, config.pack
    if n % m:
        raise ValueError(f"the batch size ({n}) must be a multiple of --pack ({m})")
    gan = GAN(config.gan_config(), networks=make_networks(config, np.random.default_rng([config.seed, 0])))
    rows = n * gan.config.d_steps  # one real batch (and one batch of z) per D step
    train_rng = np.random.default_rng([config.seed, 1])
    z_eval = np.random.default_rng([config.seed, 2]).standard_normal((SAMPLES, 2), dtype=np.float32)
    extent = plot_extent(distribution, np.random.default_rng([config.seed, 3]))
    real = distribution.sample(np.random.default_rng([config.seed, 4]), PICTURE_POINTS)
    history = {key: [] for key in ("step", "d_loss", "g_loss", "modes", "high_quality", "kl")}
    kept, logged = [], log_steps(config.steps, log_every)
    d_loss = g_loss = math.nan
    seconds, cpu_seconds, diverged_at, last = 0.0, 0.0, None, config.steps

    def log(step):
        samples = generate(gan.sampler, z_eval)  # with --ema, the weight average
        score = mode_score(samples, distribution.means, distribution.std) if distribution.means is not None else None
        history["step"].append(step)
        history["d_loss"].append(d_loss)
        history["g_loss"].append(g_loss)
        for key in ("modes", "high_quality", "kl"):
            history[key].append(getattr(score, key) if score else math.nan)
        if frames or step == last:
            kept.append(snapshot(gan, config, step, z_eval[:PICTURE_POINTS], extent, score))
        return samples, score

    if 0 in logged:
        log(0)
    for step in range(1, config.steps + 1):
        started, cpu_started = clock(), time.process_time()
        if step % DECAY_STEPS == 1:
            gan.start_epoch(step // DECAY_STEPS)  # lr * lr_decay**(steps done // DECAY_STEPS)
        batch = distribution.sample(train_rng, rows)
        z = train_rng.standard_normal((rows, 2), dtype=np.float32)
        d_loss, g_loss = gan.train_step(pack_rows(batch, m), z)
        seconds += clock() - started
        cpu_seconds += time.process_time() - cpu_started
        if not math.isfinite(d_loss + g_loss):
            diverged_at = last = step
            break
        if step in logged and step != config.steps:
            log(step)
    samples, score = log(step)
    return LabRun(replace(config), samples.astype(np.float32, copy=True), score, seconds, history, kept, real,
                  extent, diverged_at, cpu_seconds)
