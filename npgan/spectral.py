"""Spectral normalisation (Miyato et al. 2018): each weight of a critic divided by its largest singular value.

**Why.** A layer ``x -> x W`` stretches no input by more than ``sigma(W)``, the largest singular value of
``W``; LeakyReLU and ReLU stretch nothing (slopes at most 1). So a critic whose every weight has
``sigma = 1`` is 1-Lipschitz: ``|D(x) - D(y)| <= ||x - y||``, the constraint the Wasserstein critic needs,
here enforced for every input at once instead of by clipping weights or penalising gradients at samples.
A weight ``W`` is trained as it is, and the layer computes with ``W_sn = W / sigma(W)``.

**The matrix.** ``A = W.reshape(len(W), -1)``: a Dense weight as it is, ``(in, out)``; a convolution's
``(out, in, kh, kw)`` as ``(out, in*kh*kw)``, one row per output channel (Miyato et al.'s choice: it is not
the convolution's exact operator norm, but bounds it up to a factor of the kernel's overlap).

**Power iteration.** ``v <- A^T u / ||A^T u||``, ``u <- A v / ||A v||`` turns a unit vector ``u`` towards the
top left singular vector (the other directions shrink by ``(sigma_2 / sigma_1)^2`` per iteration). The
weights change little from one training step to the next, so one iteration per step, starting from the
last step's ``u``, keeps ``u`` on target: the ``u`` kept as a buffer (and saved in checkpoints) is the
whole memory of the method. The forward pass then uses, with ``u`` fixed::

    v = A^T u / ||A^T u||,      sigma = u^T A v = ||A^T u||

(at most the true ``sigma_1``, and equal once ``u`` has converged).

**Backward.** The wrapped layer's own backward pass gives ``G = dL/dW_sn``; we need ``dL/dW``, through both
the numerator and ``sigma``. With ``u`` held fixed, ``sigma^2 = u^T A A^T u``, whose gradient is
``2 u (A^T u)^T``, so ``d sigma / dA = u (A^T u)^T / sigma = u v^T``. Then for ``A_sn = A / sigma``::

    dL/dA = G / sigma - <G, A> / sigma^2 * d sigma/dA  =  (G - <G, A_sn> u v^T) / sigma

The first term is the plain gradient, rescaled; the second removes its component along ``u v^T``, the one
direction that changes ``sigma`` itself (scaling ``W`` leaves ``W_sn`` unchanged, and indeed
``<dL/dA, A> = 0``). PyTorch's ``spectral_norm`` treats ``u`` and ``v`` as constants the same way; at
``v = A^T u / ||A^T u||`` the two agree, since ``u^T A v`` is largest over unit ``v`` there.
"""
import numpy as np

from .layers import Layer, Sequential

INITIAL_ITERATIONS = 15  # from a random u, before the first step (PyTorch's parametrization does the same)
TINY = 1e-12             # a floor for norms: an all-zero weight must not divide by zero


def _normalize(x):
    """``x / ||x||`` (the zero vector stays zero)."""
    return x / max(float(np.sqrt(np.dot(x, x))), TINY)


class SpectralNorm(Layer):
    """A layer with a weight ``params["W"]`` (Dense, Conv2d), computing with ``W / sigma(W)`` instead.

    ``params`` and ``grads`` are the wrapped layer's (the raw ``W``, the bias): the optimizer trains those
    and never sees ``W_sn``. ``buffers["u"]``: the power iteration's vector, of size ``len(W)``, advanced
    only by :meth:`power_iteration` (the trainer calls it once per D step), so a forward pass changes no
    state. The wrapped layer computes with ``W_sn`` and writes its weight gradient ``dL/dW_sn`` into a
    scratch array, from which :meth:`backward` derives ``dL/dW`` (module docstring).
    """

    def __init__(self, layer, *, rng=None):
        super().__init__()
        if "W" not in layer.params:
            raise ValueError(f"spectral norm needs a layer with a weight W, got {layer!r}")
        self.layer = layer
        self.params, self.grads = dict(layer.params), dict(layer.grads)
        W = layer.params["W"]
        self.normalized, self.normalized_grad, self.scratch = np.empty_like(W), np.zeros_like(W), np.empty_like(W)
        u = np.random.default_rng(rng).standard_normal(len(W))
        self.buffers["u"] = _normalize(u).astype(W.dtype)
        for _ in range(INITIAL_ITERATIONS):
            self.power_iteration()

    def config(self):
        return {"layer": {"type": type(self.layer).__name__, **self.layer.config()}}

    def train(self, mode=True):
        self.layer.train(mode)
        return super().train(mode)

    def matrix(self):
        """``A``: the weight as a matrix, ``(len(W), W.size / len(W))`` (a view)."""
        W = self.params["W"]
        return W.reshape(len(W), -1)

    def power_iteration(self):
        """One step ``v = normalize(A^T u)``, ``u <- normalize(A v)``, in place in ``buffers["u"]``."""
        A, u = self.matrix(), self.buffers["u"]
        u[...] = _normalize(np.dot(A, _normalize(np.dot(u, A))))

    def sigma(self):
        """The estimate of ``A``'s largest singular value from the current ``u``: ``||A^T u||``."""
        Atu = np.dot(self.buffers["u"], self.matrix())
        return float(np.sqrt(np.dot(Atu, Atu)))

    def forward(self, x):
        A, u = self.matrix(), self.buffers["u"]
        Atu = np.dot(u, A)
        self.last_sigma = max(float(np.sqrt(np.dot(Atu, Atu))), TINY)
        self.v = Atu / self.last_sigma
        np.multiply(self.params["W"], 1 / self.last_sigma, out=self.normalized)
        # Sequential rebinds our params/grads to views of its flat arrays, so the wrapped layer is pointed
        # at them here, each pass: W_sn and its gradient's scratch in place of W, the rest shared.
        self.layer.params = {**self.params, "W": self.normalized}
        self.layer.grads = {**self.grads, "W": self.normalized_grad}
        return self.layer.forward(x)

    def backward(self, dy, *, input_grad=True, param_grads=True):
        """``dy`` -> ``dx`` by the wrapped layer's backward pass (with ``W_sn``); its bias gradient goes straight
        into ``grads["b"]``, its ``dL/dW_sn`` through :meth:`_add_weight_grad`."""
        if not param_grads:  # passed through (G's step): W_sn's gradient is not wanted
            return self.layer.backward(dy, input_grad=input_grad, param_grads=False)
        self.normalized_grad.fill(0)
        dx = self.layer.backward(dy, input_grad=input_grad)
        self._add_weight_grad()
        return dx

    def double_backward(self, v, dy):
        """For the gradient penalty (:mod:`npgan.penalties`): the wrapped layer's second-order pass with
        ``W_sn``; the ``dP/dW_sn`` it produces reaches ``W`` by the same formula as any ``dL/dW_sn`` (it is
        the chain rule through ``W_sn = W / sigma(W)``, whatever the scalar)."""
        self.normalized_grad.fill(0)
        dv = self.layer.double_backward(v, dy)
        self._add_weight_grad()
        return dv

    def _add_weight_grad(self):
        """``grads["W"] += (G - <G, W_sn> u v^T) / sigma`` with ``G = dL/dW_sn`` (module docstring)."""
        G = self.normalized_grad.reshape(len(self.normalized_grad), -1)
        along = float(np.vdot(G, self.normalized.reshape(G.shape)))  # <G, A_sn>
        correction = self.scratch.reshape(G.shape)
        np.multiply(self.buffers["u"][:, None], self.v * along, out=correction)  # <G, A_sn> u v^T
        np.subtract(G, correction, out=correction)
        correction *= 1 / self.last_sigma
        self.grads["W"] += self.scratch


def spectral_norm(net, rng=None):
    """A ``Sequential`` of ``net``'s layers with every layer that has a weight ``W`` wrapped in
    :class:`SpectralNorm` (the same layer objects; ``net`` itself must no longer be used)."""
    rng = np.random.default_rng(rng)
    return Sequential(*(SpectralNorm(layer, rng=rng) if "W" in layer.params else layer for layer in net.layers))


def spectral_layers(net):
    """The :class:`SpectralNorm` layers of ``net`` (a ``Sequential``), first to last."""
    return [layer for layer in net.layers if isinstance(layer, SpectralNorm)]
