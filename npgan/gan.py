"""The tutorial's GAN, composed from npgan's layers, loss and optimizer.

    G: z (z_size, Uniform(-1, 1)) -> Dense g_hidden -> LeakyReLU -> Dense 784 -> tanh   (an image in [-1, 1])
    D: image (784)                -> Dense d_hidden -> LeakyReLU -> Dense 1             (a logit: real or fake?)

One training step, on a batch of real images and one batch of noise ``z``:

1. D step: D sees real images (target 1 - smooth, label smoothing) and G's fakes (target 0);
   ``d_loss = BCE(D(real), 0.9) + BCE(D(G(z)), 0)``, and only D's weights move.
2. G step: G wants D to call its fakes real; ``g_loss = BCE(D(G(z)), 1)``. The gradient flows back
   *through* D (whose weights stay put) into G, and only G's weights move.

Work the step does not need is skipped: D's input gradient in the D step, D's weight gradients in the
G step, G's gradient with respect to z, and a second forward pass of G (G has not changed between the two
steps, so its forward pass from step 1 serves step 2).
"""
import json
import os
import zipfile
import zlib
from dataclasses import asdict, dataclass

import numpy as np

from .layers import Dense, LeakyReLU, Sequential, Tanh
from .losses import bce_with_logits
from .optim import Adam

IMAGE_SIZE = 28 * 28


@dataclass
class GANConfig:
    """The tutorial's hyperparameters, as defaults."""

    z_size: int = 100
    g_hidden: int = 128
    d_hidden: int = 128
    alpha: float = 0.01  # LeakyReLU slope for x < 0
    smooth: float = 0.1  # label smoothing: real images get the target 1 - smooth
    lr: float = 0.002
    beta1: float = 0.9
    batch_size: int = 100
    epochs: int = 100
    seed: int = 0
    image_size: int = IMAGE_SIZE


def make_generator(z_size=100, hidden=128, image_size=IMAGE_SIZE, alpha=0.01, *, rng=None, dtype=np.float32):
    """z (N, z_size) -> images (N, image_size) in (-1, 1)."""
    rng = np.random.default_rng(rng)
    return Sequential(Dense(z_size, hidden, rng=rng, dtype=dtype), LeakyReLU(alpha),
                      Dense(hidden, image_size, rng=rng, dtype=dtype), Tanh())


def make_discriminator(image_size=IMAGE_SIZE, hidden=128, alpha=0.01, *, rng=None, dtype=np.float32):
    """images (N, image_size) -> logits (N, 1); ``sigmoid(logit)`` is D's belief that the image is real."""
    rng = np.random.default_rng(rng)
    return Sequential(Dense(image_size, hidden, rng=rng, dtype=dtype), LeakyReLU(alpha),
                      Dense(hidden, 1, rng=rng, dtype=dtype))


def sample_z(rng, n, z_size, dtype=np.float32):
    """Latent vectors, Uniform(-1, 1) as in the tutorial: shape (n, z_size), drawn directly in ``dtype``."""
    z = rng.random((n, z_size), dtype=dtype)  # [0, 1)
    z *= 2
    z -= 1
    return z


def to_unit_range(images_u8, dtype=np.float32):
    """uint8 pixels (N, 28, 28) or (N, 784) in [0, 255] -> rows (N, 784) in [-1, 1], tanh's range."""
    x = np.multiply(images_u8.reshape(len(images_u8), -1), 2 / 255, dtype=dtype)
    x -= 1
    return x


class GAN:
    """Generator, discriminator and their two Adam optimizers, with one ``train_step``."""

    def __init__(self, config=None, *, dtype=np.float32):
        self.config = config = config or GANConfig()
        rng = np.random.default_rng(config.seed)
        self.G = make_generator(config.z_size, config.g_hidden, config.image_size, config.alpha, rng=rng, dtype=dtype)
        self.D = make_discriminator(config.image_size, config.d_hidden, config.alpha, rng=rng, dtype=dtype)
        self.g_opt = Adam(self.G, lr=config.lr, beta1=config.beta1)
        self.d_opt = Adam(self.D, lr=config.lr, beta1=config.beta1)

    def train_step(self, real, z):
        """One D step then one G step on ``real`` (N, 784) in [-1, 1] and ``z`` (N, z_size).

        Returns ``(d_loss, g_loss)`` as computed inside the step (each before its network's update).
        """
        fake = self.G.forward(z)
        d_loss = self.d_step(real, fake)
        g_loss = self.g_step(fake)  # G has not changed since it made ``fake``: no second forward pass
        return d_loss, g_loss

    def d_step(self, real, fake):
        """Update D on ``real`` (target 1 - smooth) and ``fake`` (target 0) images; returns d_loss."""
        n = len(real)
        logits = self.D.forward(np.concatenate([real, fake]))  # one batch of 2n rows: one larger matmul
        loss_real, d_real = bce_with_logits(logits[:n], 1 - self.config.smooth)
        loss_fake, d_fake = bce_with_logits(logits[n:], 0.0)
        self.D.zero_grad()
        self.D.backward(np.concatenate([d_real, d_fake]), input_grad=False)  # D's input needs no gradient
        self.d_opt.step()
        return loss_real + loss_fake

    def g_step(self, fake):
        """Update G so that D calls ``fake`` real (target 1); returns g_loss.

        ``fake`` must be the output of G's latest ``forward``, whose cache the backward pass uses.
        """
        loss, d_logits = bce_with_logits(self.D.forward(fake), 1.0)
        d_fake = self.D.backward(d_logits, param_grads=False)  # through D, leaving D's gradients alone
        self.G.zero_grad()
        self.G.backward(d_fake, input_grad=False)  # z needs no gradient
        self.g_opt.step()
        return loss

    def losses(self, real, z):
        """``(d_loss, g_loss)`` of the current networks on a batch, changing nothing (the tutorial's print)."""
        fake = self.G.forward(z)
        d_loss = bce_with_logits(self.D.forward(real), 1 - self.config.smooth)[0]
        fake_logits = self.D.forward(fake)
        return d_loss + bce_with_logits(fake_logits, 0.0)[0], bce_with_logits(fake_logits, 1.0)[0]

    def generate(self, z):
        """Images (N, 784) in (-1, 1) for latent vectors ``z`` (N, z_size)."""
        return self.G.forward(z)


# --- Saving and loading (np.savez; loading never unpickles) ------------------------------------------------

class CheckpointError(ValueError):
    """A checkpoint file that is missing, unreadable, or does not fit the model."""


GENERATOR_FORMAT = "npgan-generator-1"


def generator_arrays(G, config):
    """The arrays of ``generator.npz``: G's parameters by name and the config needed to rebuild G."""
    meta = {"format": GENERATOR_FORMAT, "z_size": config.z_size, "g_hidden": config.g_hidden,
            "image_size": config.image_size, "alpha": config.alpha}
    return {"config": np.array(json.dumps(meta)), **{name: p for name, p in G.params.items()}}


def load_generator(path):
    """Rebuild the generator saved in ``path`` (``generator.npz`` or ``checkpoint.npz``).

    Returns ``(G, meta)`` with ``meta`` the dict of sizes it was built with. Raises ``CheckpointError``
    naming the file and the problem.
    """
    arrays = read_npz(path)
    prefix = "G/" if "G/0/W" in arrays else ""
    meta = _json_entry(arrays, "config" if not prefix else "gan_config", path)
    try:
        G = make_generator(int(meta["z_size"]), int(meta["g_hidden"]), int(meta["image_size"]), float(meta["alpha"]))
    except (KeyError, TypeError, ValueError) as err:
        raise CheckpointError(f"{path}: generator config is incomplete or invalid ({err})") from None
    copy_params(G, arrays, path, prefix)
    return G, meta


def copy_params(model, arrays, path, prefix=""):
    """Copy ``arrays[prefix + name]`` into each parameter of ``model`` in place, checking shapes first."""
    for name, param in model.params.items():
        value = arrays.get(prefix + name)
        if value is None:
            raise CheckpointError(f"{path}: missing array {prefix + name!r}")
        if value.shape != param.shape:
            raise CheckpointError(f"{path}: {prefix + name} has shape {value.shape}, the model needs {param.shape}")
        if not np.all(np.isfinite(value)):
            raise CheckpointError(f"{path}: {prefix + name} contains NaN or inf")
    for name, param in model.params.items():
        param[...] = arrays[prefix + name]


def read_npz(path):
    """All arrays of an ``.npz`` file as a dict, never unpickling; ``CheckpointError`` on any problem."""
    if not os.path.isfile(path):
        raise CheckpointError(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        raise CheckpointError(f"{path}: not an .npz file (or a truncated one)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files}
    except ValueError as err:
        if "pickle" in str(err):
            raise CheckpointError(f"{path}: holds pickled (object) arrays, which npgan never loads") from None
        raise CheckpointError(f"{path}: unreadable ({err})") from None
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as err:  # truncated or corrupt members
        raise CheckpointError(f"{path}: corrupt .npz file ({type(err).__name__}: {err})") from None


def _json_entry(arrays, key, path):
    try:
        return json.loads(str(arrays[key]))
    except (KeyError, ValueError) as err:
        raise CheckpointError(f"{path}: missing or invalid {key!r} entry ({err})") from None


CHECKPOINT_FORMAT = "npgan-checkpoint-1"


def checkpoint_arrays(gan, epoch, rng, history):
    """Everything needed to continue training exactly, as ``np.savez`` arrays.

    ``epoch``: epochs completed; ``rng``: the training ``np.random.Generator`` (its state is saved, so
    the next shuffle and z batches are the ones an uninterrupted run would draw); ``history``: dict of
    per-epoch arrays (losses, samples) to carry across a resume.
    """
    arrays = {
        "format": np.array(CHECKPOINT_FORMAT),
        "gan_config": np.array(json.dumps(asdict(gan.config))),
        "epoch": np.array(epoch, dtype=np.int64),
        "rng_state": np.array(json.dumps(rng.bit_generator.state)),
    }
    for prefix, model in (("G/", gan.G), ("D/", gan.D)):
        arrays.update((prefix + name, p) for name, p in model.params.items())
    for prefix, opt in (("g_opt/", gan.g_opt), ("d_opt/", gan.d_opt)):
        arrays.update((prefix + key, value) for key, value in opt.state_dict().items())
    arrays.update(("history/" + key, np.asarray(value)) for key, value in history.items())
    return arrays


def load_checkpoint(path):
    """Restore ``(gan, epoch, rng, history)`` saved by :func:`checkpoint_arrays`; ``CheckpointError`` if unfit."""
    arrays = read_npz(path)
    if str(arrays.get("format", "")) != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{path}: not an npgan training checkpoint (no {CHECKPOINT_FORMAT!r} marker)")
    try:
        config = GANConfig(**_json_entry(arrays, "gan_config", path))
        gan = GAN(config)
        rng = np.random.default_rng()
        rng.bit_generator.state = _json_entry(arrays, "rng_state", path)
        epoch = int(arrays["epoch"])
    except (TypeError, ValueError, KeyError) as err:
        raise CheckpointError(f"{path}: invalid training state ({err})") from None
    copy_params(gan.G, arrays, path, "G/")
    copy_params(gan.D, arrays, path, "D/")
    for prefix, opt in (("g_opt/", gan.g_opt), ("d_opt/", gan.d_opt)):
        state = {key[len(prefix):]: value for key, value in arrays.items() if key.startswith(prefix)}
        try:
            opt.load_state_dict(state)
        except (ValueError, KeyError) as err:
            raise CheckpointError(f"{path}: {prefix[:-1]}: {err}") from None
    history = {key[len("history/"):]: value for key, value in arrays.items() if key.startswith("history/")}
    return gan, epoch, rng, history
