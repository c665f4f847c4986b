"""The evaluator's judges: reference classifiers built from npgan's own layers, trained with its own Adam.

Two judges, one interface (images (N, 784) in [-1, 1] -> logits (N, 10)); the features FID and precision
and recall compare are the activations of the last hidden layer (what the last Dense layer reads):

``cnn`` (the default, 99.3% on MNIST's test set):

    image -> Reshape 1x28x28 -> Conv 5x5/2 16 -> LeakyReLU -> Conv 5x5/2 32 -> LeakyReLU   (14x14, then 7x7)
          -> Flatten 1568 -> Dense 128 -> LeakyReLU -> Dense 10                  ^ features: these 128

``mlp`` (98.3%):

    image (784) -> Dense 512 -> LeakyReLU -> Dense 256 -> LeakyReLU -> Dense 10
                                                        ^ features: these 256

A convolution sees each stroke through small windows shared across the image, so it learns what strokes
look like wherever they are; the MLP weighs pixels in fixed places. The CNN is the stricter judge: its
features hold real digits closer to each other (the FID of 10,000 training digits against the test digits
is 1.6 in its features, 4.0 in the MLP's), so generated digits stand further apart. Stride-2 convolutions
stand in for pooling (no extra layer to write).

Both judge generated images as the GAN makes them: rows of 784 values in [-1, 1] (real images go through
:func:`npgan.gan.to_unit_range`). Training is plain minibatch Adam on softmax cross-entropy
(:func:`npgan.losses.softmax_cross_entropy`) with the learning rate falling linearly to 0 over the run;
the CNN also sees each training image shifted by up to ``shift`` pixels (a new shift every time), which
is worth 0.15 points of test accuracy at the same cost (measured: 99.16% -> 99.31% after 6 epochs).
Everything is fixed by the judge's recipe in :data:`RECIPES`, so the same recipe and data give the same
classifier (at one BLAS thread: more threads may round differently).
"""
import json

import numpy as np

from .conv import Conv2d
from .gan import to_unit_range
from .layers import Dense, Flatten, LeakyReLU, Reshape, Sequential
from .losses import softmax_cross_entropy
from .optim import Adam

#: How each judge is built and trained. Change anything here (or ``version``, when the training code
#: changes) and a cached classifier no longer matches, so it is trained again.
RECIPES = {
    "cnn": {"kind": "cnn", "version": 1, "channels": [16, 32], "kernel_size": 5, "hidden": [128], "alpha": 0.01,
            "shift": 2, "epochs": 6, "batch_size": 100, "lr": 0.002, "seed": 0},
    "mlp": {"kind": "mlp", "version": 1, "hidden": [512, 256], "alpha": 0.01, "epochs": 8, "batch_size": 100,
            "lr": 0.001, "seed": 0},
}
JUDGES = tuple(RECIPES)  # the names --judge accepts
DEFAULT_JUDGE = "cnn"
RECIPE = RECIPES[DEFAULT_JUDGE]
CLASSES = 10


def recipe_json(recipe):
    """The recipe as canonical JSON text (sorted keys): what a cache stores and compares."""
    return json.dumps(recipe, sort_keys=True)


def make_classifier(recipe=RECIPE, image_size=28 * 28):
    """An untrained classifier: images (N, image_size) -> logits (N, 10); weights drawn from ``recipe["seed"]``."""
    rng = np.random.default_rng(recipe["seed"])
    layers, features = [], image_size
    if recipe["kind"] == "cnn":
        side, k = int(round(image_size ** 0.5)), recipe["kernel_size"]
        layers.append(Reshape((1, side, side)))
        channels = [1, *recipe["channels"]]
        for c_in, c_out in zip(channels, channels[1:]):  # each halves the side: "same" padding k // 2, stride 2
            conv = Conv2d(c_in, c_out, k, stride=2, padding=k // 2, rng=rng)
            side = conv.output_size(side)
            layers += [conv, LeakyReLU(recipe["alpha"])]
        layers.append(Flatten())
        features = channels[-1] * side * side
    elif recipe["kind"] != "mlp":
        raise ValueError(f"unknown judge kind {recipe['kind']!r} (known: {', '.join(JUDGES)})")
    for n_out in recipe["hidden"]:
        layers += [Dense(features, n_out, rng=rng), LeakyReLU(recipe["alpha"])]
        features = n_out
    return Sequential(*layers, Dense(features, CLASSES, rng=rng))


def random_shifts(images_u8, rng, max_shift):
    """Each image (N, H, W) moved by its own random whole-pixel offset, up to ``max_shift`` each way in each
    axis, the border filled with black: the same digit where a writer might have put it. Pad, then crop a
    window at the offset, for all images in one gather."""
    n, height, width = images_u8.shape
    padded = np.pad(images_u8, ((0, 0), (max_shift, max_shift), (max_shift, max_shift)))
    down, right = rng.integers(0, 2 * max_shift + 1, (2, n))
    rows = (down[:, None] + np.arange(height))[:, :, None]   # (n, H, 1)
    columns = (right[:, None] + np.arange(width))[:, None]   # (n, 1, W)
    return padded[np.arange(n)[:, None, None], rows, columns]


def train_classifier(images_u8, labels, recipe=RECIPE):
    """A classifier fitted to ``images_u8`` (N, 28, 28) uint8 and ``labels`` (N,) by ``recipe``.

    Each epoch visits the images in a new random order, in batches of ``batch_size`` (the last, smaller
    batch included); the learning rate after ``t`` of ``T`` steps is ``lr (1 - t / T)``, large steps early
    and fine ones at the end (measured on MNIST: 98.4% test accuracy, against 97.5% at a constant rate).
    """
    net = make_classifier(recipe, images_u8[0].size)
    optimizer = Adam(net, lr=recipe["lr"])
    rng = np.random.default_rng([recipe["seed"], 1])  # a stream of its own for the order of the images
    batch, shift = recipe["batch_size"], recipe.get("shift", 0)
    steps_per_epoch = -(-len(images_u8) // batch)
    total_steps, step = recipe["epochs"] * steps_per_epoch, 0
    for _ in range(recipe["epochs"]):
        order = rng.permutation(len(images_u8))
        for start in range(0, len(order), batch):
            optimizer.lr = recipe["lr"] * (1 - step / total_steps)
            step += 1
            rows = order[start:start + batch]
            images = random_shifts(images_u8[rows], rng, shift) if shift else images_u8[rows]
            _, dlogits = softmax_cross_entropy(net.forward(to_unit_range(images)), labels[rows])
            net.zero_grad()
            net.backward(dlogits, input_grad=False)
            optimizer.step()
    return net


def features_and_logits(net, images, chunk=1000):
    """Penultimate activations ``(n, hidden[-1])`` and logits ``(n, 10)`` of ``images`` (n, 784) in [-1, 1].

    The features are what the last Dense layer reads: the classifier's own summary of an image, in which
    digits of one class lie close together. Runs ``chunk`` rows at a time (copied, so the layers' caches
    for a backward pass hold about 10 MB for the MLP and 100 MB for the CNN, whose im2col matrices hold
    every 5x5 window, not views of all of ``images``) to bound memory.
    """
    body, head = net.layers[:-1], net.layers[-1]
    features = np.empty((len(images), head.params["W"].shape[0]), dtype=np.float32)
    logits = np.empty((len(images), CLASSES), dtype=np.float32)
    for start in range(0, len(images), chunk):
        x = np.array(images[start:start + chunk], dtype=np.float32)
        for layer in body:
            x = layer.forward(x)
        features[start:start + chunk] = x
        logits[start:start + chunk] = head.forward(x)
    return features, logits
