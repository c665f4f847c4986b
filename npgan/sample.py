"""Draw new images from a saved generator, ask a conditional one for a digit, or walk through latent space.

    python -m npgan.sample --checkpoint out/generator.npz --n 16 --seed 0 --out digits.png --npy samples.npy
    python -m npgan.sample --checkpoint out/generator.npz --digit 7 --n 16      # a conditional generator's 7s
    python -m npgan.sample --checkpoint out/generator.npz --digit all --n 8      # 8 of each digit, a row each
    python -m npgan.sample --checkpoint out/generator.npz --interpolate --rows 8 --steps 10 --gif walk.gif
    python -m npgan.sample --checkpoint out/generator.npz --truncation 0.5   # z nearer the centre: safer digits

Latent vectors z ~ Uniform(-1, 1) (as in training) go through the generator; the images are written as a
grid (PNG) and, with ``--npy``, as a float32 array of shape (n, 784) in [-1, 1]. The checkpoint is read
without unpickling; every error is one line on stderr and a non-zero exit, and no output is half-written.
"""
import argparse
import math
import sys
from pathlib import Path

import numpy as np

from . import plots
from .checkpoints import CheckpointError, load_generator
from .cli import (ArgumentParser, UsageError, check_outputs, image_format, int_range, nonnegative_int, positive_int,
                  run_main, write_all)
from .gan import labels_in_turn, one_hot, sample_z, with_labels

PROG = "npgan.sample"
MAX_N = 100_000
MAX_GRID = 400  # images drawn in the PNG at most (20x20); --npy always holds all n
CHUNK = 10_000  # rows per forward pass, to bound memory for large n
MAX_STEPS, MAX_ROWS = 100, 100

EPILOG = f"""\
examples:
  python -m npgan.sample --checkpoint out/generator.npz
  python -m npgan.sample --checkpoint out/checkpoint.npz --n 64 --seed 3 --out digits.png --npy digits.npy
  python -m npgan.sample --checkpoint out/generator.npz --digit 7 --n 16        (conditional generators)
  python -m npgan.sample --checkpoint out/generator.npz --digit all --n 8       (a row per digit, 10 x 8)
  python -m npgan.sample --checkpoint out/generator.npz --interpolate --rows 8 --steps 10 --gif walk.gif
  python -m npgan.sample --checkpoint out/generator.npz --interpolate --digit 3,8   (a 3 turning into an 8)
  python -m npgan.sample --checkpoint out/generator.npz --truncation 0.5      (typical digits, less variety)

The grid shows the first {MAX_GRID} samples at most; --npy holds all of them. A conditional generator
asked for no digit draws the digits 0-9 in turn.
"""


def digits(text):
    """argparse type for --digit: ``"7"`` -> (7,), ``"all"`` -> "all", ``"3,8"`` -> (3, 8)."""
    if text.strip().lower() == "all":
        return "all"
    parts = text.split(",")
    if len(parts) > 2 or not all(part.strip().isdigit() and int(part) < 10 for part in parts):
        raise argparse.ArgumentTypeError(f"expected a digit 0-9, 'all', or two digits 'K,L', got {text!r}")
    return tuple(int(part) for part in parts)


def truncation(text):
    """argparse type for --truncation: a number T in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be a number T with 0 < T <= 1 (z ~ Uniform(-1, 1) never goes "
                                         f"beyond 1, so T = 1 truncates nothing), got {text!r}")
    return value


TRUNCATION_HELP = ("the truncation trick: every z value beyond T in absolute value is redrawn, so z ~ "
                   "Uniform(-T, T), 0 < T <= 1 (1: none); smaller T, more typical images and less variety "
                   "(higher precision, lower recall)")


def truncate(z, limit):
    """``z`` ~ Uniform(-1, 1) with every value beyond ``limit`` T (in absolute value) redrawn until it lies
    within: the truncation trick (Brock et al. 2019, BigGAN), which keeps G to the middle of its latent
    space, where training put most of its z.

    Redrawing a uniform value until it lands in [-T, T] leaves it uniform on [-T, T]: the same as scaling
    the first draw by T, which is what this does (one draw, no loop, in place). So the same seed gives the
    same z *directions* at every T: a figure over T shows the same samples drawn towards the centre.
    (For a normal z, truncation would cut the tails and keep the middle's shape; for a uniform z the
    middle is all there is.) ``limit`` None: ``z`` unchanged.
    """
    if limit is not None:
        z *= np.float32(limit)
    return z


def build_parser():
    parser = ArgumentParser(
        prog=PROG, epilog=EPILOG,
        description="Draw new images from a generator saved by npgan.train.")
    parser.add_argument("--checkpoint", required=True, metavar="PATH",
                        help="generator.npz or checkpoint.npz written by npgan.train")
    parser.add_argument("--n", type=int_range(1, MAX_N), default=16, metavar="N",
                        help=f"number of samples to draw, 1 to {MAX_N} (with --digit all: of each digit)")
    parser.add_argument("--seed", type=nonnegative_int, default=0,
                        help="seed of the latent vectors z ~ Uniform(-1, 1); same seed, same images")
    parser.add_argument("--truncation", type=truncation, default=None, metavar="T", help=TRUNCATION_HELP)
    parser.add_argument("--out", default="digits.png", metavar="FILE",
                        help="where to write the grid of samples: .png, .jpg, .pdf or .svg")
    parser.add_argument("--npy", default=None, metavar="NPY",
                        help="also write the samples here: float32 array (n, 784) in [-1, 1], np.load-able")
    parser.add_argument("--cols", type=positive_int, default=None, metavar="C",
                        help="columns of the grid (default: near-square)")
    parser.add_argument("--digit", type=digits, default=None, metavar="K|all|K,L",
                        help="conditional generators: draw digit K, or a row of each digit (all); with "
                             "--interpolate, K,L morphs K into L")
    walk = parser.add_argument_group("walks through latent space")
    walk.add_argument("--interpolate", action="store_true",
                      help="rows that walk in a straight line from one random z to another")
    walk.add_argument("--steps", type=int_range(2, MAX_STEPS), default=None, metavar="S",
                      help="images per walk, both ends included (default: 10)")
    walk.add_argument("--rows", type=int_range(1, MAX_ROWS), default=None, metavar="R",
                      help="number of walks (default: 8; with --digit all: one per digit)")
    walk.add_argument("--gif", default=None, metavar="GIF",
                      help="also write an animation of the walks (all rows moving together)")
    return parser


def generate(G, inputs, chunk=CHUNK):
    """``G``'s outputs (n, 784) float32 for ``inputs`` (n, z_size [+ classes]), ``chunk`` rows at a time
    to bound memory (for n <= chunk exactly ``G.forward(inputs)``)."""
    if len(inputs) <= chunk:
        return np.asarray(G.forward(inputs), dtype=np.float32)
    samples = np.empty((len(inputs), G.forward(inputs[:1]).shape[1]), dtype=np.float32)  # filled in place
    for i in range(0, len(inputs), chunk):
        samples[i:i + chunk] = G.forward(inputs[i:i + chunk])
    return samples


def draw(G, meta, n, seed, digit=None, truncation=None):
    """``(samples (m, 784), labels (m,) or None)`` from ``G`` with z drawn from ``default_rng(seed)``
    (drawn nearer 0 by :func:`truncate` when ``truncation`` is given).

    Unconditional: m = n. Conditional (``meta["classes"]`` > 0): ``digit`` K gives n samples of K;
    ``"all"`` gives n of each class, class-major (m = classes * n, the same n z in every class, so each
    column of a grid shares its style); None gives the classes in turn (0, 1, ..., 9, 0, ...).
    """
    z = truncate(sample_z(np.random.default_rng(seed), n, meta["z_size"]), truncation)
    classes = meta["classes"]
    if not classes:
        return generate(G, z), None
    if digit == "all":
        z, labels = np.tile(z, (classes, 1)), np.repeat(np.arange(classes), n)
    else:
        labels = np.full(n, digit[0]) if digit else labels_in_turn(n, classes)
    return generate(G, with_labels(z, labels, classes)), labels


def walks(G, meta, rows, steps, seed, digit=None):
    """Latent walks ``(rows * steps, 784)``, row-major: row r goes in a straight line from z_a[r] to z_b[r].

    For a conditional generator the label stays fixed along a row (``digit`` K, a row per class for
    ``"all"``, classes in turn otherwise), except ``digit=(K, L)``: z stays put and the label input moves
    from one-hot K to one-hot L, morphing one digit into the other.
    """
    rng = np.random.default_rng(seed)
    z_size, classes = meta["z_size"], meta["classes"]
    t = np.linspace(0, 1, steps, dtype=np.float32)[None, :, None]  # (1, steps, 1)
    z_a, z_b = sample_z(rng, rows, z_size)[:, None], sample_z(rng, rows, z_size)[:, None]
    if digit is not None and len(digit) == 2:
        z = np.broadcast_to(z_a, (rows, steps, z_size))
        first, last = one_hot([digit[0]], classes)[None], one_hot([digit[1]], classes)[None]
        label_rows = np.broadcast_to((1 - t) * first + t * last, (rows, steps, classes))
    else:
        z = (1 - t) * z_a + t * z_b
        if classes:
            labels = labels_in_turn(rows, classes) if digit in (None, "all") else np.full(rows, digit[0])
            label_rows = np.broadcast_to(one_hot(labels, classes)[:, None], (rows, steps, classes))
    inputs = z if not classes else np.concatenate([z, label_rows], axis=2)
    return generate(G, np.ascontiguousarray(inputs.reshape(rows * steps, -1), dtype=np.float32))


def _check_args(args, meta):
    """Flag combinations that depend on each other or on the generator: UsageError."""
    if args.interpolate and args.truncation is not None:
        raise UsageError("--truncation goes with drawing samples, not with --interpolate")
    if not args.interpolate and (args.steps or args.rows or args.gif):
        raise UsageError("--steps, --rows and --gif go with --interpolate")
    if args.digit is not None and not meta["classes"]:
        raise UsageError(f"--digit needs a conditional generator; {args.checkpoint} is unconditional "
                         "(train one with npgan.train --conditional)")
    if isinstance(args.digit, tuple) and len(args.digit) == 2 and not args.interpolate:
        raise UsageError("--digit K,L (a morph) goes with --interpolate")
    if args.digit == "all" and args.rows:
        raise UsageError("--digit all draws one row per digit: drop --rows")
    if args.digit == "all" and args.n * meta["classes"] > MAX_N:
        raise UsageError(f"--digit all --n {args.n} would draw {args.n * meta['classes']} samples, more than {MAX_N}")


def run(args):
    out, npy, gif = Path(args.out), Path(args.npy) if args.npy else None, Path(args.gif) if args.gif else None
    out_format = image_format(out, "--out")
    G, meta = load_generator(args.checkpoint)
    _check_args(args, meta)
    check_outputs({"--out": out, "--npy": npy, "--gif": gif})

    outputs = []
    if args.interpolate:
        rows = meta["classes"] if args.digit == "all" else args.rows or 8
        steps = args.steps or 10
        samples = walks(G, meta, rows, steps, args.seed, args.digit)
        nrows, ncols, shown = rows, steps, samples
        title = f"{rows} walks of {steps} steps, seed {args.seed}"
        if gif is not None:
            outputs.append((gif, lambda f: plots.write_gif(walk_frames(samples, rows, steps), f, fps=8, hold_last=0.5)))
    else:
        samples, _ = draw(G, meta, args.n, args.seed, args.digit, args.truncation)
        shown = samples[:MAX_GRID]
        if args.digit == "all":
            nrows, ncols = meta["classes"], args.n
            shown = samples.reshape(nrows, ncols, -1)[:, :MAX_GRID // nrows].reshape(-1, samples.shape[1])
            ncols = len(shown) // nrows
        else:
            nrows, ncols = plots.grid_shape(len(shown), args.cols)
        what = "" if args.digit in (None, "all") else f" of digit {args.digit[0]}"
        what += "" if args.truncation is None else f", truncation {args.truncation:g}"
        title = f"{len(samples)} samples{what}, seed {args.seed}" if len(shown) == len(samples) else \
            f"first {len(shown)} of {len(samples)} samples{what}, seed {args.seed}"
    fig = plots.sample_grid_figure(shown, nrows, ncols, title=title)

    outputs.insert(0, (out, lambda f: plots.write_png(fig, f, format=out_format)))
    if npy is not None:
        outputs.append((npy, lambda f: np.save(f, samples, allow_pickle=False)))
    write_all(outputs)
    print(f"wrote {out}: {nrows}x{ncols} grid of {len(shown)} samples")
    if npy is not None:
        print(f"wrote {npy}: float32 array {samples.shape} in [-1, 1]")
    if gif is not None:
        print(f"wrote {gif}: {steps} frames there and back")
    return 0


def walk_frames(samples, rows, steps, grid=None):
    """GIF frames of :func:`walks`' ``samples``: frame s shows every walk's image at step s, in a grid of
    ``grid`` (rows, cols) (default: near-square), then the steps back again."""
    by_step = samples.reshape(rows, steps, -1).swapaxes(0, 1)  # (steps, rows, 784), as epochs in a progress GIF
    grid_rows, grid_cols = grid or plots.grid_shape(rows)
    frames = list(plots.progress_frames(by_step, nrows=grid_rows, ncols=grid_cols, label=False))
    return frames + frames[-2:0:-1]  # there and back: a seamless loop


def main(argv=None):
    """Command line entry point; returns the exit status (0 ok, 1 error, 2 bad arguments)."""
    return run_main(build_parser(), run, argv, errors=(CheckpointError, OSError, ValueError, MemoryError))


if __name__ == "__main__":
    sys.exit(main())
