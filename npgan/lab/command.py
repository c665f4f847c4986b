"""``python -m npgan.lab``: train a GAN on 2-D data and watch it, or compare recipes over seeds.

One run writes into ``--out``: ``metrics.csv`` (losses and mode metrics every ``--log-every`` steps),
``metrics.png``, ``final.png`` (the last frame) and with ``--gif`` ``lab.gif`` (every logged frame);
``--npy`` the final generator's 2,500 samples, ``--json`` its final figures.

A sweep (``--seeds``) runs each ``--recipe`` (flags added to the others, e.g. ``--recipe "--pack 4"``) on
each seed and prints the table of means and spreads; ``--out`` gets ``sweep.csv`` (one row a run) and
``sweep.md`` (the table), ``--json`` both.

Everything is checked before training starts, and written only when it is done (atomically, all at
once): bad input is one line on stderr and exit status 2, and leaves nothing behind.
"""
import argparse
import copy
import csv
import io
import json
import math
import os
import shlex
import sys
from pathlib import Path

import numpy as np

from .. import plots
from ..cli import (ArgumentParser, UsageError, check_outputs, decay_factor, fraction, nonnegative_int, positive_int,
                   run_main, write_all)
from ..gan import GANConfig
from ..flags import add_training_flags, check_training_flags
from . import pictures
from .datasets import DATASETS, load_points
from .training import DECAY_STEPS, DEFAULT_STEPS, LAB_DEFAULTS, LabConfig, run
from .sweep import describe, markdown_table, mode_count, run_summary, sweep, sweep_table

# Flags that say what a sweep does, not how one run trains: a recipe may not set them.
SWEEP_ONLY = ("seeds", "recipe", "out", "npy", "json", "gif", "log_every", "threads")


# The recipe that cures mode collapse on both mixtures (README, docs/lab.md): the hinge loss at Adam 1e-3 without
# spectral norm, learning rates cut by 15% every 1,000 steps, G's weights averaged, PacGAN's packing of two points
# and two D steps per G step, 20,000 steps. Over seeds 0-9: ring8 8/8 modes, grid25 25/25.
CURE = ("--steps 20000 --loss hinge --no-spectral-norm --lr 0.001 --beta1 0.5 --lr-decay 0.85 --ema 0.999 "
        "--pack 2 --d-steps 2")


def hidden_sizes(text):
    """argparse type: comma-separated positive layer widths, e.g. ``128,128,128``."""
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected widths like 128,128, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"widths must be positive integers, got {text!r}")
    return sizes


def seed_list(text):
    """argparse type: seeds as ``0-9``, ``0,3,7`` or ``5`` (a list of distinct non-negative integers)."""
    seeds = []
    try:
        for part in text.split(","):
            low, _, high = part.partition("-")
            seeds += range(int(low), int(high or low) + 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seeds like 0-9 or 0,3,7, got {text!r}") from None
    if not seeds or min(seeds) < 0 or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"expected distinct non-negative seeds like 0-9, got {text!r}")
    return seeds


def make_parser():
    parser = ArgumentParser(
        prog="npgan.lab",
        description="The GAN lab: train small GANs on 2-D data with npgan and watch D's verdict, G's points, "
                    "their gradients and G's manifold; count the modes covered (VEEGAN/PacGAN metrics); "
                    "compare recipes over seeds.",
        epilog="examples:\n"
               "  python -m npgan.lab --data grid25 --loss ns --out lab_out --gif\n"
               "  python -m npgan.lab --data ring8 --seeds 0-9 --recipe \"--loss ns\" --recipe \"--pack 4\"\n"
               "  the cure of both mixtures (README; over seeds 0-9, ring8 8/8 modes and grid25 25/25, at least 85%\n"
               "  high quality, KL at most 0.05 on each):\n"
               f"  python -m npgan.lab --data grid25 {CURE}\n"
               "\ndata: " + ", ".join(DATASETS) + ", or --points FILE")
    data = parser.add_argument_group("data and networks")
    data.add_argument("--data", choices=tuple(DATASETS), default="grid25", help="the distribution to learn")
    data.add_argument("--points", metavar="FILE", help="learn these points instead: .npy or .csv of (n, 2) numbers")
    data.add_argument("--g-hidden", type=hidden_sizes, default=(128, 128, 128), metavar="W,W,...",
                      help="G's hidden widths (ReLU), default: 128,128,128")
    data.add_argument("--d-hidden", type=hidden_sizes, default=(128, 128), metavar="W,W,...",
                      help="D's hidden widths (LeakyReLU 0.2), default: 128,128")
    data.add_argument("--pack", type=positive_int, default=1, metavar="M",
                      help="PacGAN: D judges M points at once, all real or all fake")
    train = parser.add_argument_group("training")
    train.add_argument("--steps", type=positive_int, default=DEFAULT_STEPS,
                       help="G steps (each after --d-steps D steps)")
    train.add_argument("--batch-size", type=positive_int, default=100, help="real points (and fakes) per D step")
    train.add_argument("--ema", type=fraction, default=argparse.SUPPRESS,
                       help="decay of a moving average of G's weights, which is scored (default: 0, off)")
    train.add_argument("--lr-decay", type=decay_factor, default=argparse.SUPPRESS,
                       help=f"learning rates multiplied by this after every {DECAY_STEPS} steps (default: 1)")
    train.add_argument("--seed", type=nonnegative_int, default=0, help="random seed: same seed, same run, bit for bit")
    training_flags = add_training_flags(parser, _default_text)
    out = parser.add_argument_group("output")
    out.add_argument("--out", default="lab_out", help="output folder (created if missing)")
    out.add_argument("--log-every", type=positive_int, default=None, metavar="K",
                     help="score and draw every K steps (default: steps/50)")
    out.add_argument("--gif", action="store_true", help="also write lab.gif, one frame per logged step")
    out.add_argument("--npy", metavar="FILE", help="write 2,500 samples of the final generator, float32 (2500, 2)")
    out.add_argument("--json", metavar="FILE", help="write the final figures (a sweep: every run and the table)")
    sweep = parser.add_argument_group("sweep")
    sweep.add_argument("--seeds", type=seed_list, metavar="LIST", help="run every recipe on these seeds, e.g. 0-9")
    sweep.add_argument("--recipe", action="append", metavar="FLAGS",
                       help="with --seeds: flags of one recipe, e.g. \"--loss hinge\" (repeat for each)")
    parser.add_argument("--threads", type=positive_int, default=1, help="BLAS threads")
    parser.set_defaults(step_flags=tuple(action.dest for action in training_flags._group_actions) + ("ema", "lr_decay"))
    return parser


def _default_text(name):
    """The default of a GANConfig field in the lab (before a loss's recipe), for --help."""
    return str(LAB_DEFAULTS.get(name, getattr(GANConfig, name)))


def step_settings(args):
    """The GANConfig fields given on the command line (the flags of ``add_training_flags``, --ema, --lr-decay)."""
    return {name: getattr(args, name) for name in args.step_flags if hasattr(args, name)}


def lab_config(args, points=None):
    """The :class:`LabConfig` of parsed arguments."""
    settings = step_settings(args)
    return LabConfig(data="points" if args.points else args.data, loss=settings.pop("loss", "ns"), steps=args.steps,
                     seed=args.seed, batch_size=args.batch_size, g_hidden=args.g_hidden, d_hidden=args.d_hidden,
                     pack=args.pack, gan=settings, points=points)


class _Refuse:
    """Stands in for the parser in :func:`npgan.recipes.check_training_flags` once parsing is over: its
    ``error`` raises :class:`UsageError` (one line, exit status 2, through ``run_main``)."""

    @staticmethod
    def error(message):
        raise UsageError(message)


def check_config(args):
    """Problems no single flag shows: a :class:`UsageError` for each."""
    check_training_flags(_Refuse, step_settings(args))
    if args.batch_size % args.pack:
        raise UsageError(f"--batch-size {args.batch_size} must be a multiple of --pack {args.pack}")


def check_out_dir(path):
    """``--out`` must be a folder we can write, or a new folder in one (:class:`UsageError` otherwise)."""
    path = Path(path)
    if path.exists():
        if not path.is_dir():
            raise UsageError(f"--out {path} is not a folder")
        if not os.access(path, os.W_OK | os.X_OK):
            raise UsageError(f"--out {path}: folder is not writable")
    elif not path.parent.is_dir():
        raise UsageError(f"--out {path}: its folder {path.parent} does not exist")
    elif not os.access(path.parent, os.W_OK | os.X_OK):
        raise UsageError(f"--out {path}: cannot create it, {path.parent} is not writable")


def check_files(args):
    check_out_dir(args.out)
    try:
        check_outputs({"--npy": args.npy, "--json": args.json})
    except OSError as err:
        raise UsageError(str(err)) from None


def read_points(args):
    if not args.points:
        return None
    try:
        return load_points(args.points)
    except OSError as err:
        raise UsageError(f"--points {args.points}: {err.strerror or err}") from None
    except ValueError as err:
        raise UsageError(f"--points: {err}") from None


def recipe_configs(parser, args, points):
    """``[(recipe text, LabConfig)]`` of a sweep: each recipe's flags parsed on top of the other flags."""
    recipes = args.recipe or [""]
    defaults = parser.parse_args([])
    configs = []
    for recipe in recipes:
        try:
            tokens = shlex.split(recipe)
        except ValueError as err:
            raise UsageError(f"--recipe {recipe!r}: {err}") from None
        alone = _parse_recipe(parser, recipe, tokens)
        misplaced = [name for name in SWEEP_ONLY if getattr(alone, name) != getattr(defaults, name)]
        if misplaced:
            raise UsageError(f"--recipe {recipe!r}: --{misplaced[0].replace('_', '-')} belongs outside the recipes")
        recipe_args = _parse_recipe(parser, recipe, tokens, copy.copy(args))
        try:
            check_config(recipe_args)
        except UsageError as err:
            raise UsageError(f"--recipe {recipe!r}: {err}") from None
        recipe_points = read_points(recipe_args) if recipe_args.points != args.points else points
        configs.append((recipe or "(the flags given)", lab_config(recipe_args, recipe_points)))
    return configs


def _parse_recipe(parser, recipe, tokens, namespace=None):
    """``parser.parse_args(tokens)``, a bad flag raising :class:`UsageError` (argparse would exit)."""
    def fail(message):
        raise UsageError(f"--recipe {recipe!r}: {' '.join(message.split())}")

    parser.error = fail  # this instance only, while the recipe is parsed
    try:
        return parser.parse_args(tokens, namespace=namespace)
    finally:
        del parser.error


def main(argv=None):
    parser = make_parser()
    return run_main(parser, lambda args: _run(parser, args), argv)


def _run(parser, args):
    from threadpoolctl import threadpool_limits

    if args.recipe and not args.seeds:
        raise UsageError("--recipe goes with --seeds")
    single_only = [flag for flag, given in (("--npy", args.npy), ("--gif", args.gif), ("--log-every", args.log_every))
                   if given]
    if args.seeds and single_only:
        raise UsageError(f"{single_only[0]} goes with a single run, not --seeds")
    check_config(args)
    check_files(args)
    points = read_points(args)
    with threadpool_limits(limits=args.threads, user_api="blas"):
        if args.seeds:
            return _sweep(args, recipe_configs(parser, args, points))
        return _single(args, lab_config(args, points))


# --- One run ------------------------------------------------------------------------------------------------

def _single(args, config):
    log_every = args.log_every or max(1, config.steps // 50)
    result = run(config, log_every=log_every, frames=args.gif)
    modes = mode_count(config)
    out = Path(args.out)
    summary = run_summary(result)
    outputs = [(out / "metrics.csv", lambda f: f.write(_metrics_csv(result.history).encode())),
               (out / "metrics.png", lambda f: plots.write_png(pictures.metrics_figure(result.history, modes), f)),
               (out / "final.png", lambda f: plots.write_png(pictures.frames_figure([result], size=5), f))]
    if args.gif:
        outputs.append((out / "lab.gif", lambda f: pictures.write_frames_gif([result], f)))
    if args.npy:
        outputs.append((Path(args.npy), lambda f: np.save(f, result.samples, allow_pickle=False)))
    if args.json:
        outputs.append((Path(args.json), lambda f: f.write(json.dumps(summary, indent=1).encode() + b"\n")))
    out.mkdir(exist_ok=True)
    write_all(outputs)
    print(describe(summary, modes) + f"; outputs in {out}/")
    return 0


def _metrics_csv(history):
    """``metrics.csv``: a row per logged step (blank where a figure does not apply)."""
    rows = [dict(zip(history, values)) for values in zip(*history.values())]
    return csv_text([{k: "" if isinstance(v, float) and math.isnan(v) else f"{v:.6g}" if isinstance(v, float) else v
                      for k, v in row.items()} for row in rows], list(history))


def csv_text(rows, columns):
    """Dicts as CSV text with a header line."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue()


# --- Sweeps --------------------------------------------------------------------------------------------------

def _sweep(args, configs):
    rows = sweep(configs, args.seeds, log=lambda line: print(line, flush=True))
    table = sweep_table(rows)
    text = markdown_table(table)
    print(text)
    out = Path(args.out)
    outputs = [(out / "sweep.csv", lambda f: f.write(csv_text(rows, list(rows[0])).encode())),
               (out / "sweep.md", lambda f: f.write(text.encode()))]
    if args.json:
        outputs.append((Path(args.json), lambda f: f.write(json.dumps({"runs": rows, "table": table}, indent=1).encode())))
    out.mkdir(exist_ok=True)
    write_all(outputs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
