"""Steering z: gradient ascent on a classifier's belief in a digit, through the generator.

Training moves weights down a loss's gradient; the same backward passes move an *input* as well. Chained:

    z  ->  G  ->  x = G(z)  ->  classifier  ->  logits l

What z climbs is the **margin** ``l_digit - max_{j != digit} l_j`` (as in Carlini and Wagner's attacks):
positive exactly when the classifier's top class is the digit. Its gradient in the logits is
``e_digit - e_j`` (j: the strongest other class); the classifier's backward pass turns it into ``d / d x``
(its weights fixed), and G's into ``d / d z``. (``log p(digit) = l_digit - logsumexp(l)`` works as well,
see below; its gradient ``e_digit - softmax(l)`` is :func:`latent_gradient`.)

Followed from z alone, that slope leads many paths into a trap: G's image turns into, say, a thin 1 that the
classifier finds a little more 4-like at every step, but no 1 near there is a 4, so the path climbs slowly
and never arrives. So each step takes the gradient not at z but at ``samples`` points part of the way from
z to random points u of the box, ``z + s (u - z)``, and averages them. ``s`` shrinks from ``spread`` (1: the
first step's points are random points of the box, the distribution G was trained on) to 0 at the last step
(the points close in on z): first a direction that raises the margin over much of the latent space, at the
end the slope at z itself (graduated optimisation, as SmoothGrad averages gradients at noisy copies).
The steps are npgan's own Adam (lr 0.05, beta1 0.5: every coordinate of z moves, each by its own gradient's
scale), z clipped back into [-1, 1] after each, the box z is drawn from in training.

Measured under the CNN judge, 100 random z per digit, 50 steps, the share of end images the judge calls the
digit (worst digit / mean of the ten; the README has the tables). On mlp-bn's R1 generator: Adam up
``log p`` at z alone (this module until issue 18) 72% / 81.8%, and 88% / 95.5% even after 500 steps; the
margin at z alone 68% / 76.8%; sign-of-gradient steps, learning-rate schedules, other Adam settings 47-78% /
70-88%. The clip is not the trap (failed paths ended with 5-10% of their coordinates on the box's faces,
arrived ones 2-4%; dropping Adam's momentum there: 71% / 82.1%), nor flat ground (the failed paths' slopes
were the steep ones). Gaussian noise added to z: 71-77% on the worst of 0, 4, 6, 9; the gradient averaged
at 4 points ``z + N(0, 1)`` clipped to the box: 88% / 94.2% on those four. Averaged at points towards random
points of the box, as here: 97% / 99.6% (``log p`` instead of the margin: 97% / 99.3%; 2 points: 94% /
98.3%); on the hinge generator 100% / 100%, from 86% / 92.5%. The price: ``samples`` forward and backward
passes per step instead of one. Adam is not a descent method step by step, and the averaged gradient is not
the slope at z: a row's margin can dip on the way.
"""
import numpy as np

from .layers import Layer
from .losses import log_softmax
from .optim import Adam


def log_probabilities(classifier, images):
    """The classifier's log-probabilities of every class (n, 10) for ``images`` (n, 784)."""
    return log_softmax(classifier.forward(images))


def latent_gradient(G, classifier, log_probs, digit):
    """``d log p_digit / d latent`` (n, G's inputs), right after the forward passes
    ``log_probs = log_probabilities(classifier, G.forward(latent))`` (whose caches the backward passes use).

    Each row's ``log p_digit`` depends on its own row only (G and the classifier in evaluation mode), so the
    gradient of their sum is every row's own gradient: one backward pass for the whole batch.
    """
    d_logits = -np.exp(log_probs)          # d log p_digit / d l = e_digit - softmax(l)
    d_logits[:, digit] += 1
    return to_latent(G, classifier, d_logits)


def to_latent(G, classifier, d_logits):
    """A gradient in the classifier's logits (n, 10) carried back through the classifier (into the images)
    and G (into the latent rows, (n, G's inputs)), right after their forward passes; no weight gradients."""
    return G.backward(classifier.backward(d_logits, param_grads=False), param_grads=False)


def margins(logits, digit):
    """``l_digit - max_{j != digit} l_j`` per row (n,) of ``logits`` (n, 10), and its gradient in the logits
    (n, 10): ``e_digit - e_j``, j the strongest other class."""
    rows = np.arange(len(logits))
    others = logits.copy()
    others[:, digit] = -np.inf
    rival = others.argmax(axis=1)
    d_logits = np.zeros_like(logits)
    d_logits[:, digit], d_logits[rows, rival] = 1, -1
    return logits[:, digit] - others[rows, rival], d_logits


def margin_gradient(G, classifier, latent, digit):
    """``(margins (n,), d margin / d latent (n, G's inputs))`` at ``latent``: forward, then backward (each row's
    margin depends on its own row only: one backward pass for the whole batch, as in :func:`latent_gradient`)."""
    margin, d_logits = margins(classifier.forward(G.forward(latent)), digit)
    return margin, to_latent(G, classifier, d_logits)


class LatentRows(Layer):
    """Latent vectors ``z`` (n, z_size) held as a parameter, so that an optimizer can move them."""

    def __init__(self, z):
        super().__init__()
        self.params["z"], self.grads["z"] = z, np.zeros_like(z)


def steer(G, classifier, latent, digit, steps=50, *, z_size=None, lr=0.05, beta1=0.5, spread=1.0, samples=4,
          rng=0):
    """Move each row of ``latent`` (n, G's inputs) by ``steps`` Adam steps up the classifier's margin for
    ``digit``, each step's gradient averaged over ``samples`` points ``z + s (u - z)``, u uniform in the box,
    s from ``spread`` down to 0 (``spread=0``: the gradient at z itself, one pass per step).

    Only the first ``z_size`` columns move (default: all); the rest (InfoGAN's codes) stay as given, in the
    averaged points too. ``rng``: a seed or a ``np.random.Generator`` for the points u. ``G`` and
    ``classifier`` must be in evaluation mode (batch norms on running statistics: rows independent).
    Returns ``(images (steps + 1, n, 784), log_probs (steps + 1, n), predicted (steps + 1, n), latent)``:
    the images, ``log p(digit)`` and the classifier's top class at the start and after each step, and the
    latent rows at the end.
    """
    latent = np.array(latent)                                 # a copy: the caller's rows stay as given
    rng = np.random.default_rng(rng)
    n, z_size = len(latent), latent.shape[1] if z_size is None else z_size
    z = LatentRows(latent[:, :z_size].copy())
    optimizer = Adam(z, lr=lr, beta1=beta1)
    images = np.empty((steps + 1, n, 784), dtype=np.float32)
    log_probs, predicted = np.empty((steps + 1, n)), np.empty((steps + 1, n), dtype=np.int64)
    for step in range(steps + 1):
        images[step] = made = G.forward(latent)
        all_log_probs = log_probabilities(classifier, made)
        log_probs[step], predicted[step] = all_log_probs[:, digit], all_log_probs.argmax(axis=1)
        if step == steps:
            break
        s = spread * (1 - step / steps)
        if s == 0:   # the slope at z: the forward passes above left their caches (and log p's margin is the logits')
            gradient = to_latent(G, classifier, margins(all_log_probs, digit)[1])[:, :z_size]
        else:                                                 # `samples` points per row, in one batch
            points = np.tile(latent, (samples, 1))
            u = rng.uniform(-1, 1, (samples * n, z_size)).astype(latent.dtype)
            points[:, :z_size] += s * (u - points[:, :z_size])
            gradient = margin_gradient(G, classifier, points, digit)[1][:, :z_size]
        np.negative(gradient.reshape(-1, n, z_size).mean(axis=0), out=z.grads["z"])
        optimizer.step()                                      # down -margin: up the margin
        np.clip(z.params["z"], -1, 1, out=z.params["z"])      # back into the training range
        latent[:, :z_size] = z.params["z"]
    return images, log_probs, predicted, latent


def arrival_steps(reached):
    """Per path, the first step at which ``reached`` (steps + 1, n) holds, say ``log_probs >= log 0.9``
    (-1: never)."""
    return np.where(reached.any(axis=0), reached.argmax(axis=0), -1)
