"""Optimizers: Adam, as TensorFlow 1's ``tf.train.AdamOptimizer`` ran it in the tutorial; RMSprop (the
WGAN paper's); and the moving average of weights (EMA). Adam:

For each parameter ``p`` with gradient ``g``, step ``t = 1, 2, ...``:

    m <- beta1 m + (1 - beta1) g            running mean of gradients      (momentum)
    v <- beta2 v + (1 - beta2) g^2          running mean of squared grads  (per-parameter scale)
    lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)
    p <- p - lr_t m / (sqrt(v) + eps)

``m`` and ``v`` start at 0, so early on they are biased towards 0; dividing by ``1 - beta^t`` (folded into
``lr_t``) corrects that. This is the "efficient" form from the Adam paper that TF1 uses; it differs from
the paper's first form only in where the tiny ``eps`` sits.
"""
import math

import numpy as np


# Elements per block of an update. The passes of a step run block by block, so a block's arrays (5 x 256 KB
# for Adam) are still in the CPU's cache from one pass to the next: memory is read and written about once
# per step instead of once per pass (Adam over the 2 million weights of mlp-bn: 25% faster).
BLOCK = 1 << 16


def _buffers(model):
    """``(param, grad)`` arrays to update, flat: one pair for a ``Sequential``, else one per parameter."""
    if hasattr(model, "flat_params"):
        return [(model.flat_params, model.flat_grads)]
    return [(param.reshape(-1), grad.reshape(-1)) for _, param, grad in model.parameters()]


def _scratch(buffers):
    """One block's worth of working memory for an optimizer's passes (None for a model without parameters)."""
    return np.empty(min(BLOCK, max(p.size for p, _ in buffers)), dtype=buffers[0][0].dtype) if buffers else None


def _scaled_step(p, direction, g, squares, decay, c, eps, tmp):
    """The step Adam and RMSprop share, in place on one block: ``squares <- decay squares + g^2``, then
    ``p -= c direction / (sqrt(squares) + eps)`` (``tmp``: scratch of the block's size; five passes)."""
    np.multiply(g, g, out=tmp)
    squares *= decay
    squares += tmp
    np.sqrt(squares, out=tmp)
    tmp += eps
    np.divide(direction, tmp, out=tmp)
    tmp *= c
    p -= tmp


def _blocks(size):
    return [slice(start, start + BLOCK) for start in range(0, size, BLOCK)]


class Adam:
    """Adam over a layer's or a ``Sequential``'s parameters, updated in place from its ``grads``.

    ``step()`` reads the gradients as they are (call ``model.zero_grad()`` before each backward pass) and
    counts one step per call.

    Speed: every line of ``step`` is one pass over all parameters of a network (a ``Sequential`` keeps
    them in one flat array), so passes are what we count. We store ``M = m / (1 - beta1)`` and
    ``V = v / (1 - beta2)``: their updates ``M <- beta1 M + g`` and ``V <- beta2 V + g^2`` then need no
    scaling of ``g``, and the constants move into the scalar step size:
    ``lr_t m / (sqrt(v) + eps) = c M / (sqrt(V) + eps')`` with ``c = lr_t (1 - beta1) / sqrt(1 - beta2)``
    and ``eps' = eps / sqrt(1 - beta2)``. Ten passes instead of twelve, no temporary arrays, and each
    pass over a cache-sized block at a time (see ``BLOCK``).
    """

    def __init__(self, model, lr=0.002, beta1=0.9, beta2=0.999, eps=1e-8):
        if lr <= 0 or not 0 <= beta1 < 1 or not 0 <= beta2 < 1 or eps <= 0:
            raise ValueError(f"bad Adam hyperparameters: lr={lr}, beta1={beta1}, beta2={beta2}, eps={eps}")
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.buffers = _buffers(model)
        self.M = [np.zeros_like(p) for p, _ in self.buffers]
        self.V = [np.zeros_like(p) for p, _ in self.buffers]
        self.scratch = _scratch(self.buffers)
        self.t = 0

    def step(self):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        # Python floats, not NumPy float64 scalars: those would make float32 passes compute in float64.
        lr_t = self.lr * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        c = lr_t * (1 - b1) / math.sqrt(1 - b2)
        eps = self.eps / math.sqrt(1 - b2)
        for (params, grads), moments, squares in zip(self.buffers, self.M, self.V):
            for block in _blocks(params.size):
                p, g, M, V = params[block], grads[block], moments[block], squares[block]
                tmp = self.scratch[:p.size]
                M *= b1
                M += g                       # M = m / (1 - b1)
                _scaled_step(p, M, g, V, b2, c, eps, tmp)  # V = v / (1 - b2); p -= lr_t m / (sqrt(v) + eps)

    def state_dict(self):
        """Arrays to save (``np.savez``-friendly): the step count and the moments as stored (``M``, ``V``),
        so that a restored optimizer continues bit for bit."""
        state = {"t": np.array(self.t, dtype=np.int64)}
        for i, (M, V) in enumerate(zip(self.M, self.V)):
            state[f"M/{i}"] = M.copy()
            state[f"V/{i}"] = V.copy()
        return state

    def load_state_dict(self, state):
        """Restore what ``state_dict`` returned; raises ``ValueError`` if it belongs to another model."""
        _check_state(self, state, "MV")
        for i in range(len(self.buffers)):
            self.M[i][...] = state[f"M/{i}"]
            self.V[i][...] = state[f"V/{i}"]
        self.t = int(state["t"])


class RMSprop:
    """RMSprop (Hinton's lecture 6e), as PyTorch's ``torch.optim.RMSprop`` computes it: for each parameter
    ``p`` with gradient ``g``,

        s <- rho s + (1 - rho) g^2            running mean of squared gradients (s starts at 0)
        p <- p - lr g / (sqrt(s) + eps)

    Each weight's step is its gradient divided by that gradient's recent size, so every weight moves by
    about ``lr`` whatever its scale. Adam without the momentum ``m`` and without bias correction: the WGAN
    paper chose it because momentum made its critic unstable (Arjovsky et al. 2017, section 4).
    ``rho = 0.99`` and ``eps = 1e-8`` are PyTorch's defaults, which the WGAN code ran with.

    Speed: as for :class:`Adam`, we store ``S = s / (1 - rho)``, updated as ``S <- rho S + g^2``; then
    ``sqrt(s) = sqrt(1 - rho) sqrt(S)``, so ``lr g / (sqrt(s) + eps) = c g / (sqrt(S) + eps')`` with
    ``c = lr / sqrt(1 - rho)`` and ``eps' = eps / sqrt(1 - rho)``: seven passes, block by block.
    """

    def __init__(self, model, lr=5e-5, rho=0.99, eps=1e-8):
        if lr <= 0 or not 0 <= rho < 1 or eps <= 0:
            raise ValueError(f"bad RMSprop hyperparameters: lr={lr}, rho={rho}, eps={eps}")
        self.lr, self.rho, self.eps = lr, rho, eps
        self.buffers = _buffers(model)
        self.S = [np.zeros_like(p) for p, _ in self.buffers]
        self.scratch = _scratch(self.buffers)
        self.t = 0

    def step(self):
        self.t += 1
        c = self.lr / math.sqrt(1 - self.rho)  # Python floats: float32 passes stay float32
        eps = self.eps / math.sqrt(1 - self.rho)
        for (params, grads), squares in zip(self.buffers, self.S):
            for block in _blocks(params.size):
                p, g, S = params[block], grads[block], squares[block]
                tmp = self.scratch[:p.size]
                _scaled_step(p, g, g, S, self.rho, c, eps, tmp)  # S = s / (1 - rho); p -= lr g / (sqrt(s) + eps)

    def state_dict(self):
        """The step count and the running means as stored (``S``): a restored optimizer continues bit for bit."""
        return {"t": np.array(self.t, dtype=np.int64), **{f"S/{i}": S.copy() for i, S in enumerate(self.S)}}

    def load_state_dict(self, state):
        """Restore what ``state_dict`` returned; raises ``ValueError`` if it belongs to another model."""
        _check_state(self, state, "S")
        for i, S in enumerate(self.S):
            S[...] = state[f"S/{i}"]
        self.t = int(state["t"])


def _check_state(opt, state, names):
    """``ValueError`` unless ``state`` holds ``"t"`` and, for each letter of ``names`` and each parameter
    array ``i`` of ``opt``, an array ``f"{letter}/{i}"`` of that parameter's shape."""
    kind = type(opt).__name__
    expected = {"t"} | {f"{k}/{i}" for i in range(len(opt.buffers)) for k in names}
    if set(state) != expected:
        raise ValueError(f"{kind} state does not fit this model: keys {sorted(state)}, expected {sorted(expected)}")
    for i, (p, _) in enumerate(opt.buffers):
        for key in (f"{k}/{i}" for k in names):
            if np.shape(state[key]) != p.shape:
                raise ValueError(f"{kind} state does not fit this model: {key} has shape "
                                 f"{np.shape(state[key])}, the model needs {p.shape}")


OPTIMIZERS = {"adam": Adam, "rmsprop": RMSprop}


class EMA:
    """Exponential moving average of a network's weights (Polyak averaging), kept in a twin network.

    After each training step of ``model``, ``update()`` moves the twin ``average`` a little towards it:

        avg <- decay avg + (1 - decay) p        i.e.  avg_t = sum_k (1 - decay) decay^(t-k) p_k  (+ decay^t p_0)

    so the average forgets old weights with a time constant of ``1 / (1 - decay)`` steps. A GAN's
    generator keeps circling around a good solution as D and G chase each other; the average sits nearer
    its centre, and its samples are usually cleaner than any single step's. Only ``params`` are averaged:
    batch-norm statistics must be re-estimated for the averaged weights.
    """

    def __init__(self, model, average, decay):
        if not 0 < decay < 1:
            raise ValueError(f"EMA decay must be in (0, 1), got {decay}")
        self.decay = decay
        self.source, self.target = model.flat_params, average.flat_params
        if self.source.shape != self.target.shape:
            raise ValueError("EMA: the average must be a twin of the model (same parameters)")
        self.target[...] = self.source
        self.scratch = np.empty(min(BLOCK, self.source.size), dtype=self.source.dtype)

    def update(self):
        # avg += (1 - decay) (p - avg): three passes, block by block, no temporaries.
        for block in _blocks(self.source.size):
            p, avg = self.source[block], self.target[block]
            tmp = self.scratch[:p.size]
            np.subtract(p, avg, out=tmp)
            tmp *= 1.0 - self.decay
            avg += tmp
