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

from threadpoolctl import threadpool_limits

from npgan.checkpoints import load_checkpoint
from npgan.evaluate import Evaluator
from npgan.gan import buffers_kept
from npgan.sample import draw


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
        meta = {"z_size": gan.config.z_size, "classes": gan.config.classes}

        def fid(net):  # the same z (seed 0) and labels for each generator
            return evaluator.score(draw(net.eval(), meta, args.n, seed=0)[0])

        own = fid(gan.G_avg)
        with buffers_kept(gan.G_avg):
            for key, value in gan.G.buffers.items():
                gan.G_avg.buffers[key][...] = value
            borrowed = fid(gan.G_avg)
        live = fid(gan.G)
    print(f"{args.checkpoint}: epoch {run.epoch}, EMA decay {gan.config.ema}, {args.n:,} samples each")
    print(f"{'generator':<48}{'FID':>8}{'smallest class':>16}{'confident':>11}")
    for name, figures in (("average, its own batch-norm statistics (saved)", own),
                          ("average, the live G's statistics borrowed", borrowed), ("live G", live)):
        print(f"{name:<48}{figures['fid']:>8.2f}{figures['min_share']:>16.1%}{figures['confident_share']:>11.1%}")


if __name__ == "__main__":
    main()
