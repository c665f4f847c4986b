"""The gradient check of a whole network, shared by the model tests and the AC-GAN tests."""
import numpy as np

from npgan.gradcheck import numerical_gradient, relative_error
from npgan.norm import BatchNorm

MAX_ELEMENTS = 500  # larger parameter arrays are checked on this many random elements


def inert_biases(net):
    """Names of biases right before a BatchNorm: the normalisation cancels them, their gradient is 0."""
    return {f"{i}/b" for i, layer in enumerate(net.layers[:-1]) if isinstance(net.layers[i + 1], BatchNorm)}


def check(net, grads, loss, label, record_max_error, sample=None, rng=None, h=1e-6):
    """Compare ``grads`` (name -> analytic) with finite differences of ``loss``, element by element: all
    elements, or for big networks ``sample`` random elements of each parameter. (A random *direction* of
    all weights at once would nudge so many LeakyReLU inputs that some cross the kink at 0.) ``h``: the
    step; larger steps cross more kinks, smaller ones drown tiny gradients in rounding error."""
    for name, param, _ in net.parameters():
        analytic = grads[name].reshape(-1)
        if sample or param.size > MAX_ELEMENTS:
            indices = rng.choice(param.size, min(sample or MAX_ELEMENTS, param.size), replace=False)
            analytic, numeric = analytic[indices], numerical_gradient(loss, param, indices=indices)
        else:
            numeric = numerical_gradient(loss, param, h=h).reshape(-1)
        if name in inert_biases(net):
            assert np.abs(analytic).max() < 1e-12 and np.abs(numeric).max() < 1e-6, name  # 0, and 0 + noise
            continue
        error = relative_error(analytic, numeric)
        record_max_error(f"{label} {name}" + (" (sampled)" if sample else ""), error)
        assert error < 1e-6, (label, name)
