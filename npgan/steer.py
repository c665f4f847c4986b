"""Steering z: gradient ascent on a classifier's belief in a digit, through the generator.

Training moves weights down a loss's gradient; the same backward passes move an *input* as well. Chained:

    z  ->  G  ->  x = G(z)  ->  classifier  ->  logits l  ->  log p(digit | x) = l_digit - logsumexp(l)

``d log p / d l = e_digit - softmax(l)`` (the softmax cross entropy's gradient, negated); the classifier's
backward pass turns it into ``d log p / d x`` (its weights fixed), and G's into ``d log p / d z``.

The steps are npgan's own Adam on z (minimising ``-log p``), then z clipped back into [-1, 1], the box z is
drawn from in training: G never saw latent vectors outside it. Adam scales each coordinate of z by its own
gradient's size, and that matters: a step along the raw gradient (or the gradient divided by its length)
moves the few coordinates with large gradients and leaves the rest; measured on a 9-epoch mlp-bn
generator, 30 z for each of the digits 0, 3, 7, 8, 50 steps: 66% of the end images were the digit with
normalised-gradient steps (with a backtracking line search), 97% with Adam (lr 0.05, beta1 0.5).
Adam is not a descent method step by step: a row's log-probability can dip on the way.
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
    return G.backward(classifier.backward(d_logits, param_grads=False), param_grads=False)


class LatentRows(Layer):
    """Latent vectors ``z`` (n, z_size) held as a parameter, so that an optimizer can move them."""

    def __init__(self, z):
        super().__init__()
        self.params["z"], self.grads["z"] = z, np.zeros_like(z)


def steer(G, classifier, latent, digit, steps=50, *, z_size=None, lr=0.05, beta1=0.5):
    """Move each row of ``latent`` (n, G's inputs) by ``steps`` Adam steps up ``log p(digit)``.

    Only the first ``z_size`` columns move (default: all); the rest (InfoGAN's codes) stay as given. ``G``
    and ``classifier`` must be in evaluation mode (batch norms on running statistics: rows independent).
    Returns ``(images (steps + 1, n, 784), log_probs (steps + 1, n), predicted (steps + 1, n), latent)``:
    the images, ``log p(digit)`` and the classifier's top class at the start and after each step, and the
    latent rows at the end.
    """
    latent = np.array(latent)                                 # a copy: the caller's rows stay as given
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
        np.negative(latent_gradient(G, classifier, all_log_probs, digit)[:, :z_size], out=z.grads["z"])
        optimizer.step()                                      # down -log p: up log p
        np.clip(z.params["z"], -1, 1, out=z.params["z"])      # back into the training range
        latent[:, :z_size] = z.params["z"]
    return images, log_probs, predicted, latent


def arrival_steps(reached):
    """Per path, the first step at which ``reached`` (steps + 1, n) holds, say ``log_probs >= log 0.9``
    (-1: never)."""
    return np.where(reached.any(axis=0), reached.argmax(axis=0), -1)
