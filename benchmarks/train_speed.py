"""How fast does npgan train the tutorial's GAN, and how does PyTorch do on the same run?

    python benchmarks/train_speed.py [--threads 1,2] [--epochs 3] [--mnist-dir DIR] [--no-torch] [--no-memory]

For each thread count it times whole epochs (550 steps of 100 images, the tutorial's) of npgan's real
training loop, ``npgan.train._train_epoch``, and, when PyTorch is installed, of ``torch_reference.py``
beside this file, alternating the two so that load from other processes hits both alike. It prints:

- seconds per epoch (median) and images per second;
- the share of npgan's step time spent inside matrix multiplies: the exact matmuls one step makes
  (recorded from ``Dense``, same shapes and memory layouts) replayed alone, divided by the step time;
- peak resident memory of a full ``python -m npgan.train`` process (one epoch; the footprint does not
  grow with epochs beyond the 50 KB of samples each epoch keeps).

Timings on a shared machine wander: compare figures from the same run, and prefer 1 thread (multi-
threaded OpenBLAS collapses when another process is busy).
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from npgan.data import read_idx
from npgan.gan import GAN, GANConfig, sample_z, to_unit_range
from npgan.layers import Dense
from npgan.train import TF1_VALIDATION_SIZE, _train_epoch

HERE = Path(__file__).resolve().parent
STEPS, BATCH = 550, 100


def time_npgan(images, epochs, rng_seed=0):
    """Seconds per epoch of npgan's training loop (median of ``epochs``), after a short warm-up."""
    gan, rng = GAN(GANConfig()), np.random.default_rng(rng_seed)
    _train_epoch(gan, images[:20 * BATCH], rng, 20, 0, progress=False)
    seconds = []
    for epoch in range(epochs):
        start = time.perf_counter()
        _train_epoch(gan, images, rng, STEPS, epoch, progress=False)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def record_step_matmuls(images):
    """The (a, b) operand pairs of every ``a @ b`` one training step makes, copied with their layouts."""
    calls, forward, backward = [], Dense.forward, Dense.backward

    def recording_forward(self, x):
        calls.append((x, self.params["W"]))
        return forward(self, x)

    def recording_backward(self, dy, *, input_grad=True, param_grads=True):
        if param_grads:
            calls.append((self.x.T, dy))
        if input_grad:
            calls.append((dy, self.params["W"].T))
        return backward(self, dy, input_grad=input_grad, param_grads=param_grads)

    gan, rng = GAN(GANConfig()), np.random.default_rng(0)
    Dense.forward, Dense.backward = recording_forward, recording_backward
    try:
        gan.train_step(to_unit_range(images[:BATCH]), sample_z(rng, BATCH, 100))
    finally:
        Dense.forward, Dense.backward = forward, backward
    return [(np.array(a, order="K"), np.array(b, order="K")) for a, b in calls]


def time_matmuls(pairs, repeats=3):
    """Seconds per epoch spent in the recorded matmuls alone (best of ``repeats``)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(STEPS):
            for a, b in pairs:
                a @ b
        best = min(best, time.perf_counter() - start)
    return best


def peak_memory_mb(mnist_dir):
    """Peak RSS (MB) of ``python -m npgan.train --epochs 1`` in a child process."""
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([sys.executable, "-m", "npgan.train", "--data-dir", str(mnist_dir), "--epochs", "1",
                        "--out", out, "--no-progress"], check=True, stdout=subprocess.DEVNULL)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux reports KiB


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", default="1,2", help="comma-separated BLAS thread counts (default 1,2)")
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs per measurement (default 3)")
    parser.add_argument("--mnist-dir", default=os.environ.get("NPGAN_MNIST_DIR", "../shared/data/mnist"))
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch reference")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory run")
    args = parser.parse_args()

    images = read_idx(Path(args.mnist_dir) / "train-images-idx3-ubyte.gz")[TF1_VALIDATION_SIZE:]
    torch_reference = None
    if not args.no_torch:
        try:
            sys.path.insert(0, str(HERE))
            import torch_reference
        except ImportError:
            print("(PyTorch not installed: npgan only)")
    pairs = record_step_matmuls(images)
    print(f"one step = {len(pairs)} matmuls; epoch = {STEPS} steps of {BATCH} images; median of {args.epochs} epochs")
    header = f"{'threads':>7} {'npgan s/epoch':>14} {'img/s':>7} {'matmul s':>9} {'in matmul':>10}"
    if torch_reference:
        header += f" {'torch s/epoch':>14} {'torch in mm':>11} {'speed-up':>9}"
    print(header)
    for threads in map(int, args.threads.split(",")):
        with threadpool_limits(limits=threads, user_api="blas"):
            npgan_s, matmul_s = time_npgan(images, args.epochs), time_matmuls(pairs)
        row = f"{threads:>7} {npgan_s:>14.3f} {STEPS * BATCH / npgan_s:>7.0f} {matmul_s:>9.3f} {matmul_s / npgan_s:>10.0%}"
        if torch_reference:
            torch_s = torch_reference.train_epochs(images, epochs=args.epochs, threads=threads)["seconds_per_epoch"]
            torch_mm = torch_reference.matmul_share(images, threads=threads)
            with threadpool_limits(limits=threads, user_api="blas"):
                npgan_again = time_npgan(images, args.epochs)  # A-B-A: both see the same machine load
            npgan_s = min(npgan_s, npgan_again)
            row = (f"{threads:>7} {npgan_s:>14.3f} {STEPS * BATCH / npgan_s:>7.0f} {matmul_s:>9.3f} "
                   f"{matmul_s / npgan_s:>10.0%} {torch_s:>14.3f} {torch_mm:>11.0%} {torch_s / npgan_s:>8.2f}x")
        print(row, flush=True)
    if not args.no_memory:
        print(f"peak memory of python -m npgan.train: {peak_memory_mb(args.mnist_dir):.0f} MB")


if __name__ == "__main__":
    main()
