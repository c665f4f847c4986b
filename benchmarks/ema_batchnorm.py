"""Does the weight average need batch-norm statistics of its own? A measurement on a saved run.

    python benchmarks/ema_batchnorm.py --checkpoint out/checkpoint.npz [--n 10000] [--data-dir DIR]

A run with ``--ema`` saves the moving average of G's weights with running statistics re-estimated for
those weights (``GAN.refresh_average``). This script scores, on the same z, three generators taken from
the checkpoint: the average as saved, the average with the live G's running statistics borrowed instead
(what copying buffers along with weights would give), and the live G itself.
"""
import argparse
import os
import sys

import numpy as np
from threadpoolctl import threadpool_limits

from npgan.checkpoints import load_checkpoint
from npgan.evaluate import Evaluator
from npgan.gan import labels_in_turn, sample_z, with_labels


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", required=True, help="checkpoint.npz of a run trained with --ema")
    parser.add_argument("--n", type=int, default=10_000, help="samples per generator")
    parser.add_argument("--data-dir", default=os.environ.get("NPGAN_MNIST_DIR", "data"))
    parser.add_argument("--dataset", default="mnist", choices=("mnist", "fashion-mnist"))
    args = parser.parse_args(argv)
    run = load_checkpoint(args.checkpoint)
    gan = run.gan
    if gan.G_avg is None or not gan.G_avg.buffers:
        sys.exit(f"{args.checkpoint}: no weight average with batch norm to measure")
    with threadpool_limits(limits=1, user_api="blas"):
        evaluator = Evaluator(args.dataset, args.data_dir)
        z = sample_z(np.random.default_rng(0), args.n, gan.config.z_size)
        labels = labels_in_turn(args.n, gan.config.classes)
        inputs = with_labels(z, labels, gan.config.classes)

        def fid(net):
            net.eval()
            return evaluator.score(net.forward(inputs))

        own = fid(gan.G_avg)
        saved = {key: value.copy() for key, value in gan.G_avg.buffers.items()}
        for key, value in gan.G.buffers.items():
            gan.G_avg.buffers[key][...] = value
        borrowed = fid(gan.G_avg)
        for key, value in saved.items():
            gan.G_avg.buffers[key][...] = value
        live = fid(gan.G)
    print(f"{args.checkpoint}: epoch {run.epoch}, EMA decay {gan.config.ema}, {args.n:,} samples each")
    print(f"{'generator':<48}{'FID':>8}{'smallest class':>16}{'confident':>11}")
    for name, figures in (("average, its own batch-norm statistics (saved)", own),
                          ("average, the live G's statistics borrowed", borrowed), ("live G", live)):
        print(f"{name:<48}{figures['fid']:>8.2f}{figures['min_share']:>16.1%}{figures['confident_share']:>11.1%}")


if __name__ == "__main__":
    main()
