"""What does ``npgan.evaluate`` cost? The figures behind the README and ``train --eval-every``.

    python benchmarks/evaluate_speed.py [--checkpoint out/generator.npz] [--mnist-dir DIR] [--repeats 5]

At one BLAS thread it measures:

- building an :class:`npgan.evaluate.Evaluator` without a cache (the reference classifier trained from
  scratch, plus the test images' nearest training images), with its test accuracy, into a temporary
  cache folder; then building it again from that cache;
- ``Evaluator.score`` on 2,000 samples (what ``--eval-every`` costs per evaluation), without and with the
  copying ratio (median of ``--repeats``);
- with ``--checkpoint``: the wall time of ``python -m npgan.evaluate --checkpoint ... --n 10000`` in a
  fresh process, classifier cached (the issue asks for under 20 s).

Timings on a shared machine wander: repeat and compare figures from the same run.
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

from npgan.evaluate import Evaluator


def timed(function, repeats=1):
    """``(median seconds, last result)`` of ``repeats`` calls of ``function()``."""
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint", help="a generator.npz to time the command line on")
    parser.add_argument("--mnist-dir", default=os.environ.get("NPGAN_MNIST_DIR", "data"))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    samples = np.random.default_rng(0).uniform(-1, 1, (2000, 784)).astype(np.float32)
    with tempfile.TemporaryDirectory() as cache, threadpool_limits(limits=1, user_api="blas"):
        seconds, evaluator = timed(lambda: Evaluator("mnist", args.mnist_dir, cache_dir=cache, log=print))
        print(f"Evaluator, no cache:   {seconds:6.1f} s  (classifier test accuracy {evaluator.accuracy:.2%})")
        seconds, _ = timed(lambda: Evaluator("mnist", args.mnist_dir, cache_dir=cache, log=None))
        print(f"Evaluator, cached:     {seconds:6.2f} s")
        seconds, _ = timed(lambda: evaluator.score(samples), args.repeats)
        print(f"score(2,000 samples):  {seconds:6.3f} s")
        seconds, _ = timed(lambda: evaluator.score(samples, copying=True), args.repeats)
        print(f"  with copying ratio:  {seconds:6.3f} s")
        if args.checkpoint:
            command = [sys.executable, "-m", "npgan.evaluate", "--checkpoint", args.checkpoint, "--n", "10000",
                       "--data-dir", args.mnist_dir, "--cache-dir", cache]
            seconds, _ = timed(lambda: subprocess.run(command, check=True, capture_output=True), args.repeats)
            print(f"python -m npgan.evaluate --n 10000, cached: {seconds:.1f} s wall")


if __name__ == "__main__":
    main()
