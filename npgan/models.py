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

from .conv import Conv2d, ConvTranspose2d
from .layers import (Dense, Dropout, Flatten, LabelChannels, LeakyReLU, Pack, ReLU, Reshape, Sequential, Sigmoid,
                     Tanh)
from .norm import BatchNorm
from .recipes import recipe

IMAGE_SHAPE = (1, 28, 28)
IMAGE_SIZE = 28 * 28
CLASSES = 10  # a conditional model's labels: MNIST's digits, Fashion-MNIST's ten kinds of item

LAYER_TYPES = {cls.__name__: cls for cls in (BatchNorm, Conv2d, ConvTranspose2d, Dense, Dropout, Flatten,
                                             LabelChannels, LeakyReLU, Pack, ReLU, Reshape, Sigmoid,
                                             Tanh)}


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
    classes = config.classes
    G = make_generator(config.z_size + classes, config.g_hidden, IMAGE_SIZE, config.alpha, rng=rng, dtype=dtype)
    D = make_discriminator(IMAGE_SIZE + classes, config.d_hidden, config.alpha, rng=rng, dtype=dtype)
    return G, D


# --- Beyond the tutorial -------------------------------------------------------------------------------------

def mlp_bn(config, rng, dtype):
    """``(G, D)`` of PyTorch-GAN's ``gan.py``: a deeper MLP generator with batch norm after each hidden layer
    but the first, and a wider MLP discriminator; LeakyReLU ``config.alpha``; PyTorch's initialisation.

        G: z -> 128 -> 256 BN -> 512 BN -> 1024 BN -> 784 tanh        D: 784 -> 512 -> 256 -> 1

    With ``config.info`` (InfoGAN), D is 784 -> 512 -> 256 BN -> 1 (+ Q's outputs).
    """
    classes, alpha = config.classes, config.alpha

    def dense(n_in, n_out):
        return Dense(n_in, n_out, init="pytorch", rng=rng, dtype=dtype)

    G = [dense(config.z_size + classes, 128), LeakyReLU(alpha)]
    for n_in, n_out in ((128, 256), (256, 512), (512, 1024)):
        G += [dense(n_in, n_out), BatchNorm(n_out, dtype=dtype), LeakyReLU(alpha)]
    G += [dense(1024, IMAGE_SIZE), Tanh()]
    # An InfoGAN's D has batch norm, as the paper's: judging a whole fake batch at once, it sees when G draws
    # near-copies for a code (which the information term alone rewards: G stopped using z) and resists.
    batch_norm = [BatchNorm(256, dtype=dtype)] if config.info else []
    D = [dense(IMAGE_SIZE + classes, 512), LeakyReLU(alpha), dense(512, 256), *batch_norm, LeakyReLU(alpha),
         dense(256, 1)]
    return Sequential(*G), Sequential(*D)


def dcgan(config, rng, dtype):
    """``(G, D)`` of a small DCGAN (Radford et al., 2016) of width ``w = config.width``; N(0, 0.02) weights.

        G: z -> Dense 2w*7*7 -> BN -> ReLU -> (2w, 7, 7) -> ConvT(2w, w, 4, 2, 1) -> BN -> ReLU
             -> ConvT(w, 1, 4, 2, 1) -> tanh                                 (7x7 -> 14x14 -> 28x28)
        D: (1, 28, 28) -> Conv(1, w, 4, 2, 1) -> LeakyReLU -> Conv(w, 2w, 4, 2, 1) -> BN -> LeakyReLU
             -> Flatten -> Dense 1                                           (28x28 -> 14x14 -> 7x7)

    The networks keep npgan's row interface: G ends with ``Flatten`` and D starts by reshaping its rows
    into images (conditional: ``LabelChannels`` adds a constant channel per class). D's batch norm is left
    out when ``config.critic_batch_norm`` is false (a Lipschitz-constrained critic, as in WGAN-GP).
    """
    w, classes, alpha = config.width, config.classes, config.alpha
    conv_args = dict(init="dcgan", rng=rng, dtype=dtype)
    G = Sequential(Dense(config.z_size + classes, 2 * w * 49, **conv_args), BatchNorm(2 * w * 49, dtype=dtype),
                   ReLU(), Reshape((2 * w, 7, 7)),
                   ConvTranspose2d(2 * w, w, 4, 2, 1, **conv_args), BatchNorm(w, dtype=dtype), ReLU(),
                   ConvTranspose2d(w, 1, 4, 2, 1, **conv_args), Tanh(), Flatten())
    D = Sequential(LabelChannels(IMAGE_SHAPE, classes) if classes else Reshape(IMAGE_SHAPE),
                   Conv2d(1 + classes, w, 4, 2, 1, **conv_args), LeakyReLU(alpha),
                   Conv2d(w, 2 * w, 4, 2, 1, **conv_args),
                   *([BatchNorm(2 * w, dtype=dtype)] if config.critic_batch_norm else []), LeakyReLU(alpha),
                   Flatten(), Dense(2 * w * 49, 1, **conv_args))
    return G, D


@dataclass(frozen=True)
class Model:
    """A named architecture: its builder, the hyperparameters it changes from the tutorial's, the config
    fields only it reads (a flag for another model's field is refused), the hyperparameters its
    conditional run changes on top of its defaults (``--conditional``), and the objective (loss and
    penalty, and any setting it changes in that loss's recipe) its plain run trains with: the best one
    measured, on top of its recipe (:data:`npgan.recipes.RECIPES`). The objective is the model's only when
    the run gives neither a loss nor a penalty and is neither conditional nor InfoGAN: those runs keep the
    loss they were measured with. ``info``: the hyperparameters its InfoGAN run (``--info``) changes."""

    build: Callable
    defaults: dict = field(default_factory=dict)
    options: tuple = ()
    summary: str = ""
    conditional: dict = field(default_factory=dict)
    objective: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)

    def settings(self, overrides):
        """The GANConfig fields of a run of this model given ``overrides`` (the flags), last wins: the
        model's defaults, its own objective (:meth:`own_objective`), its settings for a conditional or
        InfoGAN run (:attr:`conditional`, :attr:`info`), ``overrides``; then the recipe of the loss and
        penalty that makes (:func:`npgan.recipes.recipe`: optimizer, learning rate, constraint, D steps), on
        top of which the objective and ``overrides`` win again."""
        own = self.own_objective(overrides)
        variant = self.conditional if overrides.get("conditional") else self.info if overrides.get("info") else {}
        base = {**self.defaults, **own, **variant, **overrides}
        return {**base, **recipe(base.get("loss", "ns"), base.get("penalty", "none")), **own, **overrides}

    def own_objective(self, overrides):
        """The model's objective (with any setting it tunes beyond its recipe) for a run given ``overrides``
        (GANConfig fields); empty if ``overrides`` names a loss or penalty or is conditional or InfoGAN."""
        chosen = {"loss", "penalty", "conditional", "info"} & {name for name, value in overrides.items() if value}
        return {} if chosen else dict(self.objective)


MODELS = {
    # --conditional: the learning rates decay 3% an epoch (issue 18). At the tutorial's constant rate, the CNN
    # judge recognised 77.5% of the asked-for 9s after 100 epochs (speckled digits); with the decay every
    # digit clears 85% on seeds 0, 1, 3 and 4 (worst 86.4-91.1%; not seed 2, whose 8s reach 81.0%), at no
    # cost per epoch. The unconditional tutorial keeps its constant rate.
    "tutorial": Model(tutorial, {}, ("g_hidden", "d_hidden"),
                      "the tutorial's one-hidden-layer MLPs (G 100-128-784, D 784-128-1)",
                      conditional=dict(lr_decay=0.97)),
    # objective: the best of issue 16's twenty CPU-minute runs (README, "Twenty CPU-minutes each"). mlp-bn:
    # R1 (FID 4.5 against 10.0 for ns; every class >= 9.2%), on every 4th D step only (StyleGAN2's lazy R1:
    # 60 epochs instead of 55, the same figures) at twice the recipe's learning rate: FID 4.2, confident
    # 90.0% (89.5% at the recipe's settings), every class >= 8.8%. dcgan: hinge with spectral norm (26.2 against
    # 38.6), at 5 times its recipe's learning rate (19.6; 20.2 at 2.5 times): spectral norm keeps D's steps
    # tame, and in 20 minutes the DCGAN is short of steps, not of stability.
    "mlp-bn": Model(mlp_bn, dict(alpha=0.2, smooth=0.0, lr=2e-4, beta1=0.5, batch_size=64, ema=0.999), (),
                    "deeper MLPs with batch norm (G 100-128-256-512-1024-784, D 784-512-256-1)",
                    objective=dict(penalty="r1", penalty_every=4, lr=2e-4),
                    # --info: InfoGAN's D has batch norm (mlp_bn) and the continuous codes' weight is 0.1
                    # (PyTorch-GAN's): G keeps using z (FID 15-23 against 86 at 6.4 epochs, MLP judge, 2,000
                    # samples); z of 16 makes the codes a larger share of G's input (docs/infogan_probe.md).
                    # RMSprop, as the plain run's: as good as Adam on five seeds (README), and its two fewer
                    # passes over the weights bring --info's cost per epoch from 1.10x to 1.06x.
                    info=dict(z_size=16, info_continuous_weight=0.1, info_augment=0.25, optimizer="rmsprop")),
    "dcgan": Model(dcgan, dict(alpha=0.2, smooth=0.0, lr=2e-4, beta1=0.5, batch_size=64, ema=0.999), ("width",),
                   "a small convolutional GAN (DCGAN): transposed convolutions up, convolutions down",
                   objective=dict(loss="hinge", lr=1e-3)),
}


def model_spec(name):
    """The :class:`Model` called ``name``; ``ValueError`` naming the known ones otherwise."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r} (known: {', '.join(MODELS)})")
    return MODELS[name]


def build_pair(config, rng=None, dtype=np.float32):
    """Fresh ``(G, D)`` for ``config`` (a :class:`npgan.gan.GANConfig`: ``config.model`` names the model)."""
    return model_spec(config.model).build(config, np.random.default_rng(rng), dtype)
