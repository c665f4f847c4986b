"""Do a generator's samples look like digits of all ten classes? A classifier's view.

    python benchmarks/sample_quality.py --checkpoint out/generator.npz [--n 10000] [--seed 0]
        [--mnist-dir DIR] [--classifier-cache FILE] [--json]

The design budget asks that after the tutorial's 100 epochs "samples are recognisable digits of all ten
classes (no class under 3% of 10,000 samples)". This script measures that:

1. it trains a small digit classifier on real MNIST with npgan's own layers and Adam
   (784 -> 256 -> LeakyReLU(0.01) -> 10, softmax cross-entropy, inputs in [-1, 1] like the GAN's)
   and reports its test accuracy (about 97%; a bigger or longer-trained one adds little here);
2. it draws ``--n`` samples from the generator, classifies them and prints, per digit 0-9, the count and
   share, the smallest share, whether every class has at least 3%, and the share of samples the
   classifier is confident about (max softmax >= 0.9);
3. it prints the same figures for the 10,000 real test images, as a reference line.

Limits: the classifier's label is not a human's judgement. A blob that is vaguely a "1" gets called
a 1, and a classifier trained only on real digits can be confidently wrong on images unlike any it saw.
The confident share is only a rough proxy for "looks like a digit", and class shares say nothing about
variety within a class. It is a measurement, not a test: the exit status is 0 unless something fails.
"""
import argparse
import json
import os
import sys

import numpy as np
from threadpoolctl import threadpool_limits

from npgan.data import load_mnist
from npgan.checkpoints import CheckpointError, load_generator
from npgan.gan import to_unit_range
from npgan.layers import Dense, LeakyReLU, Sequential
from npgan.optim import Adam
from npgan.sample import generate  # G.forward(sample_z(default_rng(seed), n, z_size)), in chunks

MIN_SHARE, CONFIDENT = 0.03, 0.9


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of ``logits`` (N, K) against integer ``labels`` (N,), and its gradient.

    Subtracting each row's max keeps ``exp`` from overflowing; ``dL/dlogits = (softmax - onehot) / N``.
    """
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(labels))
    grad = np.exp(log_probs)
    grad[rows, labels] -= 1
    grad /= len(labels)
    return -log_probs[rows, labels].mean(), grad


def softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def make_classifier(seed=0):
    rng = np.random.default_rng(seed)
    return Sequential(Dense(784, 256, rng=rng), LeakyReLU(0.01), Dense(256, 10, rng=rng))


def train_classifier(images, labels, epochs=4, batch=100, lr=1e-3, seed=0):
    """A classifier fitted to ``images`` (N, 784) in [-1, 1] and ``labels`` (N,)."""
    net, rng = make_classifier(seed), np.random.default_rng(seed)
    opt = Adam(net, lr=lr)
    for _ in range(epochs):
        order = rng.permutation(len(images))
        for start in range(0, len(images), batch):
            idx = order[start:start + batch]
            _, grad = softmax_cross_entropy(net.forward(images[idx]), labels[idx])
            net.zero_grad()
            net.backward(grad, input_grad=False)
            opt.step()
    return net


def predict(net, images, batch=10_000):
    """``(labels, confidences)``: the argmax class and its softmax probability for each row."""
    probs = np.concatenate([softmax(net.forward(images[i:i + batch])) for i in range(0, len(images), batch)])
    return probs.argmax(axis=1), probs.max(axis=1)


def class_stats(predicted, confidence, classes=10):
    """Counts and shares per class, the smallest share, and the share with confidence >= CONFIDENT."""
    counts = np.bincount(predicted, minlength=classes)
    shares = counts / len(predicted)
    return {"n": int(len(predicted)), "counts": counts.tolist(), "shares": shares.round(4).tolist(),
            "min_share": float(shares.min()), "all_classes_ge_3pct": bool(shares.min() >= MIN_SHARE),
            "confident_share": float(np.mean(confidence >= CONFIDENT))}


def get_classifier(train, cache):
    """Load the classifier's flat parameters from ``cache`` if it exists, else train (and save there)."""
    net = make_classifier()
    if cache and os.path.exists(cache):
        with np.load(cache, allow_pickle=False) as saved:
            if saved["params"].shape == net.flat_params.shape:
                net.flat_params[...] = saved["params"]
                return net
    net = train_classifier(*train)
    if cache:
        np.savez(cache, params=net.flat_params)
    return net


def print_table(report):
    print(f"classifier test accuracy: {report['classifier_test_accuracy']:.2%}")
    print(f"{'':>10}" + "".join(f"{d:>7}" for d in range(10)) + f"{'min':>8}{'>=3%':>6}{'conf>=0.9':>11}")
    for name in ("generated", "real_test"):
        s = report[name]
        print(f"{name:>10}" + "".join(f"{c:>7}" for c in s["counts"]))
        print(f"{'share':>10}" + "".join(f"{x:>7.1%}" for x in s["shares"]) + f"{s['min_share']:>8.1%}"
              f"{'yes' if s['all_classes_ge_3pct'] else 'NO':>6}{s['confident_share']:>11.1%}")
    print(f"generated: {report['generated']['n']} samples from {report['checkpoint']} (seed {report['seed']})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint", default="out/generator.npz", help="generator.npz or checkpoint.npz")
    parser.add_argument("--n", type=int, default=10_000, help="samples to draw")
    parser.add_argument("--seed", type=int, default=0, help="seed of the latent vectors")
    parser.add_argument("--mnist-dir", default=os.environ.get("NPGAN_MNIST_DIR", "../shared/data/mnist"))
    parser.add_argument("--classifier-cache", help=".npz to load the classifier from, or save it to")
    parser.add_argument("--json", action="store_true", help="print a JSON dict instead of a table")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    try:
        with threadpool_limits(1):
            G, meta = load_generator(args.checkpoint)  # first: a bad path fails before training
            train_u8, train_labels = load_mnist("train", data_dir=args.mnist_dir, download=False)
            test_u8, test_labels = load_mnist("test", data_dir=args.mnist_dir, download=False)
            net = get_classifier((to_unit_range(train_u8), train_labels), args.classifier_cache)
            real_pred, real_conf = predict(net, to_unit_range(test_u8))
            fake_pred, fake_conf = predict(net, generate(G, int(meta["z_size"]), args.n, args.seed))
    except (CheckpointError, OSError, ValueError, KeyError) as err:
        print(f"sample_quality: error: {err}", file=sys.stderr)
        return 1
    report = {"checkpoint": args.checkpoint, "seed": args.seed,
              "classifier_test_accuracy": float(np.mean(real_pred == test_labels)),
              "generated": class_stats(fake_pred, fake_conf), "real_test": class_stats(real_pred, real_conf)}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
