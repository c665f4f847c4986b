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
"""
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
