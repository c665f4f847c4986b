"""The evaluator's reference classifier: an MLP built from npgan's own layers, trained with its own Adam.

    image (784, in [-1, 1]) -> Dense 512 -> LeakyReLU -> Dense 256 -> LeakyReLU -> Dense 10   (logits)
                                                                    ^ features: the 256 activations FID compares

It judges generated images, so it sees them exactly as the GAN makes them: rows of 784 values in [-1, 1]
(real images go through :func:`npgan.gan.to_unit_range`). Training is plain minibatch Adam on softmax
cross-entropy (:func:`npgan.losses.softmax_cross_entropy`) over the 60,000 training images, with the
learning rate falling linearly to 0 over the run. Everything it does is fixed by :data:`RECIPE`, so the
same recipe and data give the same classifier (at one BLAS thread: more threads may round differently).
"""
import json

import numpy as np

from .gan import to_unit_range
from .layers import Dense, LeakyReLU, Sequential
from .losses import softmax_cross_entropy
from .optim import Adam

#: How the classifier is built and trained. Change anything here (or ``version``, when the training code
#: changes) and a cached classifier no longer matches, so it is trained again.
RECIPE = {"version": 1, "hidden": [512, 256], "alpha": 0.01, "epochs": 8, "batch_size": 100, "lr": 0.001,
          "seed": 0}
CLASSES = 10


def recipe_json(recipe):
    """The recipe as canonical JSON text (sorted keys): what a cache stores and compares."""
    return json.dumps(recipe, sort_keys=True)


def make_classifier(recipe=RECIPE, image_size=28 * 28):
    """An untrained classifier: images (N, image_size) -> logits (N, 10); weights drawn from ``recipe["seed"]``."""
    rng = np.random.default_rng(recipe["seed"])
    sizes = [image_size, *recipe["hidden"]]
    layers = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        layers += [Dense(n_in, n_out, rng=rng), LeakyReLU(recipe["alpha"])]
    return Sequential(*layers, Dense(sizes[-1], CLASSES, rng=rng))


def train_classifier(images_u8, labels, recipe=RECIPE):
    """A classifier fitted to ``images_u8`` (N, 28, 28) uint8 and ``labels`` (N,) by ``recipe``.

    Each epoch visits the images in a new random order, in batches of ``batch_size`` (the last, smaller
    batch included); the learning rate after ``t`` of ``T`` steps is ``lr (1 - t / T)``, large steps early
    and fine ones at the end (measured on MNIST: 98.4% test accuracy, against 97.5% at a constant rate).
    """
    net = make_classifier(recipe, images_u8[0].size)
    optimizer = Adam(net, lr=recipe["lr"])
    rng = np.random.default_rng([recipe["seed"], 1])  # a stream of its own for the order of the images
    batch = recipe["batch_size"]
    steps_per_epoch = -(-len(images_u8) // batch)
    total_steps, step = recipe["epochs"] * steps_per_epoch, 0
    for _ in range(recipe["epochs"]):
        order = rng.permutation(len(images_u8))
        for start in range(0, len(order), batch):
            optimizer.lr = recipe["lr"] * (1 - step / total_steps)
            step += 1
            rows = order[start:start + batch]
            _, dlogits = softmax_cross_entropy(net.forward(to_unit_range(images_u8[rows])), labels[rows])
            net.zero_grad()
            net.backward(dlogits, input_grad=False)
            optimizer.step()
    return net


def features_and_logits(net, images, chunk=1000):
    """Penultimate activations ``(n, hidden[-1])`` and logits ``(n, 10)`` of ``images`` (n, 784) in [-1, 1].

    The features are what the last Dense layer reads: the classifier's own summary of an image, in which
    digits of one class lie close together. Runs ``chunk`` rows at a time (copied, so the layers' caches
    for a backward pass hold about 10 MB, not views of all of ``images``) to bound memory.
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
