"""Train a GAN on MNIST: ``python -m npgan.train`` (see ``--help``); the tutorial's model by default.

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
from .checkpoints import (Checkpoint, CheckpointError, checkpoint_arrays, generator_arrays, load_checkpoint)
from .cli import (ArgumentParser, UsageError, check_output_folder, decay_factor, failure_status, fraction,
                  nonnegative_float, nonnegative_int, plural, positive_float, positive_int, prepare_data_dir,
                  share)
from .data import DATASETS, DownloadError, atomic_write, load_mnist, read_idx
from .classifier import DEFAULT_JUDGE, JUDGES
from .evaluate import Evaluator, code_accuracy
from .gan import GANConfig, labels_in_turn, sample_z, to_unit_range
from .info import build_gan, latent_rows
from .models import CLASSES, MODELS, build_pair
from .penalties import check_critic
from .flags import add_training_flags, check_training_flags

TF1_VALIDATION_SIZE = 5000  # TF1's read_data_sets held out the first 5,000 training images
SAMPLES_PER_EPOCH = 16      # a 4x4 grid; a conditional run keeps SAMPLES_PER_CLASS for each class instead
SAMPLES_PER_CLASS = 5       # a 10x5 grid, row k = class k
LOSS_KEYS = ("d_loss", "g_loss", "d_loss_mean", "g_loss_mean")  # the columns of losses.csv
QUALITY_KEYS = ("fid", "min_share", "kl_uniform", "confident_share", "precision", "recall")  # --eval-every's columns (NaN: not scored)
HISTORY_KEYS = LOSS_KEYS + QUALITY_KEYS + ("samples",)
EVAL_SAMPLES = 2000  # samples scored by --eval-every (the same z every time)


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite."""


def train(images_u8, config, out_dir, *, labels=None, resume_from=None, minutes=None, evaluator=None,
          eval_every=None, progress=None, log=print, clock=time.perf_counter):
    """Train on ``images_u8`` (N, 28, 28) uint8, writing every output into ``out_dir``.

    ``labels``: (N,) integers in 0..9, needed by a conditional model. ``resume_from``: a
    :class:`npgan.checkpoints.Checkpoint` to continue (``config`` then only sets the number of epochs).
    ``minutes``: stop at the end of the epoch in which the run's training time (all its sessions, saving
    excluded) passes this budget. ``evaluator``: an :class:`npgan.evaluate.Evaluator` scoring
    ``EVAL_SAMPLES`` samples every ``eval_every`` epochs; the generator with the lowest FID so far is kept
    as ``generator_best.npz``. ``progress``: a progress bar within each epoch (``None``: only when stderr
    is a terminal). Returns the final :class:`npgan.checkpoints.Checkpoint`.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if resume_from:
        run = resume_from
        run.gan.config.epochs = config.epochs
        # Checkpoints of npgan 0.1 neither counted time nor scored quality.
        run.history = {key: list(run.history.get(key, np.full(run.epoch, np.nan))) for key in HISTORY_KEYS}
        run.state.setdefault("train_seconds", 0.0)
    else:
        # Separate streams for the initial weights (inside GAN) and for shuffling and z.
        run = Checkpoint(build_gan(config), 0, np.random.default_rng([config.seed, 1]),
                         {key: [] for key in HISTORY_KEYS}, {"train_seconds": 0.0})
    gan, config = run.gan, run.gan.config
    _check_data(images_u8, labels, config)
    fixed_z, fixed_labels = fixed_latents(config)
    steps = len(images_u8) // (config.batch_size * config.d_steps)  # G steps: each takes d_steps real batches

    try:
        while run.epoch < config.epochs and not _out_of_time(run, minutes):
            started = clock()
            gan.start_epoch(run.epoch)
            real, z, y, d_mean, g_mean = _train_epoch(gan, images_u8, labels, run.rng, steps, run.epoch, progress)
            d_loss, g_loss = gan.losses(real, z, y)  # the tutorial's print: the last batch, after the step
            run.epoch += 1
            gan.refresh_average()
            log(f"Epoch {run.epoch}/{config.epochs}... Discriminator Loss: {d_loss:.4f}... "
                f"Generator Loss: {g_loss:.4f}")
            quality = score(gan, evaluator) if evaluator and run.epoch % eval_every == 0 else {}
            for key, value in zip(LOSS_KEYS, (d_loss, g_loss, d_mean, g_mean)):
                run.history[key].append(value)
            for key in QUALITY_KEYS:
                run.history[key].append(quality.get(key, np.nan))
            run.history["samples"].append(gan.generate(fixed_z, fixed_labels))
            if quality:
                _keep_best(out_dir, run, quality, log)
            run.state["train_seconds"] += clock() - started
            save_epoch(out_dir, run)
    finally:
        if run.history["samples"]:
            save_pictures(out_dir, run.history, config.classes or config.codes[0])
    return run


def score(gan, evaluator):
    """The figures of ``EVAL_SAMPLES`` samples of the generator (the same z each time; a conditional
    generator's classes in turn); an InfoGAN's code accuracy too (:func:`npgan.evaluate.code_accuracy`)."""
    config = gan.config
    z = gan.sample_latent(np.random.default_rng([config.seed, 4]), EVAL_SAMPLES)
    samples = gan.generate(z, labels_in_turn(EVAL_SAMPLES, config.classes))
    if not config.info:
        return evaluator.score(samples)
    features, probabilities = evaluator.classify(samples)
    categories = config.codes[0]
    codes = z[:, config.z_size:config.z_size + categories].argmax(axis=1)
    accuracy = code_accuracy(probabilities.argmax(axis=1), codes, categories, len(evaluator.classes))[0]
    return {**evaluator.figures(features, probabilities), "code_accuracy": accuracy}


def _keep_best(out_dir, run, quality, log):
    """Print the figures; save the generator as ``generator_best.npz`` if its FID is the lowest so far."""
    best = quality["fid"] < run.state.get("best_fid", np.inf)
    log(f"  {EVAL_SAMPLES:,} samples scored: FID {quality['fid']:.2f}, smallest class {quality['min_share']:.1%}, "
        f"confident {quality['confident_share']:.1%}, precision {quality['precision']:.1%}, "
        f"recall {quality['recall']:.1%}"
        + (f", code accuracy {quality['code_accuracy']:.1%}" if "code_accuracy" in quality else "")
        + ("  (best so far: generator_best.npz)" if best else ""))
    if best:
        run.state.update(best_fid=float(quality["fid"]), best_epoch=run.epoch)
        gan = run.gan
        _save_npz(out_dir / "generator_best.npz", **generator_arrays(
            gan.sampler, gan.config.z_size, gan.config.classes, gan.config.codes, model=gan.config.model, epoch=run.epoch,
            fid=float(quality["fid"]), fid_samples=EVAL_SAMPLES))


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def _out_of_time(run, minutes):
    return minutes is not None and run.state["train_seconds"] >= 60 * minutes


def _check_data(images_u8, labels, config):
    needed = config.batch_size * config.d_steps
    if images_u8.shape[1:] != (28, 28) or len(images_u8) < needed:
        raise ValueError(f"need at least batch-size x d-steps = {needed} images of 28x28, got {images_u8.shape}")
    if config.conditional:
        if labels is None or np.shape(labels) != (len(images_u8),):
            raise ValueError(f"a conditional model needs one label per image ({len(images_u8)})")
        if labels.min() < 0 or labels.max() >= CLASSES:
            raise ValueError(f"labels must be 0..{CLASSES - 1}, got {labels.min()}..{labels.max()}")


def fixed_latents(config):
    """The z (and labels) of the samples kept every epoch: the same ones all run long, so they show the
    generator improving. Conditional: ``SAMPLES_PER_CLASS`` per class, class-major (row k = class k);
    InfoGAN: as many per category of its code (continuous codes 0), category-major."""
    rng = np.random.default_rng([config.seed, 2])
    categories, continuous = config.codes
    if not config.conditional and not categories:
        return sample_z(rng, SAMPLES_PER_EPOCH, config.z_size), None
    z = sample_z(rng, SAMPLES_PER_CLASS, config.z_size)
    rows = np.repeat(np.arange(categories or CLASSES), SAMPLES_PER_CLASS)
    if categories:
        z = np.tile(z, (categories, 1))
        return latent_rows(z, rows, np.zeros((len(z), continuous)), categories), None
    return np.tile(z, (CLASSES, 1)), rows


def _train_epoch(gan, images_u8, labels, rng, steps, epoch, progress):
    """One pass over the images, reshuffled; returns the last batch, its z and labels, and the mean losses.

    Each of the ``steps`` training steps takes the next ``d_steps`` batches of images (one per D step) and
    as many batches of z, drawn at once: with one D step, the tutorial's draws exactly."""
    config = gan.config
    order = rng.permutation(len(images_u8))
    rows = config.batch_size * config.d_steps
    d_sum = g_sum = 0.0
    y = None
    for step in _progress_bar(range(steps), f"Epoch {epoch + 1}/{config.epochs}", progress):
        batch = order[step * rows:(step + 1) * rows]
        real = to_unit_range(images_u8[batch])
        z = gan.sample_latent(rng, rows)
        if config.conditional:
            y = labels[batch]
        d_loss, g_loss = gan.train_step(real, z, y)
        if not math.isfinite(d_loss + g_loss):
            raise TrainingDiverged(f"training diverged in epoch {epoch + 1}, step {step + 1}: "
                                   f"d_loss={d_loss}, g_loss={g_loss}")
        d_sum += d_loss
        g_sum += g_loss
    return real, z, y, d_sum / steps, g_sum / steps


def _progress_bar(iterable, description, enabled):
    return tqdm(iterable, desc=description, leave=False, unit="step", disable=None if enabled is None else not enabled)


def save_epoch(out_dir, run):
    """Rewrite the per-epoch outputs atomically; the checkpoint last, so it never runs ahead of the others."""
    gan, history = run.gan, run.history
    samples = np.asarray(history["samples"], dtype=np.float32)
    _save_npz(out_dir / "samples.npz", samples=samples, epochs=np.arange(1, run.epoch + 1))
    _save_npz(out_dir / "generator.npz", **generator_arrays(gan.sampler, gan.config.z_size, gan.config.classes,
                                                            gan.config.codes, model=gan.config.model, epoch=run.epoch))
    scored = np.isfinite(history["fid"]).any()
    columns = LOSS_KEYS + (QUALITY_KEYS if scored else ())
    with atomic_write(out_dir / "losses.csv", "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")  # csv's default is "\r\n"; every other file has "\n"
        writer.writerow(("epoch", *columns))
        for row in zip(range(1, run.epoch + 1), *(history[key] for key in columns)):
            writer.writerow((row[0], *("" if math.isnan(value) else f"{value:.6f}" for value in row[1:])))
    _save_npz(out_dir / "checkpoint.npz", **checkpoint_arrays(gan, run.epoch, run.rng, history, run.state))


def _save_npz(path, **arrays):
    with atomic_write(path) as f:
        np.savez(f, **arrays)


def save_pictures(out_dir, history, classes=0):
    """losses.png, samples.png (last epoch), progress.png (rows across epochs) and progress.gif; with
    --eval-every, quality.png.

    The grids of a run with ``classes`` (a conditional run's labels, an InfoGAN's categories) have one row
    per class (progress.png: one sample of each class per epoch)."""
    samples = np.asarray(history["samples"])
    conditional = bool(classes)
    rows, cols = (classes, SAMPLES_PER_CLASS) if conditional else (4, 4)
    plots.save_figure(plots.losses_figure(history["d_loss"], history["g_loss"], d_means=history["d_loss_mean"],
                                          g_means=history["g_loss_mean"]), out_dir / "losses.png")
    plots.save_figure(plots.sample_grid_figure(samples[-1], rows, cols, title=f"Epoch {len(samples)}"),
                      out_dir / "samples.png")
    progress = samples[:, ::SAMPLES_PER_CLASS] if conditional else samples
    plots.save_figure(plots.progress_figure(progress, rows=min(10, len(samples)), cols=classes if conditional else 6),
                      out_dir / "progress.png")
    plots.save_progress_gif(samples, out_dir / "progress.gif", nrows=rows, ncols=cols)
    fid = np.asarray(history["fid"], dtype=float)
    if np.isfinite(fid).any():
        scored = np.flatnonzero(np.isfinite(fid))
        plots.save_figure(plots.quality_figure(scored + 1, *(np.asarray(history[key])[scored] for key in QUALITY_KEYS)),
                          out_dir / "quality.png")


def load_training_data(args, conditional):
    """``(images, labels)`` to train on: IDX files given by --images (and --labels), else the 55,000 images
    of TF1's training split of --dataset. ``labels`` is None unless ``conditional``."""
    if args.images:
        images = read_idx(args.images)
        if images.dtype != np.uint8 or images.shape[1:] != (28, 28):
            raise ValueError(f"{args.images}: need uint8 images of shape (N, 28, 28), got {images.dtype} {images.shape}")
        labels = read_idx(args.labels) if args.labels else None
        if labels is not None and (labels.dtype != np.uint8 or labels.shape != (len(images),)):
            raise ValueError(f"{args.labels}: need {len(images)} uint8 labels, got {labels.dtype} {labels.shape}")
        return images, labels if conditional else None
    images, labels = load_mnist("train", data_dir=args.data_dir, dataset=args.dataset)
    return images[TF1_VALIDATION_SIZE:], labels[TF1_VALIDATION_SIZE:] if conditional else None


# --- Command line --------------------------------------------------------------------------------------

HYPERPARAMETERS = (  # (GANConfig field, argparse type, help)
    ("epochs", positive_int, "passes over the data"),
    ("batch_size", positive_int, "images per step"),
    ("z_size", positive_int, "size of the latent vector z"),
    ("g_hidden", positive_int, "generator hidden units"),
    ("d_hidden", positive_int, "discriminator hidden units"),
    ("width", positive_int, "channels of the first convolution of D (G's last hidden layer has as many)"),
    ("alpha", fraction, "LeakyReLU slope for x < 0"),
    ("smooth", fraction, "label smoothing: real images get the target 1 - smooth"),
    ("lr_decay", decay_factor, "learning rates multiplied by this after each epoch"),
    ("ema", fraction, "decay of the moving average of G's weights that is saved and sampled (0: off)"),
    ("mismatch", fraction, "--conditional: share of D's negatives that are real images with a wrong label"),
    ("aux_weight", nonnegative_float, "--conditional: AC-GAN, D's head also classifies the digit (on real "
     "images) and G is asked for fakes it calls the asked-for digit; the weight of that cross entropy (0: off)"),
    ("info_categories", positive_int, "--info: categories of the categorical code"),
    ("info_continuous", nonnegative_int, "--info: number of continuous codes, Uniform(-1, 1)"),
    ("info_weight", positive_float, "--info: weight of the mutual-information term L_I"),
    ("info_continuous_weight", positive_float, "--info: weight of the continuous codes' squared error in L_I"),
    ("info_augment", share, "--info: share of the fakes Q reads the codes from through a random change of "
     "stroke width, slant, rotation, scale and position (judged in the D step's one pass of D; the digit "
     "survives, its style does not); 0: Q reads every fake as it is"),
    ("seed", nonnegative_int, "random seed: same seed, same machine, same run"),
)


def _defaults_text(name):
    """``"0.002"`` if every model has the same default, else ``"tutorial 0.002, mlp-bn 0.0002"``; a model's
    conditional (InfoGAN) default, where it differs, as ``"tutorial --conditional 0.97"``."""
    values = {}
    for model, spec in MODELS.items():
        if name in _model_options() and name not in spec.options:
            continue
        values[model] = getattr(GANConfig.for_model(model), name)
        for variant in ("conditional", "info"):
            value = getattr(GANConfig.for_model(model, **{variant: True}), name)
            if value != values[model]:
                values[f"{model} --{variant}"] = value
    if len(set(values.values())) == 1:
        return str(next(iter(values.values())))
    return ", ".join(f"{model} {value}" for model, value in values.items())


def _model_options():
    return {name for spec in MODELS.values() for name in spec.options}


def parse_args(argv):
    """``(parser, args, explicit)``: ``explicit`` holds the config fields actually given on the command line."""
    parser = ArgumentParser(
        prog="npgan.train",
        description="Train a GAN on MNIST in NumPy and save checkpoints, losses and samples. The default "
                    "model and settings are the tutorial's (TF1 'GAN on MNIST').",
        epilog="models:\n" + "".join(f"  {name:<9} {spec.summary}\n" for name, spec in MODELS.items()) +
               "\nexample: python -m npgan.train --epochs 100 --out out\n"
               "then:    python -m npgan.sample --checkpoint out/generator.npz")
    model = parser.add_argument_group("model and training (each model's own defaults; the tutorial's by default)")
    # SUPPRESS: a flag not given stays off ``args``, so defaults come from the model and a resumed run
    # can tell given from default.
    model.add_argument("--model", choices=tuple(MODELS), default=argparse.SUPPRESS,
                       help="which networks to train (default: tutorial)")
    model.add_argument("--conditional", action="store_true", default=argparse.SUPPRESS,
                       help="show both networks the label, to draw the digit you ask for (default: off)")
    model.add_argument("--info", action="store_true", default=argparse.SUPPRESS,
                       help="InfoGAN: append codes to z that a head Q on D's body must read back from the "
                            "fakes, so they take a meaning without labels; mlp-bn's D then has batch norm "
                            "(default: off)")
    for name, kind, help_text in HYPERPARAMETERS:
        only = [m for m, spec in MODELS.items() if name in spec.options]
        scope = f"; {', '.join(only)} only" if only else ""
        model.add_argument("--" + name.replace("_", "-"), type=kind, default=argparse.SUPPRESS,
                           help=f"{help_text} (default: {_defaults_text(name)}{scope})")
    add_training_flags(parser, _defaults_text)
    model.add_argument("--minutes", type=positive_float, default=None,
                       help="stop at the end of the epoch in which training time passes this many minutes "
                            "(the run stays resumable)")
    model.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                       help="what --minutes counts: wall-clock time, or this process's CPU time, so that a budget "
                            "buys the same training on a busy machine (at --threads 1; more threads add their "
                            "CPU time up) (default: wall)")
    other = parser.add_argument_group("data, output and machine")
    other.add_argument("--data-dir", default="data", help="dataset folder; missing files are downloaded")
    other.add_argument("--dataset", choices=sorted(DATASETS), default="mnist", help="which dataset")
    other.add_argument("--images", metavar="IDX_FILE", help="train on this IDX file of 28x28 uint8 images instead")
    other.add_argument("--labels", metavar="IDX_FILE", help="with --images: their labels 0-9 (for --conditional)")
    other.add_argument("--out", default="out", help="output folder")
    other.add_argument("--resume", action="store_true",
                       help="continue the run in --out from its checkpoint.npz (--epochs and --minutes may be raised)")
    other.add_argument("--eval-every", type=positive_int, default=None, metavar="K",
                       help=f"every K epochs, score {EVAL_SAMPLES:,} samples (FID and more, see npgan.evaluate), "
                            "add the figures to losses.csv and keep the best generator as generator_best.npz")
    other.add_argument("--judge", choices=JUDGES, default=None,
                       help=f"--eval-every's reference classifier: cnn (stricter) or mlp (default: {DEFAULT_JUDGE}; "
                            "see npgan.evaluate)")
    other.add_argument("--threads", type=positive_int, default=1,
                       help="BLAS threads (1 is fastest on a shared machine; see README)")
    other.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="progress bar within each epoch (default: when on a terminal)")
    args = parser.parse_args(argv)
    explicit = {f.name: getattr(args, f.name) for f in fields(GANConfig) if hasattr(args, f.name)}
    _check_flags(parser, args, explicit)
    return parser, args, explicit


def _check_flags(parser, args, explicit):
    """Refuse flags that the chosen model would ignore, and labels without a conditional run."""
    if args.judge and not args.eval_every:
        parser.error("--judge goes with --eval-every")
    if args.resume:
        return  # the saved run's model decides; _start_or_resume reports conflicts
    model = explicit.get("model", "tutorial")
    foreign = [name for name in explicit if name in _model_options() and name not in MODELS[model].options]
    if foreign:
        flag = "--" + foreign[0].replace("_", "-")
        owners = ", ".join(m for m, spec in MODELS.items() if foreign[0] in spec.options)
        parser.error(f"{flag} applies only to --model {owners}, not {model}")
    if "mismatch" in explicit and not explicit.get("conditional"):
        parser.error("--mismatch goes with --conditional")
    if explicit.get("aux_weight") and not explicit.get("conditional"):
        parser.error("--aux-weight goes with --conditional (AC-GAN's classifier learns the labels)")
    if explicit.get("aux_weight") and explicit.get("penalty", "none") != "none":
        parser.error("--aux-weight does not go with --penalty (AC-GAN's D also outputs its classifier's logits)")
    info_flags = [name for name in explicit if name.startswith("info_")]
    if info_flags and not explicit.get("info"):
        parser.error(f"--{info_flags[0].replace('_', '-')} goes with --info")
    if explicit.get("info") and explicit.get("conditional"):
        parser.error("--info learns its codes without labels: it does not go with --conditional")
    if explicit.get("info") and explicit.get("penalty", "none") != "none":
        parser.error("--info does not go with --penalty (InfoGAN's D also outputs Q's reading of the codes)")
    if args.eval_every and args.images:
        parser.error("--eval-every scores against a dataset's test images: use --dataset, not --images")
    if args.labels and not args.images:
        parser.error("--labels goes with --images")
    if explicit.get("conditional") and args.images and not args.labels:
        parser.error("--conditional with --images needs --labels")
    check_training_flags(parser, explicit, MODELS[model].settings(explicit))


def _start_or_resume(parser, args, explicit):
    """``(config, resume_from)``: a fresh run refuses to overwrite one; a resumed run keeps its own config."""
    checkpoint = Path(args.out) / "checkpoint.npz"
    if not args.resume:
        if checkpoint.exists():
            parser.error(f"{args.out} already holds a run: add --resume to continue it, or choose another --out")
        config = GANConfig.for_model(**explicit)
        if config.penalty != "none":
            try:
                check_critic(build_pair(config)[1])
            except ValueError as err:
                parser.error(f"--penalty {config.penalty} with --model {config.model}: {err}")
        return config, None
    if not checkpoint.exists():
        parser.error(f"--resume: no checkpoint at {checkpoint}")
    resume_from = load_checkpoint(checkpoint)
    saved = resume_from.gan.config
    conflicts = [name for name, value in explicit.items() if name != "epochs" and value != getattr(saved, name)]
    if conflicts:
        parser.error(f"{args.out} was trained {_and(_setting(name, getattr(saved, name)) for name in conflicts)}, "
                     f"and --resume keeps a run's settings: drop {_and(_flag(name, explicit[name]) for name in conflicts)}")
    return GANConfig(**{**asdict(saved), "epochs": explicit.get("epochs", saved.epochs)}), resume_from


def _flag(name, value):
    """``--z-size 9``, or ``--conditional`` for a switch."""
    flag = "--" + name.replace("_", "-")
    return flag if isinstance(value, bool) else f"{flag} {value}"


def _setting(name, value):
    """``with --z-size 100``, ``without --conditional``."""
    return f"with {_flag(name, value)}" if value is not False else f"without {_flag(name, value)}"


def _and(items):
    """``"a"``, ``"a and b"``, ``"a, b and c"``."""
    items = list(items)
    return " and ".join(filter(None, (", ".join(items[:-1]), items[-1])))


def main(argv=None):
    """Command-line entry point; returns the exit code."""
    parser, args, explicit = parse_args(argv)
    from threadpoolctl import threadpool_limits

    try:
        config, resume_from = _start_or_resume(parser, args, explicit)
        if resume_from and resume_from.epoch >= config.epochs:
            print(f"{args.out} already holds {plural(resume_from.epoch, 'epoch')}, "
                  f"{'more than' if resume_from.epoch > config.epochs else 'all'} the {config.epochs} asked for: "
                  f"nothing to train. To train on, give --epochs more than {resume_from.epoch}.")
            return 0
        check_output_folder(args.out, "--out")
        if not args.images:
            prepare_data_dir(args.data_dir, log=lambda message: print(f"npgan.train: {message}"))
        images, labels = load_training_data(args, config.conditional)
        with threadpool_limits(limits=args.threads, user_api="blas"):
            evaluator = None
            if args.eval_every:
                evaluator = Evaluator(args.dataset, args.data_dir, judge=args.judge or DEFAULT_JUDGE,
                                      log=lambda message: print(f"npgan.train: {message}"))
            run = train(images, config, args.out, labels=labels, resume_from=resume_from, minutes=args.minutes,
                        evaluator=evaluator, eval_every=args.eval_every, progress=args.progress,
                        clock=CLOCKS[args.clock])
    except (UsageError, CheckpointError, DownloadError, FileNotFoundError, ValueError, OSError) as err:
        return failure_status("npgan.train", err)
    except TrainingDiverged as err:
        print(f"npgan.train: error: {err}. The last good checkpoint is intact in {args.out}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt as err:
        return failure_status("npgan.train", err, f"Continue with: python -m npgan.train --resume --out {args.out}")
    minutes = run.state["train_seconds"] / 60
    noun = "images" if args.images else DATASETS[args.dataset].items
    if run.epoch < run.gan.config.epochs:
        print(f"Stopped after epoch {run.epoch} of {run.gan.config.epochs}: {minutes:.1f} min of training used "
              f"the --minutes {args.minutes:g} budget. Continue with: python -m npgan.train --resume --out "
              f"{args.out} --minutes M (M > {args.minutes:g})")
    else:
        print(f"Trained {plural(run.epoch, 'epoch')} in {minutes:.1f} min; outputs in {args.out}/.")
    print(f"Draw new {noun}: python -m npgan.sample --checkpoint {Path(args.out) / 'generator.npz'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
