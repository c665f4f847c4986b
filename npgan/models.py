"""Named GAN architectures, and networks rebuilt from their description.

Every generator maps rows to rows and every discriminator rows to logits, whatever is inside:

    G: (N, z_size [+ classes]) -> (N, 784) images in (-1, 1)
    D: (N, 784 [+ classes])    -> (N, 1) logits

so the training loop, the saved samples and the files never depend on the model. A conditional model
(``classes > 0``) receives the one-hot label after z (generator) or after the image (discriminator).

A network's *description* is the list of its layers as ``{"type": class name, **layer.config()}``. It is
stored as JSON in every saved file, so :func:`build` rebuilds a generator without the code that trained it.
"""
import inspect
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .layers import Dense, LeakyReLU, Sequential, Sigmoid, Tanh

IMAGE_SIZE = 28 * 28
CLASSES = 10  # a conditional model's labels: MNIST's digits, Fashion-MNIST's ten kinds of item

LAYER_TYPES = {cls.__name__: cls for cls in (Dense, LeakyReLU, Sigmoid, Tanh)}


def describe(net):
    """The description of a ``Sequential``: one ``{"type": ..., **config}`` dict per layer (JSON-friendly)."""
    return [{"type": type(layer).__name__, **layer.config()} for layer in net.layers]


def build(description, *, dtype=np.float32):
    """A ``Sequential`` of the shape ``description`` gives (freshly initialised; load weights into it).

    Raises ``ValueError`` for an unknown layer type or arguments that do not fit it.
    """
    layers = []
    for spec in description:
        spec = dict(spec)
        kind = spec.pop("type", None)
        cls = LAYER_TYPES.get(kind)
        if cls is None:
            raise ValueError(f"unknown layer type {kind!r} (known: {', '.join(sorted(LAYER_TYPES))})")
        if "dtype" in inspect.signature(cls).parameters:
            spec["dtype"] = dtype
        try:
            layers.append(cls(**spec))
        except TypeError as err:
            raise ValueError(f"cannot build {kind} from {spec}: {err}") from None
    return Sequential(*layers)


# --- The tutorial's networks -------------------------------------------------------------------------------

def make_generator(z_size=100, hidden=128, image_size=IMAGE_SIZE, alpha=0.01, *, rng=None, dtype=np.float32):
    """The tutorial's G: z (N, z_size) -> Dense hidden -> LeakyReLU -> Dense image_size -> tanh."""
    rng = np.random.default_rng(rng)
    return Sequential(Dense(z_size, hidden, rng=rng, dtype=dtype), LeakyReLU(alpha),
                      Dense(hidden, image_size, rng=rng, dtype=dtype), Tanh())


def make_discriminator(image_size=IMAGE_SIZE, hidden=128, alpha=0.01, *, rng=None, dtype=np.float32):
    """The tutorial's D: images (N, image_size) -> Dense hidden -> LeakyReLU -> Dense 1, a logit per image;
    ``sigmoid(logit)`` is D's belief that the image is real."""
    rng = np.random.default_rng(rng)
    return Sequential(Dense(image_size, hidden, rng=rng, dtype=dtype), LeakyReLU(alpha),
                      Dense(hidden, 1, rng=rng, dtype=dtype))


def tutorial(config, rng, dtype):
    """``(G, D)`` of the tutorial (``config.g_hidden``, ``config.d_hidden``, ``config.alpha``)."""
    classes = CLASSES if config.conditional else 0
    G = make_generator(config.z_size + classes, config.g_hidden, IMAGE_SIZE, config.alpha, rng=rng, dtype=dtype)
    D = make_discriminator(IMAGE_SIZE + classes, config.d_hidden, config.alpha, rng=rng, dtype=dtype)
    return G, D


@dataclass(frozen=True)
class Model:
    """A named architecture: its builder, the hyperparameters it changes from the tutorial's, and the
    config fields only it reads (a flag for another model's field is refused)."""

    build: Callable
    defaults: dict = field(default_factory=dict)
    options: tuple = ()
    summary: str = ""


MODELS = {
    "tutorial": Model(tutorial, {}, ("g_hidden", "d_hidden"),
                      "the tutorial's one-hidden-layer MLPs (G 100-128-784, D 784-128-1)"),
}


def build_pair(config, rng=None, dtype=np.float32):
    """Fresh ``(G, D)`` for ``config`` (a :class:`npgan.gan.GANConfig`: ``config.model`` names the model)."""
    if config.model not in MODELS:
        raise ValueError(f"unknown model {config.model!r} (known: {', '.join(MODELS)})")
    return MODELS[config.model].build(config, np.random.default_rng(rng), dtype)
