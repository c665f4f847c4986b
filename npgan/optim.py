"""Adam, as TensorFlow 1's ``tf.train.AdamOptimizer`` ran it in the tutorial.

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
        self.scratch = np.empty(min(BLOCK, max(p.size for p, _ in self.buffers)), dtype=self.buffers[0][0].dtype) \
            if self.buffers else None
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
                np.multiply(g, g, out=tmp)
                V *= b2
                V += tmp                     # V = v / (1 - b2)
                np.sqrt(V, out=tmp)
                tmp += eps
                np.divide(M, tmp, out=tmp)
                tmp *= c
                p -= tmp                     # p -= lr_t m / (sqrt(v) + eps)

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
        expected = {"t"} | {f"{k}/{i}" for i in range(len(self.buffers)) for k in "MV"}
        if set(state) != expected:
            raise ValueError(f"Adam state does not fit this model: keys {sorted(state)}, expected {sorted(expected)}")
        for i, (p, _) in enumerate(self.buffers):
            for key in (f"M/{i}", f"V/{i}"):
                if np.shape(state[key]) != p.shape:
                    raise ValueError(f"Adam state does not fit this model: {key} has shape "
                                     f"{np.shape(state[key])}, the model needs {p.shape}")
        for i in range(len(self.buffers)):
            self.M[i][...] = state[f"M/{i}"]
            self.V[i][...] = state[f"V/{i}"]
        self.t = int(state["t"])


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
