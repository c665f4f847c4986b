"""Draw new images from a saved generator, ask a conditional one for a digit, or walk through latent space.

    python -m npgan.sample --checkpoint out/generator.npz --n 16 --seed 0 --out digits.png --npy samples.npy
    python -m npgan.sample --checkpoint out/generator.npz --digit 7 --n 16      # a conditional generator's 7s
    python -m npgan.sample --checkpoint out/generator.npz --digit all --n 8      # 8 of each digit, a row each
    python -m npgan.sample --checkpoint out/generator.npz --interpolate --rows 8 --steps 10 --gif walk.gif
    python -m npgan.sample --checkpoint info/generator.npz --code 3 --n 16        # an InfoGAN's category 3
    python -m npgan.sample --checkpoint info/generator.npz --sweep-code 0         # its first continuous code
    python -m npgan.sample --checkpoint out/generator.npz --steer 7 --n 8         # z steered until it draws a 7
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
from .classifier import DEFAULT_JUDGE, JUDGES
from .cli import (ArgumentParser, UsageError, check_outputs, image_format, int_range, nonnegative_int, positive_int,
                  prepare_data_dir, run_main, write_all)
from .gan import labels_in_turn, one_hot, sample_z, with_labels
from .info import latent_rows
from .steer import arrival_steps, steer

PROG = "npgan.sample"
MAX_N = 100_000
MAX_GRID = 400  # images drawn in the PNG at most (20x20); --npy always holds all n
CHUNK = 10_000  # rows per forward pass, to bound memory for large n
MAX_STEPS, MAX_ROWS = 100, 100
SWEEP = 2.0          # --sweep-code: from -SWEEP to SWEEP, past the training range [-1, 1] (as the paper's figure)
MAX_STEER = 1000     # --steer: start points at most (their paths are kept: (steps + 1) x n images)
STEER_ROWS, STEER_COLS = 20, 10  # --steer's picture: the first 20 paths, 10 images each
SURE = 0.9           # --steer's picture: a path ends where the classifier gives the digit this probability

EPILOG = f"""\
examples:
  python -m npgan.sample --checkpoint out/generator.npz
  python -m npgan.sample --checkpoint out/checkpoint.npz --n 64 --seed 3 --out digits.png --npy digits.npy
  python -m npgan.sample --checkpoint out/generator.npz --digit 7 --n 16        (conditional generators)
  python -m npgan.sample --checkpoint out/generator.npz --digit all --n 8       (a row per digit, 10 x 8)
  python -m npgan.sample --checkpoint out/generator.npz --interpolate --rows 8 --steps 10 --gif walk.gif
  python -m npgan.sample --checkpoint out/generator.npz --interpolate --digit 3,8   (a 3 turning into an 8)
  python -m npgan.sample --checkpoint info/generator.npz --code 3 --n 16        (InfoGAN: category 3 of its code)
  python -m npgan.sample --checkpoint info/generator.npz --sweep-code 1 --steps 9 (continuous code 1 from -2 to 2)
  python -m npgan.sample --checkpoint out/generator.npz --steer 7 --n 8 --npy sevens.npy   (steer z to a 7)
  python -m npgan.sample --checkpoint out/generator.npz --truncation 0.5      (typical digits, less variety)

The grid shows the first {MAX_GRID} samples at most; --npy holds all of them. A conditional generator
asked for no digit draws the digits 0-9 in turn; an InfoGAN generator asked for no --code draws its
categories in turn. --steer needs the reference classifier of npgan.evaluate (trained on first use and
cached beside --data-dir) and draws a row per start z, left to right until the classifier sees the digit.
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
    info = parser.add_argument_group("InfoGAN generators (npgan.train --info)")
    info.add_argument("--code", type=nonnegative_int, default=None, metavar="K",
                      help="fix the categorical code at K (0 to categories - 1)")
    info.add_argument("--sweep-code", type=nonnegative_int, default=None, metavar="J",
                      help=f"rows in which continuous code J (from 0) goes from {-SWEEP:g} to {SWEEP:g}, "
                           "the rest fixed (--rows, --steps, --gif as for --interpolate)")
    steering = parser.add_argument_group("steering z towards a digit")
    steering.add_argument("--steer", type=int_range(0, 9), default=None, metavar="DIGIT",
                          help="move n random z (--n, at most 1000) by --steps steps of gradient ascent on the "
                               "reference classifier's margin for DIGIT (its logit minus the largest other; "
                               "default steps: 50); --npy: the end images")
    steering.add_argument("--data-dir", default="data",
                          help="--steer: MNIST folder (missing files are downloaded); the classifier is cached here")
    steering.add_argument("--judge", choices=JUDGES, default=DEFAULT_JUDGE,
                          help="--steer: which of npgan.evaluate's reference classifiers to climb")
    steering.add_argument("--cache-dir", default=None,
                          help="--steer: cache the classifier here instead (default: --data-dir, else ~/.cache/npgan)")
    walk = parser.add_argument_group("walks through latent space")
    walk.add_argument("--interpolate", action="store_true",
                      help="rows that walk in a straight line from one random z to another")
    walk.add_argument("--steps", type=int_range(2, MAX_STEPS), default=None, metavar="S",
                      help="images per walk or sweep, both ends included (default: 10); with --steer, "
                           "steps of gradient ascent (default: 50)")
    walk.add_argument("--rows", type=int_range(1, MAX_ROWS), default=None, metavar="R",
                      help="number of walks (default: 8; with --digit all: one per digit) or sweeps (default: "
                           "one per category, or 1 with --code)")
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


def draw(G, meta, n, seed, digit=None, truncation=None, code=None):
    """``(samples (m, 784), labels (m,) or None)`` from ``G`` with z drawn from ``default_rng(seed)``
    (drawn nearer 0 by :func:`truncate` when ``truncation`` is given).

    InfoGAN (``meta["categorical"]`` > 0): m = n, ``labels`` the categorical codes: ``code`` K for all, else
    the categories in turn; continuous codes ~ Uniform(-1, 1) from the same stream, after z.
    Unconditional: m = n. Conditional (``meta["classes"]`` > 0): ``digit`` K gives n samples of K;
    ``"all"`` gives n of each class, class-major (m = classes * n, the same n z in every class, so each
    column of a grid shares its style); None gives the classes in turn (0, 1, ..., 9, 0, ...).
    """
    rng = np.random.default_rng(seed)
    z = truncate(sample_z(rng, n, meta["z_size"]), truncation)
    classes = meta["classes"]
    if meta["categorical"]:
        latent, codes = with_codes(z, meta, rng, code)
        return generate(G, latent), codes
    if not classes:
        return generate(G, z), None
    if digit == "all":
        z, labels = np.tile(z, (classes, 1)), np.repeat(np.arange(classes), n)
    else:
        labels = np.full(n, digit[0]) if digit else labels_in_turn(n, classes)
    return generate(G, with_labels(z, labels, classes)), labels


def walks(G, meta, rows, steps, seed, digit=None, code=None):
    """Latent walks ``(rows * steps, 784)``, row-major: row r goes in a straight line from z_a[r] to z_b[r].

    For a conditional generator the label stays fixed along a row (``digit`` K, a row per class for
    ``"all"``, classes in turn otherwise), except ``digit=(K, L)``: z stays put and the label input moves
    from one-hot K to one-hot L, morphing one digit into the other. An InfoGAN's categorical code stays
    fixed along a row too (``code``, else the categories in turn), its continuous codes at 0.
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
    inputs = np.ascontiguousarray(inputs.reshape(rows * steps, -1), dtype=np.float32)
    if meta["categorical"]:
        categories = np.repeat(categories_for(rows, meta, code), steps)
        inputs = latent_rows(inputs, categories, np.zeros((len(inputs), meta["continuous"])), meta["categorical"])
    return generate(G, inputs)


def categories_for(n, meta, code=None):
    """An InfoGAN's categorical code for ``n`` rows: ``code`` for all, else its categories in turn."""
    return np.full(n, code) if code is not None else labels_in_turn(n, meta["categorical"])


def with_codes(z, meta, rng, code=None):
    """``(latent rows [z | one-hot c | u], c)`` of an InfoGAN generator, c from :func:`categories_for`;
    continuous codes u ~ Uniform(-1, 1) from ``rng``."""
    codes = categories_for(len(z), meta, code)
    return latent_rows(z, codes, sample_z(rng, len(z), meta["continuous"]), meta["categorical"]), codes


def sweeps(G, meta, rows, steps, seed, index, code=None):
    """Rows ``(rows * steps, 784)`` in which continuous code ``index`` goes from -SWEEP to SWEEP, row-major.

    Each row has its own z and categorical code (``code``, else the categories in turn); the other
    continuous codes stay 0, the middle of their range: what changes along a row is the code's doing."""
    rng = np.random.default_rng(seed)
    z = np.repeat(sample_z(rng, rows, meta["z_size"]), steps, axis=0)
    categories = np.repeat(categories_for(rows, meta, code), steps)
    continuous = np.zeros((rows * steps, meta["continuous"]), dtype=np.float32)
    continuous[:, index] = np.tile(np.linspace(-SWEEP, SWEEP, steps, dtype=np.float32), rows)
    return generate(G, latent_rows(z, categories, continuous, meta["categorical"]))


def steering_paths(G, meta, classifier, n, steps, seed, digit, code=None):
    """Steer ``n`` random z towards ``digit`` (:func:`npgan.steer.steer`; an InfoGAN's codes drawn as
    :func:`draw` draws them, and kept; the steps' random points drawn from the same seed). Returns
    ``(images (steps + 1, n, 784), log_probs (steps + 1, n), predicted (steps + 1, n))``: along the paths, the
    images, ``log p(digit)`` and the top class."""
    rng = np.random.default_rng(seed)
    latent = sample_z(rng, n, meta["z_size"])
    if meta["categorical"]:
        latent, _ = with_codes(latent, meta, rng, code)
    return steer(G, classifier, latent, digit, steps, z_size=meta["z_size"], rng=rng)[:3]


def path_frames(images, arrived, rows=STEER_ROWS, cols=STEER_COLS):
    """The steering picture: for each of the first ``rows`` paths, ``cols`` images evenly spaced from its
    start to its step ``arrived`` (-1: the last step); ``(rows * cols, 784)``, row-major."""
    rows = min(rows, images.shape[1])
    arrived = arrived[:rows]
    ends = np.where(arrived >= 0, arrived, len(images) - 1)
    at = np.rint(np.linspace(0, 1, cols)[None, :] * ends[:, None]).astype(int)   # (rows, cols) step indices
    return images[at, np.arange(rows)[:, None]].reshape(rows * cols, -1)


def _check_args(args, meta):
    """Flag combinations that depend on each other or on the generator: UsageError."""
    if args.interpolate and args.truncation is not None:
        raise UsageError("--truncation goes with drawing samples, not with --interpolate")
    if args.truncation is not None and (args.sweep_code is not None or args.steer is not None):
        raise UsageError("--truncation goes with drawing samples, not with --sweep-code or --steer")
    walking = args.interpolate or args.sweep_code is not None
    if not walking and (args.rows or args.gif):
        raise UsageError("--rows and --gif go with --interpolate or --sweep-code")
    if args.steps and not (walking or args.steer is not None):
        raise UsageError("--steps goes with --interpolate, --sweep-code or --steer")
    if sum((args.interpolate, args.sweep_code is not None, args.steer is not None)) > 1:
        raise UsageError("choose one of --interpolate, --sweep-code and --steer")
    if (args.code is not None or args.sweep_code is not None) and not meta["categorical"] + meta["continuous"]:
        raise UsageError(f"--code and --sweep-code need an InfoGAN generator; {args.checkpoint} has no codes "
                         "(train one with npgan.train --info)")
    if args.code is not None and args.code >= meta["categorical"]:
        raise UsageError(f"--code {args.code}: the generator's categorical code has {meta['categorical']} "
                         f"categories, 0 to {meta['categorical'] - 1}")
    if args.sweep_code is not None and args.sweep_code >= meta["continuous"]:
        raise UsageError(f"--sweep-code {args.sweep_code}: the generator has {meta['continuous']} continuous "
                         f"codes, 0 to {meta['continuous'] - 1}")
    if args.steer is not None and meta["classes"]:
        raise UsageError("--steer moves z of an unconditional generator; ask a conditional one for a digit with --digit")
    if args.steer is not None and args.n > MAX_STEER:
        raise UsageError(f"--steer keeps every path: --n {args.n} is more than {MAX_STEER}")
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
    if args.steer is not None:
        images, log_probs, predicted = steering_paths(G, meta, _classifier(args), args.n, args.steps or 50,
                                                      args.seed, args.steer, args.code)
        sure = arrival_steps(log_probs >= np.log(SURE))  # the picture's rows end where the classifier is sure
        samples, shown = images[-1], path_frames(images, sure)
        nrows, ncols = len(shown) // STEER_COLS, STEER_COLS
        arrived = arrival_steps(predicted == args.steer)
        title = f"z steered towards a {args.steer}, seed {args.seed}: each row until p({args.steer}) >= {SURE:g}"
    elif args.interpolate or args.sweep_code is not None:
        steps = args.steps or 10
        if args.interpolate:
            rows = meta["classes"] if args.digit == "all" else args.rows or 8
            samples = walks(G, meta, rows, steps, args.seed, args.digit, args.code)
            title = f"{rows} walks of {steps} steps, seed {args.seed}"
        else:
            rows = args.rows or (1 if args.code is not None else meta["categorical"])
            samples = sweeps(G, meta, rows, steps, args.seed, args.sweep_code, args.code)
            rows_are = f"code {args.code}" if args.code is not None else "categories in turn"
            title = (f"continuous code {args.sweep_code} from {-SWEEP:g} to {SWEEP:g}; rows: {rows_are}, "
                     f"a z each, seed {args.seed}")
        nrows, ncols, shown = rows, steps, samples
        if gif is not None:
            outputs.append((gif, lambda f: plots.write_gif(walk_frames(samples, rows, steps), f, fps=8, hold_last=0.5)))
    else:
        samples, _ = draw(G, meta, args.n, args.seed, args.digit, args.truncation, code=args.code)
        shown = samples[:MAX_GRID]
        if args.digit == "all":
            nrows, ncols = meta["classes"], args.n
            shown = samples.reshape(nrows, ncols, -1)[:, :MAX_GRID // nrows].reshape(-1, samples.shape[1])
            ncols = len(shown) // nrows
        else:
            nrows, ncols = plots.grid_shape(len(shown), args.cols)
        what = "" if args.digit in (None, "all") else f" of digit {args.digit[0]}"
        what += "" if args.code is None else f" of code {args.code}"
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
    if args.steer is not None:
        end_sure = np.mean(log_probs[-1] >= np.log(SURE))
        print(f"steered {args.n} z for {len(predicted) - 1} steps: the classifier calls {np.mean(predicted[-1] == args.steer):.0%} "
              f"of the end images a {args.steer} ({end_sure:.0%} with p >= {SURE:g}); {np.mean(arrived >= 0):.0%} were "
              f"one at some step (median step {np.median(arrived[arrived >= 0]) if np.any(arrived >= 0) else float('nan'):.0f})")
    return 0


def _classifier(args):
    """npgan.evaluate's reference classifier, in evaluation mode (imported here: npgan.evaluate uses
    this module's :func:`draw`)."""
    from .evaluate import Evaluator

    def log(message):
        print(f"{PROG}: {message}")

    prepare_data_dir(args.data_dir, log=log)  # as in npgan.train and npgan.evaluate: a mistyped folder is said first
    evaluator = Evaluator("mnist", args.data_dir, cache_dir=args.cache_dir, judge=args.judge, log=log)
    return evaluator.net.eval()


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
