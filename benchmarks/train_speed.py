"""How fast does npgan train the tutorial's GAN, and how does PyTorch do on the same run?

    python benchmarks/train_speed.py [--threads 1,2] [--epochs 3] [--mnist-dir DIR] [--no-torch] [--no-memory]

For each thread count it times whole epochs (550 steps of 100 images, the tutorial's) of npgan's real
training loop, ``npgan.train._train_epoch``, and, when PyTorch is installed, of ``torch_reference.py``
beside this file, alternating the two so that load from other processes hits both alike. It prints:

- seconds per epoch (median) and images per second;
- the share of npgan's step time spent inside matrix multiplies, timed around every ``Dense`` matmul
  in the real loop (PyTorch's: its profiler's self time in mm/addmm over wall time);
- the speed-up of npgan over PyTorch at the same thread count (npgan measured before and after
  PyTorch, averaged);
- peak resident memory of a ``python -m npgan.train`` process (one epoch; the footprint does not grow
  with epochs beyond the 50 KB of samples each epoch keeps).

Timings on a shared machine wander: compare figures from the same run, and prefer 1 thread (multi-
threaded OpenBLAS collapses when another process is busy).
"""
import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from npgan.data import load_mnist
from npgan.gan import GAN, GANConfig, sample_z, to_unit_range
from npgan.layers import Dense
from npgan.train import TF1_VALIDATION_SIZE, _train_epoch

HERE = Path(__file__).resolve().parent
STEPS, BATCH = 550, 100


class MatmulClock:
    """Times every matrix multiply ``Dense`` makes, inside the real training loop.

    While active, ``Dense.forward``/``backward`` are replaced by copies of themselves whose ``.dot`` calls
    are timed; :func:`check_clock_is_faithful` proves the copies compute exactly what ``Dense`` does.
    """

    def __init__(self):
        self.seconds = 0.0

    def dot(self, a, b):
        start = time.perf_counter()
        result = a.dot(b)
        self.seconds += time.perf_counter() - start
        return result

    def __enter__(self):
        clock, self.saved = self, (Dense.forward, Dense.backward)

        def forward(layer, x):
            layer.x = x
            y = clock.dot(x, layer.params["W"])
            y += layer.params["b"]
            return y

        def backward(layer, dy, *, input_grad=True, param_grads=True):
            if param_grads:
                layer.grads["W"] += clock.dot(layer.x.T, dy)
                layer.grads["b"] += dy.sum(axis=0)
            return clock.dot(dy, layer.params["W"].T) if input_grad else None

        Dense.forward, Dense.backward = forward, backward
        return self

    def __exit__(self, *exc):
        Dense.forward, Dense.backward = self.saved


def check_clock_is_faithful(images):
    """One training step with and without the clock must give bit-identical networks."""
    results = []
    for timed in (False, True):
        gan, rng = GAN(GANConfig()), np.random.default_rng(0)
        with MatmulClock() if timed else contextlib.nullcontext():
            gan.train_step(to_unit_range(images[:BATCH]), sample_z(rng, BATCH, 100))
        results.append(np.concatenate([gan.G.flat_params, gan.D.flat_params]))
    if not np.array_equal(*results):
        raise SystemExit("MatmulClock no longer matches Dense: update its copies of forward/backward")


def time_npgan(images, labels, epochs, rng_seed=0):
    """Median seconds per epoch of npgan's training loop and the median share of it inside matmuls.
    ``labels``: None, or the images' labels to time the conditional model."""
    gan, rng = GAN(GANConfig(conditional=labels is not None)), np.random.default_rng(rng_seed)
    _train_epoch(gan, images[:20 * BATCH], labels, rng, 20, 0, progress=False)  # warm-up
    seconds, shares = [], []
    for epoch in range(epochs):
        with MatmulClock() as clock:
            start = time.perf_counter()
            _train_epoch(gan, images, labels, rng, STEPS, epoch, progress=False)
            seconds.append(time.perf_counter() - start)
        shares.append(clock.seconds / seconds[-1])
    return statistics.median(seconds), statistics.median(shares)


def conditional_cost(images, labels, epochs, rounds=3):
    """Seconds per epoch of the tutorial's model without and with --conditional, alternated ``rounds``
    times so that load from other processes hits both alike; prints each round and the median ratio."""
    ratios = []
    print(f"{'round':>5} {'plain s/epoch':>14} {'conditional s/epoch':>20} {'ratio':>6}")
    with threadpool_limits(limits=1, user_api="blas"):
        for r in range(rounds):
            plain, _ = time_npgan(images, None, epochs)
            conditional, _ = time_npgan(images, labels, epochs)
            ratios.append(conditional / plain)
            print(f"{r + 1:>5} {plain:>14.3f} {conditional:>20.3f} {ratios[-1]:>6.3f}", flush=True)
    print(f"conditional / plain, median of {rounds} rounds: {statistics.median(ratios):.3f}")


def peak_memory_mb(mnist_dir):
    """Peak RSS (MB) of a fresh process running ``npgan.train`` for one epoch on MNIST.

    Read from the child's own ``VmHWM`` (Linux): ``getrusage`` would also count the pages the child
    shared with this (larger) process between fork and exec.
    """
    child = ("import re, sys; from npgan.train import main; rc = main(sys.argv[1:]); "
             "print(re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1)); sys.exit(rc)")
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run([sys.executable, "-c", child, "--data-dir", str(mnist_dir), "--epochs", "1",
                              "--out", out, "--no-progress"], check=True, capture_output=True, text=True)
    return int(run.stdout.split()[-1]) / 1024  # kB -> MB


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", default="1,2", help="comma-separated BLAS thread counts (default 1,2)")
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs per measurement (default 3)")
    parser.add_argument("--mnist-dir", default=os.environ.get("NPGAN_MNIST_DIR", "../shared/data/mnist"))
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch reference")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory run")
    parser.add_argument("--conditional-cost", action="store_true",
                        help="instead: the tutorial's model with and without --conditional, alternated, at 1 thread")
    args = parser.parse_args()

    images, labels = load_mnist("train", data_dir=args.mnist_dir, download=False)
    images, labels = images[TF1_VALIDATION_SIZE:], labels[TF1_VALIDATION_SIZE:]
    if args.conditional_cost:
        return conditional_cost(images, labels, args.epochs)
    check_clock_is_faithful(images)
    torch_reference = None
    if not args.no_torch:
        try:
            sys.path.insert(0, str(HERE))
            import torch_reference
        except ImportError:
            print("(PyTorch not installed: npgan only)")
    print(f"epoch = {STEPS} steps of {BATCH} images; each figure is the median of {args.epochs} epochs")
    header = f"{'threads':>7} {'npgan s/epoch':>14} {'img/s':>7} {'in matmul':>10}"
    if torch_reference:
        header += f" {'torch s/epoch':>14} {'torch in mm':>12} {'npgan speed-up':>15}"
    print(header)
    for threads in map(int, args.threads.split(",")):
        with threadpool_limits(limits=threads, user_api="blas"):
            npgan_s, share = time_npgan(images, None, args.epochs)
        row = f"{threads:>7} {npgan_s:>14.3f} {STEPS * BATCH / npgan_s:>7.0f} {share:>10.0%}"
        if torch_reference:
            torch_s = torch_reference.train_epochs(images, epochs=args.epochs, threads=threads)["seconds_per_epoch"]
            torch_share = torch_reference.matmul_share(images, threads=threads)
            with threadpool_limits(limits=threads, user_api="blas"):  # npgan, torch, npgan: same machine load
                npgan_after, share_after = time_npgan(images, None, args.epochs)
            npgan_s, share = (npgan_s + npgan_after) / 2, (share + share_after) / 2
            row = (f"{threads:>7} {npgan_s:>14.3f} {STEPS * BATCH / npgan_s:>7.0f} {share:>10.0%}"
                   f" {torch_s:>14.3f} {torch_share:>12.0%} {torch_s / npgan_s:>14.2f}x")
        print(row, flush=True)
    if not args.no_memory:
        print(f"peak memory of python -m npgan.train (1 epoch, MNIST): {peak_memory_mb(args.mnist_dir):.0f} MB")


if __name__ == "__main__":
    main()
