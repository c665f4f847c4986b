"""Sigmoid and binary cross-entropy on logits, written to be exact and finite for any finite input.

The tutorial's ``tf.nn.sigmoid_cross_entropy_with_logits`` takes *logits* ``x`` rather than probabilities
``p = sigmoid(x)``, because ``-t log p - (1 - t) log(1 - p)`` computed from ``p`` loses everything once
``p`` rounds to 0 or 1. Written in ``x`` it simplifies to

    loss(x, t) = x - x t + log(1 + exp(-x))                      (for any x)
               = max(x, 0) - x t + log(1 + exp(-|x|))             (the same, rearranged so exp never overflows)

and its derivative is the famous ``dloss/dx = sigmoid(x) - t``.

For K classes (the evaluator's digit classifier) the same idea gives softmax cross-entropy: with
``log_softmax(x)_k = x_k - logsumexp(x)``, the loss of a row with label ``y`` is ``logsumexp(x) - x_y`` and its
derivative is ``softmax(x) - onehot(y)``. Subtracting the row's maximum before ``exp`` changes nothing
(softmax is shift-invariant) and keeps every ``exp`` in (0, 1].

The GAN objectives at the end of this file are the pairs (D's loss, G's loss) that the field tried after the
original paper's; each is written on D's raw outputs (logits, or a critic's scores) with its gradient.
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np


def sigmoid(x):
    """``1 / (1 + exp(-x))`` for an array of any shape, without overflow."""
    x = np.asarray(x)
    return _sigmoid(x, np.exp(-np.abs(x)))


def _sigmoid(x, e):
    """Sigmoid from ``e = exp(-|x|)``, which is in (0, 1]: ``1 / (1 + e)`` for ``x >= 0``, ``e / (1 + e)``
    for ``x < 0`` (multiply top and bottom by ``exp(x)``); neither form can overflow."""
    return np.where(x >= 0, 1, e) / (1 + e)


def bce_with_logits(logits, targets):
    """Mean binary cross-entropy of ``sigmoid(logits)`` against ``targets`` in [0, 1].

    Parameters
    ----------
    logits : array, any shape
    targets : array of the same shape, or a scalar (label smoothing uses 0.9 for "real")

    Returns
    -------
    loss : float
        ``mean(max(x, 0) - x t + log1p(exp(-|x|)))``.
    dlogits : array like ``logits``
        ``(sigmoid(x) - t) / x.size``: the gradient of the mean.
    """
    x = np.asarray(logits, dtype=np.result_type(logits, np.float32))
    t = np.asarray(targets, dtype=x.dtype)
    if not x.size:
        raise ValueError("bce_with_logits needs at least one logit")
    e = np.exp(-np.abs(x))  # shared by the loss and the gradient
    loss = np.maximum(x, 0) - x * t + np.log1p(e)
    dlogits = (_sigmoid(x, e) - t) / x.size
    return float(loss.sum(dtype=np.float64)) / x.size, dlogits


def log_softmax(logits):
    """``x - logsumexp(x)`` along the last axis (log-probabilities of K classes), finite for any finite ``x``."""
    x = np.asarray(logits)
    shifted = x - x.max(axis=-1, keepdims=True)  # largest entry 0: exp cannot overflow
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(logits):
    """Class probabilities ``exp(x_k) / sum_j exp(x_j)`` along the last axis; rows sum to 1."""
    return np.exp(log_softmax(logits))


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of ``softmax(logits)`` against integer class ``labels``.

    Parameters
    ----------
    logits : array (N, K)
    labels : integer array (N,), values in 0..K-1

    Returns
    -------
    loss : float
        ``mean_n(logsumexp(x_n) - x_n,y_n)``, i.e. ``-mean log p(y_n | x_n)``.
    dlogits : array (N, K) like ``logits``
        ``(softmax(x) - onehot(y)) / N``: the gradient of the mean (each row sums to 0).
    """
    x = np.asarray(logits, dtype=np.result_type(logits, np.float32))
    labels = np.asarray(labels)
    if x.ndim != 2 or labels.shape != (len(x),) or not len(x):
        raise ValueError(f"need logits (N, K) and labels (N,) with N >= 1, got {x.shape} and {labels.shape}")
    rows = np.arange(len(x))
    log_probs = log_softmax(x)
    dlogits = np.exp(log_probs)
    dlogits[rows, labels] -= 1
    dlogits /= len(x)
    return -float(log_probs[rows, labels].sum(dtype=np.float64)) / len(x), dlogits


# --- GAN objectives: D's and G's losses on D's raw outputs -------------------------------------------------
#
# D's loss is a sum of a term on real data and a term on G's samples; G's loss is a term on its samples.
# Each term is a function of D's raw outputs ``x`` (logits, or a critic's scores: an array of any shape,
# one value per judged example) returning ``(loss, dloss/dx)``; the loss is a mean over the examples and the
# gradient carries the 1/N. ``smooth`` is label smoothing (real data gets the target 1 - smooth), which only
# the BCE objectives use. Written as separate terms, the real and the fake half can each be back-propagated
# on its own (a D with batch norm sees them in separate batches).


def _bce_real(x, smooth=0.0):
    """D calls real data real: BCE(D(x), 1 - smooth)."""
    return bce_with_logits(x, 1 - smooth)


def _bce_fake(x):
    """D calls fakes fake: BCE(D(G(z)), 0)."""
    return bce_with_logits(x, 0.0)


def _ns_generator(x):
    """Non-saturating G: maximise log D(G(z)), i.e. minimise BCE(D(G(z)), 1). Its gradient
    ``(sigmoid(x) - 1) / N`` is largest exactly where D rejects the fakes (x very negative): G learns
    fastest when it is worst."""
    return bce_with_logits(x, 1.0)


def _minimax_generator(x):
    """The original paper's G: minimise log(1 - D(G(z))) = -BCE(D(G(z)), 0), the negative of D's fake term.

    Its gradient is ``-sigmoid(x) / N``: when D confidently rejects the fakes (x very negative, early in
    training) it is nearly 0 and G barely moves. That is the *saturation* the non-saturating loss avoids."""
    loss, grad = bce_with_logits(x, 0.0)
    return -loss, np.negative(grad, out=grad)


def _squared_distance(x, target):
    """``0.5 mean((x - target)^2)`` and its gradient ``(x - target) / N``: least squares (Mao et al. 2017)
    regresses D's output to 1 for real data and 0 for fakes (D), and G's fakes to 1 (G). Unlike BCE, a fake far
    on the real side of D's boundary is still pulled towards the target: the gradient vanishes only there."""
    diff = x - target
    return 0.5 * _mean(diff * diff), diff / x.size


def _hinge(margin, sign):
    """``mean(relu(margin))`` with ``margin = 1 + sign * x``: the hinge (SN-GAN, BigGAN) pushes D's score of real
    data above 1 (sign -1) and of fakes below -1 (sign +1); beyond the margin an example's gradient is 0."""
    return _mean(np.maximum(margin, 0)), np.multiply(margin > 0, sign / margin.size, dtype=margin.dtype)


def _mean_score(x, sign):
    """``sign * mean(x)`` and its constant gradient ``sign / N``: the Wasserstein critic maximises
    ``mean(D(x)) - mean(D(G(z)))`` (it minimises the negative: sign -1 on real, +1 on fakes), and the hinge and
    Wasserstein generators raise the critic's score of their samples (sign -1). For a 1-Lipschitz D the critic's
    maximum is the earth mover's distance between the distributions; without a constraint (clipping, a
    penalty, spectral norm) D could grow it without bound."""
    return sign * _mean(x), np.full_like(x, sign / x.size)


def _mean(values):
    """The mean as a Python float, summed in float64 (as ``bce_with_logits`` does)."""
    return float(values.sum(dtype=np.float64)) / values.size


@dataclass(frozen=True)
class Objective:
    """A GAN objective: ``d_real(x, smooth)`` and ``d_fake(x)``, whose sum D minimises, and ``g(x)``, which G
    minimises through D; each returns ``(loss, gradient)`` (see the comment above)."""

    d_real: Callable
    d_fake: Callable
    g: Callable
    summary: str

    def d_loss(self, real, fake, smooth=0.0):
        """D's loss on outputs for real data and for fakes: ``(loss, (d_real, d_fake))``."""
        loss_real, grad_real = self.d_real(real, smooth)
        loss_fake, grad_fake = self.d_fake(fake)
        return loss_real + loss_fake, (grad_real, grad_fake)


OBJECTIVES = {
    "ns": Objective(_bce_real, _bce_fake, _ns_generator,
                    "non-saturating BCE: the tutorial's (Goodfellow et al. 2014)"),
    "minimax": Objective(_bce_real, _bce_fake, _minimax_generator,
                         "the original minimax BCE: G minimises log(1 - D(G(z))), which saturates"),
    "lsgan": Objective(lambda x, smooth=0.0: _squared_distance(x, 1.0), lambda x: _squared_distance(x, 0.0),
                       lambda x: _squared_distance(x, 1.0), "least squares (Mao et al. 2017)"),
    "hinge": Objective(lambda x, smooth=0.0: _hinge(1 - x, -1.0), lambda x: _hinge(1 + x, 1.0),
                       lambda x: _mean_score(x, -1.0), "hinge, as in SN-GAN and BigGAN"),
    "wgan": Objective(lambda x, smooth=0.0: _mean_score(x, -1.0), lambda x: _mean_score(x, 1.0),
                      lambda x: _mean_score(x, -1.0),
                      "Wasserstein critic (Arjovsky et al. 2017); needs a Lipschitz constraint"),
}


def objective(name):
    """The :class:`Objective` called ``name``; ``ValueError`` naming the known ones otherwise."""
    if name not in OBJECTIVES:
        raise ValueError(f"unknown loss {name!r} (known: {', '.join(OBJECTIVES)})")
    return OBJECTIVES[name]
