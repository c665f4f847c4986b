"""Sigmoid and binary cross-entropy on logits, written to be exact and finite for any finite input.

The tutorial's ``tf.nn.sigmoid_cross_entropy_with_logits`` takes *logits* ``x`` rather than probabilities
``p = sigmoid(x)``, because ``-t log p - (1 - t) log(1 - p)`` computed from ``p`` loses everything once
``p`` rounds to 0 or 1. Written in ``x`` it simplifies to

    loss(x, t) = x - x t + log(1 + exp(-x))                      (for any x)
               = max(x, 0) - x t + log(1 + exp(-|x|))             (the same, rearranged so exp never overflows)

and its derivative is the famous ``dloss/dx = sigmoid(x) - t``.
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
