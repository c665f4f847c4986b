"""How many modes a generator covers, and how well: the metrics of VEEGAN and PacGAN.

For a mixture with modes ``mu_1 .. mu_K`` (a common standard deviation ``sigma``) and generated samples:

- each sample belongs to its nearest mode, and is **high quality** if it lies within ``3 sigma`` of it;
- **modes covered**: modes with at least one high-quality sample;
- **high-quality share**: the fraction of samples that are high quality;
- **KL**: ``KL(p || uniform) = sum_k p_k log(K p_k)``, ``p`` the histogram of the high-quality samples over
  the modes. 0 when they are spread evenly; ``log K`` when all sit on one mode. With no high-quality sample
  there is no histogram; we then report ``log K``, the worst value a histogram can have.

The papers score 2,500 samples (:data:`SAMPLES`).
"""
from dataclasses import asdict, dataclass

import numpy as np

SAMPLES = 2500
RADIUS = 3.0  # in standard deviations


@dataclass(frozen=True)
class ModeScore:
    modes: int            # modes covered (0..K)
    high_quality: float   # share of samples within RADIUS standard deviations of their nearest mode
    kl: float             # KL(histogram of high-quality samples over the modes || uniform)

    def as_dict(self):
        return asdict(self)


def nearest_modes(samples, means):
    """``(index, distance)`` of each sample's nearest mode: (n,) ints and (n,) floats, in float64."""
    samples, means = np.asarray(samples, dtype=np.float64), np.asarray(means, dtype=np.float64)
    # |x - mu|^2 for every pair, (n, K): 2-D, so a broadcast difference is as cheap as any trick
    squared = ((samples[:, None, :] - means[None, :, :]) ** 2).sum(axis=-1)
    index = squared.argmin(axis=1)
    return index, np.sqrt(squared[np.arange(len(samples)), index])


def mode_score(samples, means, std, radius=RADIUS):
    """The three figures of ``samples`` (n, 2) for a mixture with modes ``means`` (K, 2) and deviation ``std``."""
    if len(samples) == 0:
        raise ValueError("mode_score needs at least one sample")
    K = len(means)
    index, distance = nearest_modes(samples, means)
    good = distance <= radius * std
    counts = np.bincount(index[good], minlength=K)
    return ModeScore(int(np.count_nonzero(counts)), float(good.mean()), histogram_kl(counts))


def histogram_kl(counts):
    """``KL(counts / total || uniform)`` over ``len(counts)`` bins, with ``0 log 0 = 0``; ``log K`` if all are 0."""
    counts = np.asarray(counts, dtype=np.float64)
    K, total = len(counts), counts.sum()
    if total == 0:
        return float(np.log(K))
    p = counts[counts > 0] / total
    return float(np.sum(p * np.log(K * p)))
