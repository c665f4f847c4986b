"""How fast does npgan train each model, and how does PyTorch do on the same run?

    python benchmarks/train_speed.py [--model tutorial|mlp-bn|dcgan] [--width W] [--threads 1,2]
                                     [--epochs 3] [--steps N] [--no-torch] [--no-memory]
    python benchmarks/train_speed.py --conditional-cost      # the tutorial's model with and without labels
    python benchmarks/train_speed.py --info-cost --model mlp-bn   # a model's default run with and without --info
    python benchmarks/train_speed.py --aux-cost      # the conditional tutorial with and without AC-GAN's classifier

For each thread count it times npgan's real training loop, ``npgan.train._train_epoch``, with the model's
default settings (the tutorial's: 550 steps of 100 images an epoch; mlp-bn and dcgan: batch 64, 859
steps), and, when PyTorch is installed, ``torch_reference.py`` beside this file running the same
architecture, batch and optimiser as a competent PyTorch user would (eager, float32). The two alternate
(npgan, PyTorch, npgan) so that load from other processes hits both alike. Each measurement is ``--steps``
steps (default: a whole epoch for the tutorial, fewer for the bigger models), repeated ``--epochs`` times;
figures are medians, reported per epoch. It prints:

- seconds per epoch and images per second;
- the share of npgan's step spent inside matrix products (BLAS), timed around every ``np.dot`` and
  ``np.matmul`` of the layers (``blas_clock.py``) in a run of its own after the timed ones; PyTorch's from
  its profiler (mm, addmm, convolutions);
- npgan's speed-up over PyTorch at the same thread count;
- peak resident memory of a ``python -m npgan.train`` process training the model for one epoch.

Timings on a shared machine wander: compare figures from the same run, and prefer 1 thread
(multi-threaded OpenBLAS collapses when another process is busy).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from threadpoolctl import threadpool_limits

from blas_clock import BlasClock
from npgan.data import load_mnist
from npgan.gan import GANConfig
from npgan.info import build_gan
from npgan.train import TF1_VALIDATION_SIZE, _train_epoch

DEFAULT_STEPS = {"tutorial": None, "mlp-bn": 200, "dcgan": 30}  # None: a whole epoch


def config_for(model, width=None, conditional=False, info=False, **overrides):
    # loss="ns": the models as torch_reference.py writes them (their plain runs now default to other recipes)
    return GANConfig.for_model(model, conditional=conditional, info=info, loss="ns",
                               **({"width": width} if width else {}), **overrides)


def time_npgan(config, images, labels, steps, repeats):
    """Median seconds of ``steps`` steps of npgan's training loop, and the share inside BLAS, from one more
    run of those steps under the BLAS clock (its wrappers of every product must not weigh on the timed runs)."""
    gan, rng = build_gan(config), np.random.default_rng(0)
    _train_epoch(gan, images, labels, rng, 10, 0, progress=False)  # warm-up
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        _train_epoch(gan, images, labels, rng, steps, 0, progress=False)
        seconds.append(time.perf_counter() - start)
    with BlasClock() as clock:
        start = time.perf_counter()
        _train_epoch(gan, images, labels, rng, steps, 0, progress=False)
        share = clock.seconds / (time.perf_counter() - start)
    return statistics.median(seconds), share


def variant_cost(name, plain, variant, images, labels, steps, epochs):
    """CPU seconds of ``steps`` steps of npgan's training loop for the ``plain`` config and for its
    ``variant`` (``labels`` for it, if conditional), at 1 thread, in turns: both are built and warmed up
    once, then ``3 * epochs`` pairs of measurements alternate, so that load from other processes hits both
    alike. CPU time, not wall time: another process on the same core slows the wall clock of whichever runs
    then. Prints each round and the median ratio (and its range)."""
    rounds = 3 * epochs
    gans = [(build_gan(config), labels if config.conditional else None) for config in (plain, variant)]
    rng = np.random.default_rng(0)
    ratios = []
    print(f"{'round':>5} {'plain s':>10} {name + ' s':>16} {'ratio':>6}   ({steps} steps of {plain.model}, CPU time)")
    with threadpool_limits(limits=1, user_api="blas"):
        for gan, y in gans:
            _train_epoch(gan, images, y, rng, 20, 0, progress=False)  # warm-up
        for r in range(rounds):
            seconds = []
            for gan, y in gans:
                start = time.process_time()
                _train_epoch(gan, images, y, rng, steps, 0, progress=False)
                seconds.append(time.process_time() - start)
            ratios.append(seconds[1] / seconds[0])
            print(f"{r + 1:>5} {seconds[0]:>10.3f} {seconds[1]:>16.3f} {ratios[-1]:>6.3f}", flush=True)
    print(f"{name} / plain, median of {rounds} rounds: {statistics.median(ratios):.3f} "
          f"(range {min(ratios):.3f}-{max(ratios):.3f})")


def peak_memory_mb(mnist_dir, model, width):
    """Peak RSS (MB) of a fresh process running ``npgan.train`` for one epoch of ``model`` on MNIST.

    Read from the child's own ``VmHWM`` (Linux): ``getrusage`` would also count the pages the child
    shared with this (larger) process between fork and exec.
    """
    child = ("import re, sys; from npgan.train import main; rc = main(sys.argv[1:]); "
             "print(re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1)); sys.exit(rc)")
    flags = ["--model", model] + (["--width", str(width)] if width else [])
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run([sys.executable, "-c", child, "--data-dir", str(mnist_dir), "--epochs", "1",
                              "--out", out, "--no-progress", *flags], check=True, capture_output=True, text=True)
    return int(run.stdout.split()[-1]) / 1024  # kB -> MB


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=tuple(DEFAULT_STEPS), default="tutorial")
    parser.add_argument("--width", type=int, default=None, help="dcgan: width (default: the model's)")
    parser.add_argument("--threads", default="1,2", help="comma-separated BLAS thread counts (default 1,2)")
    parser.add_argument("--epochs", type=int, default=3, help="timed measurements per figure (default 3)")
    parser.add_argument("--steps", type=int, default=None, help="steps per measurement (default: per model)")
    parser.add_argument("--mnist-dir", default=os.environ.get("NPGAN_MNIST_DIR", "../shared/data/mnist"))
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch reference")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory run")
    parser.add_argument("--conditional-cost", action="store_true",
                        help="instead: the tutorial's model with and without --conditional, alternated, at 1 thread")
    parser.add_argument("--info-cost", action="store_true",
                        help="instead: --model's default run with and without --info (InfoGAN), alternated, at 1 "
                             "thread, CPU time")
    parser.add_argument("--aux-cost", action="store_true",
                        help="instead: the conditional tutorial with and without AC-GAN's classifier (--aux-weight), "
                             "alternated, at 1 thread")
    args = parser.parse_args()

    images, labels = load_mnist("train", data_dir=args.mnist_dir, download=False)
    images, labels = images[TF1_VALIDATION_SIZE:], labels[TF1_VALIDATION_SIZE:]
    config = config_for(args.model, args.width)
    epoch_steps = len(images) // config.batch_size
    steps = args.steps or DEFAULT_STEPS[args.model] or epoch_steps
    labelled = config_for("tutorial", conditional=True, aux_weight=0.0)  # the labels alone, no AC-GAN head
    if args.conditional_cost:
        return variant_cost("conditional", config_for("tutorial"), labelled, images, labels, len(images) // 100,
                            args.epochs)
    if args.aux_cost:
        return variant_cost("aux", labelled, config_for("tutorial", conditional=True, aux_weight=1.0), images,
                            labels, len(images) // 100, args.epochs)
    if args.info_cost:  # what adding --info to a run costs: the model's own recipe, then its InfoGAN recipe
        width = {"width": args.width} if args.width else {}
        return variant_cost("info", GANConfig.for_model(args.model, **width),
                            GANConfig.for_model(args.model, info=True, **width), images, None, steps, args.epochs)
    per_epoch = epoch_steps / steps
    torch_reference = None
    if not args.no_torch:
        try:
            import torch_reference  # beside this script, as blas_clock
        except ImportError:
            print("(PyTorch not installed: npgan only)")
    width = f", width {config.width}" if args.model == "dcgan" else ""
    print(f"model {args.model}{width}: epoch = {epoch_steps} steps of {config.batch_size} images; each figure is "
          f"the median of {args.epochs} runs of {steps} steps, per epoch")
    header = f"{'threads':>7} {'npgan s/epoch':>14} {'img/s':>7} {'in BLAS':>8}"
    if torch_reference:
        header += f" {'torch s/epoch':>14} {'torch in BLAS':>14} {'npgan speed-up':>15}"
    print(header)
    for threads in map(int, args.threads.split(",")):
        with threadpool_limits(limits=threads, user_api="blas"):
            npgan_s, share = time_npgan(config, images, None, steps, args.epochs)
        if torch_reference:
            common = dict(model=args.model, width=config.width, threads=threads)
            torch_s = torch_reference.train_epochs(images, epochs=args.epochs, steps_per_epoch=steps,
                                                   **common)["seconds_per_epoch"]
            torch_share = torch_reference.matmul_share(images, steps=min(steps, 50), **common)
            with threadpool_limits(limits=threads, user_api="blas"):  # npgan, torch, npgan: same machine load
                npgan_after, share_after = time_npgan(config, images, None, steps, args.epochs)
            npgan_s, share = (npgan_s + npgan_after) / 2, (share + share_after) / 2
        row = f"{threads:>7} {npgan_s * per_epoch:>14.2f} {steps * config.batch_size / npgan_s:>7.0f} {share:>8.0%}"
        if torch_reference:
            row += f" {torch_s * per_epoch:>14.2f} {torch_share:>14.0%} {torch_s / npgan_s:>14.2f}x"
        print(row, flush=True)
    if not args.no_memory:
        memory = peak_memory_mb(args.mnist_dir, args.model, args.width)
        print(f"peak memory of python -m npgan.train --model {args.model} (1 epoch, MNIST): {memory:.0f} MB")


if __name__ == "__main__":
    main()
