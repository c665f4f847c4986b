"""Train the tutorial's GAN on MNIST: ``python -m npgan.train`` (see ``--help``).

Every epoch ends with the tutorial's print and with ``checkpoint.npz`` (the whole training state),
``generator.npz``, ``samples.npz`` and ``losses.csv`` rewritten atomically in the output folder, so a run
killed at any moment loses at most the epoch in progress and ``--resume`` continues it exactly. The
pictures (``losses.png``, ``samples.png``, ``progress.png``, ``progress.gif``) are drawn when training
stops, for whatever reason.
"""
import argparse
import csv
import math
import sys
import time
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from . import plots
from .cli import ArgumentParser, fraction, nonnegative_int, positive_float, positive_int
from .data import DownloadError, atomic_write, load_mnist, read_idx
from .gan import (GAN, CheckpointError, GANConfig, checkpoint_arrays, generator_arrays, load_checkpoint,
                  sample_z, to_unit_range)

TF1_VALIDATION_SIZE = 5000  # TF1's read_data_sets held out the first 5,000 training images
SAMPLES_PER_EPOCH = 16
LOSS_KEYS = ("d_loss", "g_loss", "d_loss_mean", "g_loss_mean")  # the columns of losses.csv
HISTORY_KEYS = LOSS_KEYS + ("samples",)


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite."""


def train(images_u8, config, out_dir, *, resume_from=None, progress=None, log=print):
    """Train on ``images_u8`` (N, 28, 28) uint8, writing every output into ``out_dir``; returns the GAN.

    ``resume_from``: ``(gan, epoch, rng, history)`` from :func:`npgan.gan.load_checkpoint` to continue a run
    (``config`` then only sets the number of epochs). ``progress``: show a progress bar within each epoch
    (``None``: only when stderr is a terminal).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if resume_from:
        gan, start_epoch, rng, saved = resume_from
        gan.config.epochs = config.epochs
        history = {key: list(saved[key]) for key in HISTORY_KEYS}
    else:
        # Separate streams for the initial weights (inside GAN) and for shuffling and z.
        gan, start_epoch, rng = GAN(config), 0, np.random.default_rng([config.seed, 1])
        history = {key: [] for key in HISTORY_KEYS}
    config = gan.config
    if images_u8.shape[1:] != (28, 28) or len(images_u8) < config.batch_size:
        raise ValueError(f"need at least batch-size={config.batch_size} images of 28x28, got {images_u8.shape}")
    fixed_z = sample_z(np.random.default_rng([config.seed, 2]), SAMPLES_PER_EPOCH, config.z_size)
    steps = len(images_u8) // config.batch_size

    try:
        for epoch in range(start_epoch, config.epochs):
            real, z, d_mean, g_mean = _train_epoch(gan, images_u8, rng, steps, epoch, progress)
            d_loss, g_loss = gan.losses(real, z)  # the tutorial's print: the last batch, after the step
            log(f"Epoch {epoch + 1}/{config.epochs}... Discriminator Loss: {d_loss:.4f}... "
                f"Generator Loss: {g_loss:.4f}")
            for key, value in zip(HISTORY_KEYS, (d_loss, g_loss, d_mean, g_mean, gan.generate(fixed_z))):
                history[key].append(value)
            save_epoch(out_dir, gan, epoch + 1, rng, history)
    finally:
        if history["samples"]:
            save_pictures(out_dir, history)
    return gan


def _train_epoch(gan, images_u8, rng, steps, epoch, progress):
    """One pass over the images, reshuffled; returns the last batch, its z and the epoch's mean losses."""
    config = gan.config
    order = rng.permutation(len(images_u8))
    d_sum = g_sum = 0.0
    for step in _progress_bar(range(steps), f"Epoch {epoch + 1}/{config.epochs}", progress):
        batch = order[step * config.batch_size:(step + 1) * config.batch_size]
        real = to_unit_range(images_u8[batch])
        z = sample_z(rng, config.batch_size, config.z_size)
        d_loss, g_loss = gan.train_step(real, z)
        if not math.isfinite(d_loss + g_loss):
            raise TrainingDiverged(f"training diverged in epoch {epoch + 1}, step {step + 1}: "
                                   f"d_loss={d_loss}, g_loss={g_loss}")
        d_sum += d_loss
        g_sum += g_loss
    return real, z, d_sum / steps, g_sum / steps


def _progress_bar(iterable, description, enabled):
    return tqdm(iterable, desc=description, leave=False, unit="step", disable=None if enabled is None else not enabled)


def save_epoch(out_dir, gan, epoch, rng, history):
    """Rewrite the per-epoch outputs atomically; the checkpoint last, so it never runs ahead of the others."""
    samples = np.asarray(history["samples"], dtype=np.float32)
    _save_npz(out_dir / "samples.npz", samples=samples, epochs=np.arange(1, epoch + 1))
    _save_npz(out_dir / "generator.npz", **generator_arrays(gan.G, gan.config))
    with atomic_write(out_dir / "losses.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(("epoch", *LOSS_KEYS))
        for row in zip(range(1, epoch + 1), *(history[key] for key in LOSS_KEYS)):
            writer.writerow((row[0], *(f"{value:.6f}" for value in row[1:])))
    _save_npz(out_dir / "checkpoint.npz", **checkpoint_arrays(gan, epoch, rng, history))


def _save_npz(path, **arrays):
    with atomic_write(path) as f:
        np.savez(f, **arrays)


def save_pictures(out_dir, history):
    """losses.png, samples.png (last epoch, 4x4), progress.png (rows across epochs) and progress.gif."""
    samples = np.asarray(history["samples"])
    plots.save_figure(plots.losses_figure(history["d_loss"], history["g_loss"], d_means=history["d_loss_mean"],
                                          g_means=history["g_loss_mean"]), out_dir / "losses.png")
    plots.save_figure(plots.sample_grid_figure(samples[-1], title=f"Epoch {len(samples)}"), out_dir / "samples.png")
    plots.save_figure(plots.progress_figure(samples, rows=min(10, len(samples))), out_dir / "progress.png")
    plots.save_progress_gif(samples, out_dir / "progress.gif")


def load_training_images(args):
    """The training images: an IDX file given by --images, else MNIST's 55,000 (TF1's training split)."""
    if args.images:
        images = read_idx(args.images)
        if images.dtype != np.uint8 or images.shape[1:] != (28, 28):
            raise ValueError(f"{args.images}: need uint8 images of shape (N, 28, 28), got {images.dtype} {images.shape}")
        return images
    images, _ = load_mnist("train", data_dir=args.data_dir, dataset=args.dataset)
    return images[TF1_VALIDATION_SIZE:]


# --- Command line --------------------------------------------------------------------------------------

def parse_args(argv):
    """``(parser, args, explicit)``: ``explicit`` holds the model flags actually given on the command line."""
    defaults = GANConfig()
    parser = ArgumentParser(
        prog="npgan.train",
        description="Train the tutorial's GAN (TF1 'GAN on MNIST') in NumPy and save checkpoints, losses and "
                    "samples. Defaults are the tutorial's.",
        epilog="example: python -m npgan.train --epochs 100 --out out\n"
               "then:    python -m npgan.sample --checkpoint out/generator.npz")
    model = parser.add_argument_group("model and training (the tutorial's values by default)")
    for name, kind, help_text in (
        ("epochs", positive_int, "passes over the data"),
        ("batch_size", positive_int, "images per step"),
        ("z_size", positive_int, "size of the latent vector z"),
        ("g_hidden", positive_int, "generator hidden units"),
        ("d_hidden", positive_int, "discriminator hidden units"),
        ("alpha", fraction, "LeakyReLU slope for x < 0"),
        ("smooth", fraction, "label smoothing: real images get the target 1 - smooth"),
        ("lr", positive_float, "Adam learning rate"),
        ("beta1", fraction, "Adam beta1"),
        ("seed", nonnegative_int, "random seed: same seed, same machine, same run"),
    ):
        # SUPPRESS: a flag not given stays off ``args``, so a resumed run can tell given from default.
        model.add_argument("--" + name.replace("_", "-"), type=kind, default=argparse.SUPPRESS,
                           help=f"{help_text} (default: {getattr(defaults, name)})")
    other = parser.add_argument_group("data, output and machine")
    other.add_argument("--data-dir", default="data", help="MNIST folder; missing files are downloaded")
    other.add_argument("--dataset", choices=("mnist", "fashion-mnist"), default="mnist", help="which dataset")
    other.add_argument("--images", metavar="IDX_FILE", help="train on this IDX file of 28x28 uint8 images instead")
    other.add_argument("--out", default="out", help="output folder")
    other.add_argument("--resume", action="store_true",
                       help="continue the run in --out from its checkpoint.npz (--epochs may be raised)")
    other.add_argument("--threads", type=positive_int, default=1,
                       help="BLAS threads (1 is fastest on a shared machine; see README)")
    other.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="progress bar within each epoch (default: when on a terminal)")
    args = parser.parse_args(argv)
    explicit = {f.name: getattr(args, f.name) for f in fields(GANConfig) if hasattr(args, f.name)}
    return parser, args, explicit


def _start_or_resume(parser, args, explicit):
    """``(config, resume_from)``: a fresh run refuses to overwrite one; a resumed run keeps its own config."""
    checkpoint = Path(args.out) / "checkpoint.npz"
    if not args.resume:
        if checkpoint.exists():
            parser.error(f"{args.out} already holds a run: add --resume to continue it, or choose another --out")
        return GANConfig(**explicit), None
    if not checkpoint.exists():
        parser.error(f"--resume: no checkpoint at {checkpoint}")
    resume_from = load_checkpoint(checkpoint)
    saved = resume_from[0].config
    conflicts = [f"--{name.replace('_', '-')} {value} (the run has {getattr(saved, name)})"
                 for name, value in explicit.items() if name != "epochs" and value != getattr(saved, name)]
    if conflicts:
        parser.error("--resume continues the run as it was configured; drop " + ", ".join(conflicts))
    return GANConfig(**{**asdict(saved), "epochs": explicit.get("epochs", saved.epochs)}), resume_from


def main(argv=None):
    """Command-line entry point; returns the exit code."""
    parser, args, explicit = parse_args(argv)
    from threadpoolctl import threadpool_limits

    try:
        config, resume_from = _start_or_resume(parser, args, explicit)
        images = load_training_images(args)
        started = time.perf_counter()
        with threadpool_limits(limits=args.threads, user_api="blas"):
            gan = train(images, config, args.out, resume_from=resume_from, progress=args.progress)
    except (CheckpointError, DownloadError, FileNotFoundError, ValueError, OSError) as err:
        print(f"npgan.train: error: {err}", file=sys.stderr)
        return 1
    except TrainingDiverged as err:
        print(f"npgan.train: error: {err}. The last good checkpoint is intact in {args.out}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\nnpgan.train: interrupted. Continue with: python -m npgan.train --resume --out {args.out}",
              file=sys.stderr)
        return 130
    minutes = (time.perf_counter() - started) / 60
    print(f"Trained {gan.config.epochs} epochs in {minutes:.1f} min; outputs in {args.out}/. "
          f"Draw new digits: python -m npgan.sample --checkpoint {Path(args.out) / 'generator.npz'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
