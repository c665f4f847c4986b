"""Which input carries the digit? For each InfoGAN generator file given (e.g. benchmarks/infogan_probe.py's):

- the judge's (MLP) digit of 2,000 samples against their category (rows: category, columns: digit);
- per category, the share of 20 draws of z whose judged digit changes along a 3x3 grid of the continuous
  codes u (z, c fixed), and the share of 20 draws of u whose digit changes over 9 random z (u, c fixed);
- the z spread: the mean distance (Euclidean, pixels in [-1, 1]) between the images of two random z with
  the same codes, over 1,000 pairs: how much G uses z (README's InfoGAN tables).

    python benchmarks/infogan_digits.py --data-dir /work/data /tmp/infogan_probe/L-info-avg.npz ...

Assumes two continuous codes (npgan's --info default). See docs/infogan_probe.md.
"""
import argparse

import numpy as np

from npgan.checkpoints import load_generator
from npgan.evaluate import Evaluator
from npgan.gan import sample_z
from npgan.info import latent_rows
from npgan.sample import draw


def digit_changes(G, evaluator, meta, latent_parts, categories):
    """Per category, the share of the 20 rows of 9 samples whose judged digits are not all the same."""
    shares = []
    for c in range(categories):
        z, u = latent_parts
        digits = evaluator.classify(G.forward(latent_rows(z, np.full(len(z), c), u, categories)))[1].argmax(1)
        shares.append(np.mean([len(set(row)) > 1 for row in digits.reshape(20, 9)]))
    return np.round(shares, 2)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("generators", nargs="+")
    parser.add_argument("--data-dir", default="data")
    args = parser.parse_args()
    evaluator = Evaluator("mnist", args.data_dir, judge="mlp", download=False, log=None)
    for path in args.generators:
        G, meta = load_generator(path)
        G.eval()
        categories = meta["categorical"]
        samples, codes = draw(G, meta, 2000, 0)
        predicted = evaluator.classify(samples)[1].argmax(1)
        counts = np.zeros((categories, 10), int)
        np.add.at(counts, (codes, predicted), 1)
        print(f"{path}\nrows: category, columns: the judge's digit\n{counts}")
        rng = np.random.default_rng(5)
        grid = np.stack(np.meshgrid(np.linspace(-1, 1, 3), np.linspace(-1, 1, 3)), -1).reshape(9, 2)
        along_u = (np.repeat(sample_z(rng, 20, meta["z_size"]), 9, 0), np.tile(grid, (20, 1)).astype(np.float32))
        along_z = (sample_z(rng, 180, meta["z_size"]), np.repeat(sample_z(rng, 20, 2), 9, 0))
        u_shares = digit_changes(G, evaluator, meta, along_u, categories)
        z_shares = digit_changes(G, evaluator, meta, along_z, categories)
        print("digit changes along u (z, c fixed):", u_shares, f"mean {u_shares.mean():.0%}")
        print("digit changes along z (u, c fixed):", z_shares, f"mean {z_shares.mean():.0%}")
        c, u = rng.integers(categories, size=1000), sample_z(rng, 1000, 2)
        pair = [G.forward(latent_rows(sample_z(rng, 1000, meta["z_size"]), c, u, categories)) for _ in range(2)]
        print(f"z spread: {np.linalg.norm(pair[0] - pair[1], axis=1).mean():.1f}")


if __name__ == "__main__":
    main()
