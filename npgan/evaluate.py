"""How good are the samples? ``python -m npgan.evaluate`` (see ``--help``), and :class:`Evaluator` for code.

    python -m npgan.evaluate --checkpoint out/generator.npz [--n 10000] [--seed 0] [--json F] [--png F]
    python -m npgan.evaluate --npy samples.npy        # (n, 784) or (n, 28, 28) floats in [-1, 1], any source

A reference classifier, the *judge* (:mod:`npgan.classifier`: a small CNN by default, 99.3% on the test
digits; ``--judge mlp`` for the MLP, 98.3%), looks at the samples and at real images, and these figures
compare them, each printed beside the same figure for real data:

1. FID: the Fréchet distance between Gaussians fitted to the classifier's features (its last hidden
   layer) of the samples and of the 10,000 test images. 0 for identical statistics; it rises both when
   samples look wrong and when they lack variety. The reference is the FID of as many *training* images.
2. Class shares (the classifier's argmax): the smallest share and KL(shares || uniform). A generator that
   forgets a class, or makes mostly one, shows here.
3. Confident share: samples whose top class probability is at least 0.9, a rough "looks like a digit".
4. Copying ratio: the mean distance from a sample to its nearest training image, over the same for the
   test images. About 1 for new images; well below 1 for a generator that reproduces its training data.
5. Precision and recall (Kynkäänniemi et al. 2019, :func:`npgan.metrics.precision_recall`, k = 3, in the
   judge's features): the share of samples on the real digits' manifold (quality), and the share of real
   digits on the samples' manifold (variety). FID mixes the two; these tell them apart. The first
   min(n, 10,000) samples against as many test images; real: as many training images.

The classifier is trained the first time (at one thread about 30 s for the MLP, 1.5 minutes for the CNN),
then cached beside the data as ``<data-dir>/<dataset>-<judge>-classifier.npz`` (or in ``~/.cache/npgan``
when that folder is read-only) with the test images' nearest-training-image distances, the costly part of
the copying ratio.

Limits: a classifier's label is not a person's judgement. It calls a vague blob a 1 if a 1 is closest, and
can be confidently wrong on images unlike any it was trained on; class shares say nothing about variety
within a class (FID does, in part). The figures compare runs; they do not certify one.
"""
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from . import plots
from .classifier import DEFAULT_JUDGE, JUDGES, RECIPES, features_and_logits, make_classifier, recipe_json, train_classifier
from .cli import (ArgumentParser, UsageError, check_outputs, image_format, int_range, nonnegative_int, positive_int,
                  prepare_data_dir, run_main, write_all)
from .data import DATASETS, DownloadError, atomic_write, load_mnist
from .checkpoints import CheckpointError, load_generator, load_network, read_npz
from .gan import to_unit_range
from .losses import softmax
from .metrics import (best_matching, class_shares, confident_share, copying_ratio, coverage, frechet_distance,
                      gaussian_fit, kl_from_uniform, knn_radii, nearest_distances)
from .sample import TRUNCATION_HELP, draw, truncation

PROG = "npgan.evaluate"
CONFIDENT = 0.9      # top softmax probability that counts as "confident"
COPY_SAMPLES = 2000  # samples whose nearest training image is searched (60,000 x 784 each): about 2 s
MAX_N = 60_000       # as many as the training set, so the real reference can have as many images
# FID's estimate is biased upward by about trace-of-covariance terms / n, so it means little for few
# samples (and below 257 the 256 features' covariance is singular); --eval-every scores this many.
MIN_FID_N = 2000
CACHE_FORMAT = "npgan-evaluator-1"
NEIGHBOURS = 3       # k of precision and recall's k-nearest-neighbour balls (the paper's)
MANIFOLD_SIZE = 10_000  # at most this many samples and real images form precision and recall's manifolds
TRAINING_TIME = {"cnn": "about 1.5 minutes", "mlp": "about 30 s"}  # at one thread, to tell the user


# --- The evaluator ---------------------------------------------------------------------------------------

class Evaluator:
    """Scores generated images against one dataset's real images. Build it once; :meth:`score` is fast.

    ``Evaluator("mnist", data_dir)`` loads the dataset, then the classifier and the test images'
    nearest-training-image distances from the cache, training and computing them first if no cached
    file matches the recipe and the data (once: 1.5 minutes at one thread for the CNN). ``judge``: "cnn"
    (default) or "mlp", a classifier of :data:`npgan.classifier.RECIPES`; ``recipe``: any other recipe
    instead. ``cache_dir``: where to look and write (default: ``data_dir``, else ``~/.cache/npgan`` if that
    is read-only). ``log``: where its one-line messages go (``None``: nowhere).

    Attributes: ``classes`` (names), ``items`` ("digits"/"items"), ``judge``, ``recipe``, ``accuracy`` (the
    classifier's on the test set), ``cache_path`` (``None`` when kept in memory only).
    """

    def __init__(self, dataset="mnist", data_dir="data", *, cache_dir=None, download=True, judge=DEFAULT_JUDGE,
                 recipe=None, log=print):
        if dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {sorted(DATASETS)}, got {dataset!r}")
        if recipe is None and judge not in RECIPES:
            raise ValueError(f"judge must be one of {', '.join(JUDGES)}, got {judge!r}")
        recipe = recipe or RECIPES[judge]
        spec = DATASETS[dataset]
        self.dataset, self.classes, self.items, self.recipe = dataset, spec.classes, spec.items, recipe
        self.judge = recipe["kind"]
        self.log = log or (lambda message: None)
        self.train_u8, train_labels = load_mnist("train", data_dir, download, dataset=dataset)
        test_u8, test_labels = load_mnist("test", data_dir, download, dataset=dataset)
        candidates = _cache_paths(f"{dataset}-{self.judge}", data_dir, cache_dir)
        fingerprint = {"format": CACHE_FORMAT, "recipe": recipe_json(recipe),
                       "data": data_fingerprint(self.train_u8, train_labels, test_u8, test_labels)}
        self.net = make_classifier(recipe)
        cached, self.cache_path = _read_cache(candidates, fingerprint, self.net, len(test_u8), self.log)
        if cached is None:
            cached = self._build(recipe, train_labels, test_u8)
            self.cache_path = _write_cache(candidates, {**fingerprint, **cached}, self.log)
        self.test_nearest = cached["test_nearest"]
        features, logits = features_and_logits(self.net, to_unit_range(test_u8))
        self.accuracy = float(np.mean(logits.argmax(axis=1) == test_labels))
        self.test_mean, self.test_cov = gaussian_fit(features)
        self.test_features = features[:MANIFOLD_SIZE]
        self.test_probabilities = softmax(logits)
        self._real_fid = {}    # n -> FID of the first n training images
        self._real_pr = {}     # n -> precision and recall of the first n training images
        self._test_radii = {}  # m -> k-NN radii of the first m test images' features

    def _build(self, recipe, train_labels, test_u8):
        """Train the classifier (into ``self.net``) and find each test image's nearest training image."""
        self.log(f"training the reference classifier ({self.judge}) on {len(self.train_u8):,} {self.dataset} "
                 f"images (once; {TRAINING_TIME.get(self.judge, 'a while')} at one thread) ...")
        started = time.perf_counter()
        self.net = train_classifier(self.train_u8, train_labels, recipe)
        trained = time.perf_counter()
        test_nearest = nearest_distances(to_unit_range(test_u8), self.train_u8)
        self.log(f"trained in {trained - started:.1f} s; nearest training images of the {len(test_u8):,} "
                 f"test images found in {time.perf_counter() - trained:.1f} s")
        return {**self.net.params, "test_nearest": test_nearest}

    def classify(self, samples):
        """``(features (n, D), probabilities (n, K))`` of ``samples`` (n, 784) in [-1, 1]."""
        features, logits = features_and_logits(self.net, _as_rows(samples))
        return features, softmax(logits)

    def score(self, samples, *, copying=False):
        """The figures of ``samples`` (n >= 2, (n, 784) float32 in [-1, 1]) as a flat dict of floats:
        ``fid``, ``min_share``, ``kl_uniform``, ``confident_share``, ``precision``, ``recall``, and
        ``copying`` when asked (it searches the training set for the first ``COPY_SAMPLES`` samples:
        about 2 s more). Precision and recall need n > ``NEIGHBOURS``.

        Cost for 2,000 samples (``--eval-every``), CPU time at one thread: 0.18 s with the CNN judge, 0.10 s
        with the MLP (measured after the first call, which also finds the test images' k-NN balls).
        """
        return self.figures(*self.classify(samples), samples if copying else None)

    def figures(self, features, probabilities, samples=None):
        """:meth:`score` from what :meth:`classify` returned (``samples`` given: the copying ratio too)."""
        figures = {"fid": self._fid(features), **self._class_figures(probabilities),
                   **self._precision_recall(features)}
        if samples is not None:
            figures["copying"] = self.copying(samples)
        return figures

    def copying(self, samples):
        """Copying ratio of the first ``COPY_SAMPLES`` of ``samples`` against the test images'."""
        nearest = nearest_distances(_as_rows(samples)[:COPY_SAMPLES], self.train_u8)
        return copying_ratio(nearest, self.test_nearest)

    def reference(self, n):
        """The same figures for real data, to print beside those of ``n`` samples.

        FID: the first ``n`` training images (at most 60,000) against the test images: as many images as
        the samples, since FID grows as n shrinks (2,000 test images score about 17 against all 10,000).
        Shares and confidence: the 10,000 test images. Copying: 1 by definition (the test images' own).
        Precision and recall: the first min(n, 10,000) training images against as many test images.
        """
        n = min(n, len(self.train_u8))
        if n not in self._real_fid:
            features = features_and_logits(self.net, to_unit_range(self.train_u8[:n]))[0]
            self._real_fid[n], self._real_pr[n] = self._fid(features), self._precision_recall(features)
        return {"fid": self._real_fid[n], **self._class_figures(self.test_probabilities), **self._real_pr[n],
                "copying": 1.0}

    def _fid(self, features):
        return frechet_distance(self.test_mean, self.test_cov, *gaussian_fit(features))

    def _precision_recall(self, features):
        """Precision and recall of the first m = min(n, 10,000) ``features`` against as many test images'
        (the same size on both sides: a k-NN ball shrinks as its set grows); the test radii are kept."""
        m = min(len(features), len(self.test_features))
        if m <= NEIGHBOURS:
            raise ValueError(f"precision and recall need more than {NEIGHBOURS} samples, got {m}")
        if m not in self._test_radii:
            self._test_radii[m] = knn_radii(self.test_features[:m], NEIGHBOURS)
        fake = features[:m]
        precision, recall = coverage(self.test_features[:m], self._test_radii[m], fake, knn_radii(fake, NEIGHBOURS))
        return {"precision": precision, "recall": recall}

    def _class_figures(self, probabilities):
        shares = class_shares(probabilities.argmax(axis=1), len(self.classes))
        return {"min_share": float(shares.min()), "kl_uniform": kl_from_uniform(shares),
                "confident_share": confident_share(probabilities, CONFIDENT)}


def _as_rows(samples):
    samples = np.asarray(samples)
    if samples.ndim != 2 or samples.shape[1] != 28 * 28 or len(samples) < 2:
        raise ValueError(f"need samples of shape (n, 784) with n >= 2, got {samples.shape}")
    return samples


# --- The cache ---------------------------------------------------------------------------------------------

def data_fingerprint(*arrays):
    """SHA-256 of the arrays' shapes, dtypes and bytes: a changed dataset gives another fingerprint."""
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.data)
    return digest.hexdigest()


def _cache_paths(stem, data_dir, cache_dir):
    """Where the cache ``<stem>-classifier.npz`` may be, in order of preference: ``cache_dir`` if given, else
    beside the data, then the user's cache folder (``$XDG_CACHE_HOME/npgan``, by default ``~/.cache/npgan``)."""
    name = f"{stem}-classifier.npz"
    if cache_dir is not None:
        return [Path(cache_dir) / name]
    user_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "npgan"
    return [Path(data_dir) / name, user_cache / name]


def _read_cache(paths, fingerprint, net, test_size, log):
    """``(arrays, path)`` of the first cache in ``paths`` that matches ``fingerprint``, its parameters
    copied into ``net``; ``(None, None)`` if none does. A stale or damaged file is reported and skipped."""
    for path in paths:
        if not path.exists():
            continue
        try:
            arrays = read_npz(path)
            if {key: str(arrays.get(key)) for key in fingerprint} != fingerprint:
                log(f"{path} was made from another recipe or dataset: not used")
                continue
            if arrays.get("test_nearest", np.empty(0)).shape != (test_size,):
                raise CheckpointError(f"{path}: missing or misshapen 'test_nearest'")
            load_network(net, arrays, path)
            return arrays, path
        except CheckpointError as err:
            log(f"ignoring a damaged cache: {err}")
    return None, None


def _write_cache(paths, arrays, log):
    """Write ``arrays`` atomically to the first writable of ``paths``; returns it, or ``None``."""
    refused = []
    for path in paths:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.parent.stat().st_mode & 0o222:  # root may write anywhere, but a folder nobody may
                raise PermissionError("read-only")     # write to is meant to stay as it is
            with atomic_write(path) as out:
                np.savez(out, **arrays)
        except OSError as err:
            refused.append(f"{path.parent}: {err.strerror or err}")
            continue
        log(f"cached in {path}" + (f" (not beside the data, {'; '.join(refused)})" if refused else ""))
        return path
    log(f"kept in memory only, to be trained again next time ({'; '.join(refused)})")
    return None


# --- Samples to score ------------------------------------------------------------------------------------

def load_samples_from_checkpoint(path, n, seed, truncation=None):
    """``(samples, labels, codes)``: ``n`` samples (n, 784) float32 in [-1, 1] drawn from the generator saved
    at ``path``, z from ``seed`` (the same as ``python -m npgan.sample --checkpoint path --n n --seed seed``),
    truncated to ``truncation`` if given (:func:`npgan.sample.truncate`); ``labels`` (n,) the classes a
    conditional generator was asked for (each in turn), else None; ``codes`` (n,) an InfoGAN generator's
    categorical codes (each in turn), else None."""
    G, meta = load_generator(path)
    samples, asked = draw(G, meta, n, seed, truncation=truncation)
    return (samples, None, asked) if meta["categorical"] else (samples, asked, None)


def load_samples_from_npy(path, n=None):
    """The images in the ``.npy`` file ``path`` (the first ``n`` if given) as float32 rows (n, 784).

    Accepts a float array (n, 784) or (n, 28, 28) of finite values in [-1, 1], n from 2 to ``MAX_N``.
    Never unpickles. Raises ``ValueError`` (``OSError`` for a missing file) saying what is wrong.
    """
    with open(path, "rb") as f:
        if f.read(6) != b"\x93NUMPY":
            raise ValueError(f"{path}: not a .npy file (np.save writes them)")
    try:
        array = np.load(path, allow_pickle=False)
    except ValueError as err:
        if "allow_pickle" in str(err):
            raise ValueError(f"{path}: holds pickled (object) data, which npgan never loads") from None
        raise ValueError(f"{path}: corrupt or truncated .npy file ({err})") from None
    if array.dtype.kind != "f":
        raise ValueError(f"{path}: need floats in [-1, 1], got dtype {array.dtype}"
                         + (" (uint8 pixels? use x / 127.5 - 1)" if array.dtype == np.uint8 else ""))
    if array.ndim not in (2, 3) or array.shape[1:] not in ((784,), (28, 28)):
        raise ValueError(f"{path}: need shape (n, 784) or (n, 28, 28), got {array.shape}")
    if n is not None:
        if len(array) < n:
            raise ValueError(f"{path}: holds {len(array)} samples, fewer than --n {n}")
        array = array[:n]
    if not 2 <= len(array) <= MAX_N:
        raise ValueError(f"{path}: holds {len(array)} samples; need 2 to {MAX_N} (choose with --n)")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{path}: contains NaN or inf")
    low, high = float(array.min()), float(array.max())
    if low < -1 or high > 1:
        raise ValueError(f"{path}: values must lie in [-1, 1] (tanh's range), found {low:g} to {high:g}"
                         + ("; for pixels in [0, 255] use x / 127.5 - 1" if low >= 0 and high <= 255 else ""))
    return array.reshape(len(array), -1).astype(np.float32, copy=False)


# --- Report --------------------------------------------------------------------------------------------

FIGURES = (  # key, label, format
    ("fid", "FID (lower is better)", "{:.2f}"),
    ("min_share", "smallest class share", "{:.1%}"),
    ("kl_uniform", "KL(shares || uniform), nats", "{:.3f}"),
    ("confident_share", f"confident share (p >= {CONFIDENT})", "{:.1%}"),
    ("copying", "copying ratio", "{:.2f}"),
    ("precision", f"precision (k = {NEIGHBOURS}; on real's manifold)", "{:.1%}"),
    ("recall", "recall (real covered by samples)", "{:.1%}"),
)


def truncation_sweep(evaluator, G, meta, truncations, n=10_000, seed=0):
    """FID, precision and recall of ``n`` samples of generator ``G`` at each truncation T in ``truncations``
    (1: none), the same z from ``seed`` at every T (:func:`npgan.sample.truncate`): ``{"truncation": [...],
    "fid": [...], "precision": [...], "recall": [...]}``, for :func:`npgan.plots.truncation_figure`."""
    sweep = {"truncation": [float(t) for t in truncations], "fid": [], "precision": [], "recall": []}
    for t in truncations:
        figures = evaluator.score(draw(G, meta, n, seed, truncation=t)[0])
        for key in ("fid", "precision", "recall"):
            sweep[key].append(figures[key])
    return sweep


def conditional_accuracy(probabilities, labels, classes):
    """How often the classifier sees the class a conditional generator was asked for: ``(overall, per
    class)``, the share of samples whose argmax is their label, over all and for each label."""
    right = probabilities.argmax(axis=1) == labels
    return float(right.mean()), [float(right[labels == k].mean()) if np.any(labels == k) else None
                                 for k in range(classes)]


def code_accuracy(predicted, codes, categories, classes):
    """How well an InfoGAN's categorical code names the classifier's classes: ``(accuracy, matching)``.

    The code was learnt without labels, so its categories come in an order of their own: count how often
    code i was called class j, and score the one-to-one renaming of codes to classes that agrees most
    often (:func:`npgan.metrics.best_matching`). ``matching[i]``: the class of code i (-1: none left)."""
    counts = np.zeros((categories, classes))
    np.add.at(counts, (codes, predicted), 1)
    matching, accuracy = best_matching(counts)
    return accuracy, matching.tolist()


def report(evaluator, samples, features, probabilities, source, seed=None, labels=None, truncation=None,
           codes=None):
    """Every figure of ``samples`` (whose ``features`` and ``probabilities`` are those of
    :meth:`Evaluator.classify`) and of real data, and the settings: the ``--json`` dict. ``labels``: the
    classes a conditional generator was asked for, adding its conditional accuracy; ``truncation``: the
    T the samples' z were truncated to (None: none); ``codes``: an InfoGAN's categorical codes of the
    samples, adding the code accuracy."""
    n = len(samples)
    figures = evaluator.figures(features, probabilities, samples)
    result = {
        "dataset": evaluator.dataset, "items": evaluator.items, "source": source, "n": n, "seed": seed,
        "truncation": truncation,
        "judge": evaluator.judge,
        "classifier": {"judge": evaluator.judge, "recipe": evaluator.recipe, "test_accuracy": evaluator.accuracy,
                       "cache": str(evaluator.cache_path) if evaluator.cache_path else None},
        "samples": figures,
        "real": evaluator.reference(n),
        "precision": figures["precision"], "recall": figures["recall"],
        "copying_samples": min(n, COPY_SAMPLES), "confident_threshold": CONFIDENT,
        "classes": list(evaluator.classes),
        "shares": {"samples": class_shares(probabilities.argmax(axis=1), len(evaluator.classes)).tolist(),
                   "real": class_shares(evaluator.test_probabilities.argmax(axis=1), len(evaluator.classes)).tolist()},
        "notes": {"real fid": f"the first {min(n, MAX_N):,} training images against the 10,000 test images",
                  "real shares": "the 10,000 test images",
                  "copying": f"the first {min(n, COPY_SAMPLES):,} samples; real: 1 by definition (test images)",
                  "confident": f"top class probability >= {CONFIDENT}",
                  "precision and recall": f"k = {NEIGHBOURS} nearest neighbours in the judge's features; the first "
                                          f"{min(n, MANIFOLD_SIZE):,} samples against as many test images; "
                                          f"real: as many training images"},
    }
    if labels is not None:
        overall, per_class = conditional_accuracy(probabilities, labels, len(evaluator.classes))
        result["conditional"] = {"accuracy": overall, "per_class": per_class,
                                 "labels": "the classes in turn, 0, 1, ..., 9, 0, ..."}
        result["real"]["conditional_accuracy"] = evaluator.accuracy
    if codes is not None:
        categories = int(codes.max()) + 1
        accuracy, matching = code_accuracy(probabilities.argmax(axis=1), codes, categories, len(evaluator.classes))
        result["code_accuracy"] = accuracy
        result["codes"] = {"categories": categories, "matching": matching,
                           "note": "the categories in turn; matching[i]: the class code i stands for, the "
                                   "one-to-one renaming under which most samples are called their code's class"}
    return result


def format_table(result):
    """The report as aligned text: the figures, then the share of each class, samples beside real data."""
    notes = result["notes"]
    lines = [f"{result['dataset']}: {result['n']:,} generated {result['items']} from {result['source']}"
             + (f" (seed {result['seed']})" if result["seed"] is not None else "")
             + (f", z truncated to |z| <= {result['truncation']:g}" if result.get("truncation") else ""),
             f"judge: the {result['classifier']['judge']} classifier, test accuracy "
             f"{result['classifier']['test_accuracy']:.2%}", "",
             f"{'':32}{'samples':>9}{'real':>9}"]
    comments = {"fid": f"real: {notes['real fid']}", "copying": notes["copying"]}
    for key, label, fmt in FIGURES:
        lines.append(f"{label:32}{fmt.format(result['samples'][key]):>9}{fmt.format(result['real'][key]):>9}"
                     + (f"   {comments[key]}" if key in comments else ""))
    conditional = result.get("conditional")
    if conditional:
        lines.append(f"{'asked-for class recognised':32}{conditional['accuracy']:>9.1%}"
                     f"{result['real']['conditional_accuracy']:>9.1%}   real: the classifier's test accuracy")
    if "code_accuracy" in result:
        matching = ", ".join(f"{code}->{result['classes'][k]}" for code, k in enumerate(result["codes"]["matching"]) if k >= 0)
        lines.append(f"{'code accuracy (best matching)':32}{result['code_accuracy']:>9.1%}{'':9}   codes: {matching}")
    lines += ["", f"{'class share':32}{'samples':>9}{'real':>9}" + (f"{'asked for, recognised':>24}" if conditional else "")]
    for k, (name, mine, real) in enumerate(zip(result["classes"], result["shares"]["samples"], result["shares"]["real"])):
        right = conditional["per_class"][k] if conditional else None
        lines.append(f"{name:32}{mine:>9.1%}{real:>9.1%}" + (f"{right:>24.1%}" if right is not None else ""))
    return "\n".join(lines)


def most_confident(samples, probabilities, classes, per_class=10):
    """Per class, the ``per_class`` samples it is predicted with the highest probability: (K, k, 784),
    padded with +1 (blank) where a class has fewer samples."""
    predicted, confidence = probabilities.argmax(axis=1), probabilities.max(axis=1)
    examples = np.ones((classes, per_class, samples.shape[1]), dtype=np.float32)
    for k in range(classes):
        members = np.flatnonzero(predicted == k)
        best = members[np.argsort(-confidence[members], kind="stable")[:per_class]]
        examples[k, :len(best)] = samples[best]
    return examples


def shares_figure(result, samples, probabilities):
    """The ``--png`` figure: class shares beside real ones, and the most confident samples per class."""
    examples = most_confident(samples, probabilities, len(result["classes"]))
    title = f"What a classifier calls {result['n']:,} samples of {'/'.join(Path(result['source']).parts[-2:])}"
    return plots.class_shares_figure(result["classes"], result["shares"]["samples"], result["shares"]["real"],
                                     examples, title=title)


# --- Command line ----------------------------------------------------------------------------------------

EPILOG = f"""\
examples:
  python -m npgan.evaluate --checkpoint out/generator.npz
  python -m npgan.evaluate --checkpoint out/generator.npz --json quality.json --png quality.png
  python -m npgan.evaluate --checkpoint out/generator.npz --truncation 0.5 --judge mlp
  python -m npgan.evaluate --npy samples.npy --dataset fashion-mnist --data-dir /usr/share/datasets/fashion-mnist

The judge (the classifier) is trained on first use (CNN: about 1.5 minutes; MLP: about 30 s) and cached
beside the data. Precision and recall use the first {MANIFOLD_SIZE:,} samples at most, k = {NEIGHBOURS}.
The copying ratio uses the first {COPY_SAMPLES:,} samples (each compared with all 60,000 training images).
"""


def build_parser():
    parser = ArgumentParser(prog=PROG, epilog=EPILOG,
                            description="Measure generated images: FID, class shares, confident share, "
                                        "copying ratio, precision and recall, each beside the same figure for "
                                        "real images.")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--checkpoint", metavar="PATH", help="generator.npz or checkpoint.npz from npgan.train")
    source.add_argument("--npy", metavar="FILE",
                        help="samples made elsewhere: float array (n, 784) or (n, 28, 28) in [-1, 1]")
    parser.add_argument("--n", type=int_range(2, MAX_N), default=None,
                        help="samples to draw from --checkpoint (default: 10000) or to take from --npy "
                             f"(default: all); FID needs at least {MIN_FID_N:,} to mean much (fewer: a warning), "
                             "and runs compare only at the same n")
    parser.add_argument("--seed", type=nonnegative_int, default=0, help="seed of the latent vectors z")
    parser.add_argument("--truncation", type=truncation, default=None, metavar="T",
                        help="with --checkpoint: " + TRUNCATION_HELP)
    parser.add_argument("--judge", choices=JUDGES, default=DEFAULT_JUDGE,
                        help="the reference classifier whose labels and features give every figure: a small "
                             "CNN (99.3%% on the test digits; the default) or the MLP (98.3%%, more lenient)")
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="mnist", help="the real data")
    parser.add_argument("--data-dir", default="data",
                        help="folder of the dataset (missing files are downloaded); the classifier is cached here")
    parser.add_argument("--cache-dir", default=None,
                        help="cache the classifier here instead (default: --data-dir, else ~/.cache/npgan)")
    parser.add_argument("--json", metavar="FILE", help="also write every figure and setting as JSON")
    parser.add_argument("--png", metavar="FILE", help="also draw the class shares and the surest samples per class")
    parser.add_argument("--threads", type=positive_int, default=1, help="BLAS threads")
    return parser


def run(args):
    """Score the samples ``args`` name, print the table, write ``--json``/``--png``; returns 0."""
    started = time.perf_counter()
    if args.truncation is not None and not args.checkpoint:
        raise UsageError("--truncation draws z for a generator: it goes with --checkpoint, not --npy")
    check_outputs({"--json": args.json, "--png": args.png})  # before any work
    png_format = image_format(args.png, "--png") if args.png else None
    with threadpool_limits(limits=args.threads, user_api="blas"):
        samples, labels, codes = load_samples(args)
        if len(samples) < MIN_FID_N:
            print(f"{PROG}: warning: an FID of {len(samples):,} samples means little (it is biased upward, the more "
                  f"the fewer samples): use --n {MIN_FID_N:,} or more", file=sys.stderr)
        prepare_data_dir(args.data_dir, log=lambda message: print(f"{PROG}: {message}"))
        evaluator = Evaluator(args.dataset, args.data_dir, cache_dir=args.cache_dir, judge=args.judge,
                              log=lambda message: print(f"{PROG}: {message}"))
        features, probabilities = evaluator.classify(samples)
        result = report(evaluator, samples, features, probabilities, args.checkpoint or args.npy,
                        args.seed if args.checkpoint else None, labels, args.truncation, codes)
        files = []
        if args.json:
            files.append((args.json, lambda f: f.write((json.dumps(result, indent=2) + "\n").encode())))
        if args.png:
            figure = shares_figure(result, samples, probabilities)
            files.append((args.png, lambda f: plots.write_png(figure, f, format=png_format)))
    write_all(files)
    print(format_table(result))
    for path, _ in files:
        print(f"wrote {path}")
    print(f"evaluated in {time.perf_counter() - started:.1f} s")
    return 0


def load_samples(args):
    """``(samples, labels, codes)`` the command line names: drawn from ``--checkpoint`` (labels: what a
    conditional generator was asked for; codes: an InfoGAN's categorical codes; else None) or read from
    ``--npy`` (neither)."""
    if args.checkpoint:
        return load_samples_from_checkpoint(args.checkpoint, args.n or 10_000, args.seed, args.truncation)
    return load_samples_from_npy(args.npy, args.n), None, None


def main(argv=None):
    """Command line entry point; returns the exit status (0 ok, 1 error, 2 bad arguments)."""
    return run_main(build_parser(), run, argv, errors=(DownloadError, OSError, ValueError, MemoryError))


if __name__ == "__main__":
    sys.exit(main())
