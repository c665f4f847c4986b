"""Saving and loading generators and training runs: ``np.savez`` files, never unpickled.

- A *generator file* (``generator.npz``) holds one generator: its parameters and buffers by name
  (``"0/W"``, ``"1/running_mean"``, ...) and, as JSON in ``"config"``, its description (the layers and
  their arguments, see :mod:`npgan.models`), the size of z and the number of label classes. Any generator
  npgan can train is rebuilt from the file alone.
- A *training checkpoint* (``checkpoint.npz``) holds everything needed to continue a run exactly: both
  networks (and the weight average; spectral norm's vectors are buffers of D), both optimizers' states, the
  random generators' states, the epoch and the per-epoch history.

Loading checks every array's presence, shape and finiteness before copying anything, and turns any
problem into a one-line :class:`CheckpointError` naming the file.
"""
import json
import os
import zipfile
import zlib
from dataclasses import asdict, dataclass, field, fields

import numpy as np

from .gan import GAN, GANConfig
from .info import build_gan
from .models import IMAGE_SIZE, build, describe, make_generator


class CheckpointError(ValueError):
    """A checkpoint file that is missing, unreadable, or does not fit the model."""


def read_npz(path):
    """All arrays of an ``.npz`` file as a dict, never unpickling; ``CheckpointError`` on any problem."""
    if os.path.isdir(path):
        held = sorted(os.path.join(path, name) for name in os.listdir(path) if name.endswith(".npz"))
        raise CheckpointError(f"{path}: is a folder, not a file; " + (
            f"it holds {', '.join(held)}: give one of them" if held else "it holds no .npz file"))
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


# --- Networks ------------------------------------------------------------------------------------------

def network_arrays(net, prefix=""):
    """A network's parameters and buffers as ``{prefix + name: array}``."""
    return {prefix + name: array for name, array in (*net.params.items(), *net.buffers.items())}


def load_network(net, arrays, path, prefix=""):
    """Copy ``arrays[prefix + name]`` into each parameter and buffer of ``net`` in place, checking first
    that every one is present, of the right shape and finite."""
    targets = {**net.params, **net.buffers}
    for name, target in targets.items():
        value = arrays.get(prefix + name)
        if value is None:
            raise CheckpointError(f"{path}: missing array {prefix + name!r}")
        if value.shape != target.shape:
            raise CheckpointError(f"{path}: {prefix + name} has shape {value.shape}, the model needs {target.shape}")
        if not np.all(np.isfinite(value)):
            raise CheckpointError(f"{path}: {prefix + name} contains NaN or inf")
    for name, target in targets.items():
        target[...] = arrays[prefix + name]


def layer_rng_states(net):
    """``{layer index: bit generator state}`` of the layers that draw random numbers (dropout)."""
    return {str(i): layer.rng.bit_generator.state for i, layer in enumerate(net.layers) if hasattr(layer, "rng")}


def set_layer_rng_states(net, states):
    for i, state in states.items():
        net.layers[int(i)].rng.bit_generator.state = state


# --- Generator files -----------------------------------------------------------------------------------

GENERATOR_FORMAT = "npgan-generator-2"
LEGACY_GENERATOR_FORMAT = "npgan-generator-1"  # the tutorial's G by its sizes, before descriptions


def generator_arrays(G, z_size, classes=0, codes=(0, 0), **info):
    """The arrays of a generator file: ``G``'s parameters and buffers, and as JSON ``"config"`` its
    description, ``z_size``, ``classes`` (0: unconditional) and InfoGAN's ``codes`` (categorical,
    continuous) that follow z in G's input ((0, 0): none), plus any JSON-friendly ``info``."""
    meta = {"format": GENERATOR_FORMAT, "z_size": int(z_size), "classes": int(classes), **info,
            "layers": describe(G)}
    if any(codes):
        meta["categorical"], meta["continuous"] = map(int, codes)
    return {"config": np.array(json.dumps(meta)), **network_arrays(G)}


def load_generator(path):
    """Rebuild the generator saved in ``path`` (a generator file or a training checkpoint).

    Returns ``(G, meta)``: ``G`` in evaluation mode, ``meta`` a dict with at least ``"z_size"``,
    ``"classes"`` (0 for an unconditional generator), ``"categorical"`` and ``"continuous"`` (InfoGAN's
    code sizes, 0 without codes). From a checkpoint, the weight average is returned
    when the run kept one. Raises :class:`CheckpointError` naming the file and the problem.
    """
    arrays = read_npz(path)
    if "gan_config" in arrays:
        checkpoint = restore_checkpoint(arrays, path)
        gan = checkpoint.gan
        categorical, continuous = gan.config.codes
        meta = {"z_size": gan.config.z_size, "classes": gan.config.classes, "model": gan.config.model,
                "categorical": categorical, "continuous": continuous}
        return gan.sampler.eval(), meta
    meta = _json_entry(arrays, "config", path)
    try:
        if meta.get("format") == LEGACY_GENERATOR_FORMAT:
            G = make_generator(int(meta["z_size"]), int(meta["g_hidden"]), int(meta["image_size"]), float(meta["alpha"]))
            meta["classes"] = 0
        else:
            if meta.get("format") != GENERATOR_FORMAT:
                raise ValueError(f"unknown format {meta.get('format')!r}")
            G = build(meta["layers"])
        meta["z_size"], meta["classes"] = int(meta["z_size"]), int(meta["classes"])
        meta["categorical"], meta["continuous"] = int(meta.get("categorical", 0)), int(meta.get("continuous", 0))
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise CheckpointError(f"{path}: generator config is incomplete or invalid ({err})") from None
    load_network(G, arrays, path)
    _check_generator_shape(G.eval(), meta, path)
    return G, meta


def _check_generator_shape(G, meta, path):
    """One forward pass: z_size + classes + codes inputs must give one image of IMAGE_SIZE pixels."""
    inputs = meta["z_size"] + meta["classes"] + meta["categorical"] + meta["continuous"]
    try:
        shape = G.forward(np.zeros((1, inputs), dtype=G.flat_params.dtype)).shape
    except ValueError as err:
        raise CheckpointError(f"{path}: the generator does not take z_size + classes + codes = {inputs} inputs "
                              f"({err})") from None
    if shape != (1, IMAGE_SIZE):
        raise CheckpointError(f"{path}: the generator makes outputs of shape {shape[1:]}, not {IMAGE_SIZE} pixels")


# --- Training checkpoints ------------------------------------------------------------------------------

CHECKPOINT_FORMAT = "npgan-checkpoint-2"
LEGACY_CHECKPOINT_FORMAT = "npgan-checkpoint-1"  # the tutorial's model only, before named models


@dataclass
class Checkpoint:
    """A training run's state: the GAN, the epochs done, the training RNG, the per-epoch history, and the
    trainer's own small state (JSON-friendly: time spent, best score so far, ...)."""

    gan: GAN
    epoch: int
    rng: np.random.Generator
    history: dict = field(default_factory=dict)
    state: dict = field(default_factory=dict)


def _networks(gan):
    """``{name: network}`` of a GAN's networks, the key prefix of their arrays (the average only if kept)."""
    nets = {"G": gan.G, "D": gan.D, "G_avg": gan.G_avg}
    return {name: net for name, net in nets.items() if net is not None}


def _optimizers(gan):
    """``{prefix: optimizer}`` of a GAN's two optimizers, by the key prefix of their arrays."""
    return {"g_opt/": gan.g_opt, "d_opt/": gan.d_opt}


def checkpoint_arrays(gan, epoch, rng, history, state=None):
    """Everything needed to continue training exactly, as ``np.savez`` arrays.

    ``epoch``: epochs completed; ``rng``: the training ``np.random.Generator`` (its state is saved, so
    the next shuffle and z batches are the ones an uninterrupted run would draw); ``history``: dict of
    per-epoch arrays (losses, samples) to carry across a resume; ``state``: a JSON-friendly dict.
    """
    nets = _networks(gan)
    arrays = {
        "format": np.array(CHECKPOINT_FORMAT),
        "gan_config": np.array(json.dumps(asdict(gan.config))),
        "epoch": np.array(epoch, dtype=np.int64),
        "rng_state": np.array(json.dumps(rng.bit_generator.state)),
        "layer_rng_states": np.array(json.dumps({name: layer_rng_states(net) for name, net in nets.items()})),
        "state": np.array(json.dumps(state or {})),
    }
    for name, step_rng in gan.rngs().items():  # the penalty's (and InfoGAN's augmentations') draws
        arrays[name + "_state"] = np.array(json.dumps(step_rng.bit_generator.state))
    for name, net in nets.items():
        arrays.update(network_arrays(net, name + "/"))
    for prefix, opt in _optimizers(gan).items():
        arrays.update((prefix + key, value) for key, value in opt.state_dict().items())
    arrays.update(("history/" + key, np.asarray(value)) for key, value in history.items())
    return arrays


def load_checkpoint(path):
    """The :class:`Checkpoint` saved in ``path`` by :func:`checkpoint_arrays`; ``CheckpointError`` if unfit."""
    return restore_checkpoint(read_npz(path), path)


def restore_checkpoint(arrays, path):
    """:func:`load_checkpoint` from arrays already read."""
    kind = str(arrays.get("format", ""))
    if kind not in (CHECKPOINT_FORMAT, LEGACY_CHECKPOINT_FORMAT):
        raise CheckpointError(f"{path}: not an npgan training checkpoint (no {CHECKPOINT_FORMAT!r} marker)")
    try:
        config = _gan_config(_json_entry(arrays, "gan_config", path))
        gan = build_gan(config)
        rng = np.random.default_rng()
        rng.bit_generator.state = _json_entry(arrays, "rng_state", path)
        epoch = int(arrays["epoch"])
        state = _json_entry(arrays, "state", path) if kind == CHECKPOINT_FORMAT else {}
        layer_rngs = _json_entry(arrays, "layer_rng_states", path) if kind == CHECKPOINT_FORMAT else {}
        for name, step_rng in gan.rngs().items():
            if name + "_state" in arrays:  # absent in files older than the feature: nothing had drawn from it
                step_rng.bit_generator.state = _json_entry(arrays, name + "_state", path)
        nets = _networks(gan)
        for name, states in layer_rngs.items():
            set_layer_rng_states(nets[name], states)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as err:
        raise CheckpointError(f"{path}: invalid training state ({err})") from None
    for name, net in nets.items():
        load_network(net, arrays, path, name + "/")
    for prefix, opt in _optimizers(gan).items():
        opt_state = {key[len(prefix):]: value for key, value in arrays.items() if key.startswith(prefix)}
        try:
            opt.load_state_dict(opt_state)
        except (ValueError, KeyError) as err:
            raise CheckpointError(f"{path}: {prefix[:-1]}: {err}") from None
    history = {key[len("history/"):]: value for key, value in arrays.items() if key.startswith("history/")}
    return Checkpoint(gan, epoch, rng, history, state)


def _gan_config(saved):
    """A :class:`GANConfig` from its saved dict; the tutorial-only checkpoints of npgan 0.1 also stored
    ``image_size`` (always 784)."""
    if saved.pop("image_size", IMAGE_SIZE) != IMAGE_SIZE:
        raise ValueError("only 28x28 images are supported")
    known = {f.name for f in fields(GANConfig)}
    unknown = sorted(set(saved) - known)
    if unknown:
        raise ValueError(f"unknown settings {unknown}")
    return GANConfig(**saved)
