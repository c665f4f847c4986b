"""Steering z: gradient ascent on a classifier's belief in a digit, through the generator.

Training moves weights down a loss's gradient; the same backward passes move an *input* as well. Chained:

    z  ->  G  ->  x = G(z)  ->  classifier  ->  logits l  ->  log p(digit | x) = l_digit - logsumexp(l)

``d log p / d l = e_digit - softmax(l)`` (the softmax cross entropy's gradient, negated); the classifier's
backward pass turns it into ``d log p / d x`` (its weights fixed), and G's backward pass into
``d log p / d z``. Each step moves every z uphill, then clips it back into [-1, 1], the box z is drawn from
in training: G never saw latent vectors outside it.

The step of a row has a root-mean-square of ``rate`` per coordinate (the gradient divided by its own RMS):
far from the digit the gradient is tiny, near it large, and a fixed length crosses both alike. A step that
would *lower* a row's log-probability is halved and tried again (at most ``tries`` times, after which the
row stays where it is), and the row keeps the halved rate: so each row's log-probability never falls.
"""
import numpy as np

from .losses import log_softmax


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


def steer(G, classifier, latent, digit, steps=50, *, z_size=None, rate=0.05, tries=4):
    """Move each row of ``latent`` (n, G's inputs) by ``steps`` steps of gradient ascent on ``log p(digit)``.

    Only the first ``z_size`` columns move (default: all); the rest (InfoGAN's codes) stay as given. ``G``
    and ``classifier`` must be in evaluation mode (batch norms on running statistics: rows independent).
    Returns ``(images (steps + 1, n, 784), log_probs (steps + 1, n), predicted (steps + 1, n))``: the
    images, ``log p(digit)`` and the classifier's top class at the start and after each step.
    """
    latent = np.array(latent)                                 # a copy: the caller's rows stay as given
    n, z_size = len(latent), latent.shape[1] if z_size is None else z_size
    rates = np.full((n, 1), rate, dtype=latent.dtype)
    images = np.empty((steps + 1, n, 784), dtype=np.float32)
    log_probs, predicted = np.empty((steps + 1, n)), np.empty((steps + 1, n), dtype=np.int64)
    for step in range(steps + 1):
        images[step] = made = G.forward(latent)
        all_log_probs = log_probabilities(classifier, made)
        current = log_probs[step] = all_log_probs[:, digit]
        predicted[step] = all_log_probs.argmax(axis=1)
        if step == steps:
            break
        grad = latent_gradient(G, classifier, all_log_probs, digit)[:, :z_size]
        grad /= np.sqrt(np.mean(grad * grad, axis=1, keepdims=True)) + 1e-12   # RMS 1 per row
        pending = np.arange(n)                                # rows still looking for an uphill step
        for _ in range(tries + 1):
            trial = latent[pending]
            trial[:, :z_size] = np.clip(trial[:, :z_size] + rates[pending] * grad[pending], -1, 1)
            better = log_probabilities(classifier, G.forward(trial))[:, digit] > current[pending]
            latent[pending[better]] = trial[better]
            pending = pending[~better]
            if not len(pending):
                break
            rates[pending] /= 2
    return images, log_probs, predicted


def arrival_steps(predicted, digit):
    """Per row, the first step at which the classifier's top class is ``digit`` (-1: never), from the top
    classes ``predicted`` (steps + 1, n) along the paths."""
    reached = predicted == digit
    return np.where(reached.any(axis=0), reached.argmax(axis=0), -1)
