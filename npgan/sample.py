"""Draw new handwritten digits from a saved generator.

    python -m npgan.sample --checkpoint out/generator.npz --n 16 --seed 0 --out digits.png --npy samples.npy

Latent vectors z ~ Uniform(-1, 1) (as in training) go through the generator; the images are written as a
grid (PNG) and, with ``--npy``, as a float32 array of shape (n, 784) in [-1, 1]. The checkpoint is read
without unpickling; every error is one line on stderr and a non-zero exit, and no output is half-written.
"""
import contextlib
import os
import sys
from pathlib import Path

import numpy as np

from . import plots
from .cli import ArgumentParser, int_range, nonnegative_int, positive_int
from .data import atomic_write
from .checkpoints import CheckpointError, load_generator
from .gan import sample_z

PROG = "npgan.sample"
MAX_N = 100_000
MAX_GRID = 400  # images drawn in the PNG at most (20x20); --npy always holds all n
CHUNK = 10_000  # rows per forward pass, to bound memory for large n

EPILOG = f"""\
examples:
  python -m npgan.sample --checkpoint out/generator.npz
  python -m npgan.sample --checkpoint out/checkpoint.npz --n 64 --seed 3 --out digits.png --npy digits.npy

The grid shows the first {MAX_GRID} samples at most; --npy holds all of them.
"""


class UsageError(Exception):
    """A problem with the arguments found after parsing (reported like an argparse error)."""


def build_parser():
    parser = ArgumentParser(
        prog=PROG, epilog=EPILOG,
        description="Draw new handwritten digits from a generator saved by npgan.train.")
    parser.add_argument("--checkpoint", required=True, metavar="PATH",
                        help="generator.npz or checkpoint.npz written by npgan.train")
    parser.add_argument("--n", type=int_range(1, MAX_N), default=16, metavar="N",
                        help=f"number of samples to draw, 1 to {MAX_N}")
    parser.add_argument("--seed", type=nonnegative_int, default=0,
                        help="seed of the latent vectors z ~ Uniform(-1, 1); same seed, same digits")
    parser.add_argument("--out", default="digits.png", metavar="PNG",
                        help="where to write the grid of samples (PNG)")
    parser.add_argument("--npy", default=None, metavar="NPY",
                        help="also write the samples here: float32 array (n, 784) in [-1, 1], np.load-able")
    parser.add_argument("--cols", type=positive_int, default=None, metavar="C",
                        help="columns of the grid (default: near-square)")
    return parser


def generate(G, z_size, n, seed, chunk=CHUNK):
    """``n`` samples (n, image_size) float32 from generator ``G`` with z drawn from ``default_rng(seed)``.

    Exactly ``G.forward(sample_z(default_rng(seed), n, z_size))`` for ``n <= chunk``; larger ``n`` runs in
    chunks of ``chunk`` rows to bound memory (BLAS may then differ in the last bit).
    """
    z = sample_z(np.random.default_rng(seed), n, z_size)
    if n <= chunk:
        return np.asarray(G.forward(z), dtype=np.float32)
    first = G.forward(z[:chunk])
    samples = np.empty((n, first.shape[1]), dtype=np.float32)  # filled in place: one copy of n samples
    samples[:chunk] = first
    for i in range(chunk, n, chunk):
        samples[i:i + chunk] = G.forward(z[i:i + chunk])
    return samples


def _check_output(path):
    """Fail early, before any work, if ``path`` cannot be an output file."""
    folder = path.parent
    if not folder.is_dir():
        raise OSError(f"cannot write {path}: folder {folder} does not exist")
    if path.is_dir():
        raise OSError(f"cannot write {path}: it is a folder")
    if not os.access(folder, os.W_OK):
        raise OSError(f"cannot write {path}: folder {folder} is not writable")


def _write_all(outputs):
    """Write every ``(path, write)`` pair; the files appear only once all of them were written."""
    with contextlib.ExitStack() as stack:
        for path, write in outputs:
            try:
                write(stack.enter_context(atomic_write(path)))
            except OSError as err:
                raise OSError(f"cannot write {path}: {err.strerror or err}") from None


def run(args):
    out = Path(args.out)
    npy = Path(args.npy) if args.npy else None
    if npy is not None and npy.resolve() == out.resolve():
        raise UsageError("--out and --npy name the same file")
    G, meta = load_generator(args.checkpoint)
    for path in filter(None, (out, npy)):
        _check_output(path)

    samples = generate(G, int(meta["z_size"]), args.n, args.seed)
    shown = samples[:MAX_GRID]
    nrows, ncols = plots.grid_shape(len(shown), args.cols)
    title = f"{args.n} samples, seed {args.seed}" if len(shown) == args.n else \
        f"first {len(shown)} of {args.n} samples, seed {args.seed}"
    fig = plots.sample_grid_figure(shown, nrows, ncols, title=title)

    outputs = [(out, lambda f: plots.write_png(fig, f))]
    if npy is not None:
        outputs.append((npy, lambda f: np.save(f, samples, allow_pickle=False)))
    _write_all(outputs)
    print(f"wrote {out}: {nrows}x{ncols} grid of {len(shown)} samples")
    if npy is not None:
        print(f"wrote {npy}: float32 array {samples.shape} in [-1, 1]")
    return 0


def main(argv=None):
    """Command line entry point; returns the exit status (0 ok, 1 error, 2 bad arguments)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help (0) or a bad flag (2, message already printed)
        return exit_.code if isinstance(exit_.code, int) else 1
    try:
        return run(args)
    except UsageError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    except (CheckpointError, OSError, ValueError, MemoryError) as err:
        message = " ".join(str(err).split()) or type(err).__name__
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
