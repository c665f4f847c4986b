"""npgan.evaluate: the Evaluator and its cache (on a small synthetic dataset), the command line's every bad
input, and, with real MNIST, the reference classifier's accuracy and figures that tell real from fake."""
import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from npgan import evaluate
from npgan.classifier import RECIPES
from npgan.data import DATASETS, load_mnist
from npgan.evaluate import Evaluator, format_table, main
from npgan.checkpoints import generator_arrays, load_generator
from npgan.gan import GAN, GANConfig, to_unit_range
from npgan.models import make_generator
from npgan.sample import draw
from npgan.train import train

TINY_RECIPE = {**RECIPES["mlp"], "hidden": [16], "epochs": 1, "batch_size": 50}
TINY_CACHE = "mnist-mlp-classifier.npz"


@pytest.fixture(autouse=True)
def never_download(offline):
    """Every test here runs offline (conftest's ``offline``)."""


# --- The Evaluator and its cache, on synthetic data ------------------------------------------------------

@pytest.fixture
def synthetic_data(monkeypatch):
    """A 300/60-image stand-in for MNIST behind ``load_mnist``; returns the dict of its arrays."""
    rng = np.random.default_rng(0)
    arrays = {split: (rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), rng.integers(0, 10, n, dtype=np.uint8))
              for split, n in (("train", 300), ("test", 60))}
    monkeypatch.setattr(evaluate, "load_mnist", lambda split, *args, **kwargs: arrays[split])
    monkeypatch.setenv("XDG_CACHE_HOME", "/nonexistent/never-written")
    return arrays


def build(data_dir, recipe=TINY_RECIPE, **kwargs):
    messages = []
    evaluator = Evaluator("mnist", data_dir, recipe=recipe, log=messages.append, **kwargs)
    return evaluator, messages


def trained(messages):
    return any("training the reference classifier" in m for m in messages)


def test_classifier_is_cached_beside_the_data_and_reused(synthetic_data, tmp_path):
    first, messages = build(tmp_path)
    assert trained(messages) and first.cache_path == tmp_path / TINY_CACHE
    assert [p.name for p in tmp_path.iterdir()] == [TINY_CACHE]  # atomic: no temp file left
    second, messages = build(tmp_path)
    assert not trained(messages) and messages == []
    assert np.array_equal(first.net.flat_params, second.net.flat_params)
    assert np.array_equal(first.test_nearest, second.test_nearest)
    samples = to_unit_range(synthetic_data["test"][0])
    assert first.score(samples, copying=True) == second.score(samples, copying=True)


def test_training_is_deterministic(synthetic_data, tmp_path):
    a, _ = build(tmp_path / "a")
    b, _ = build(tmp_path / "b")
    assert np.array_equal(a.net.flat_params, b.net.flat_params)


def test_a_changed_recipe_or_dataset_trains_again(synthetic_data, tmp_path):
    build(tmp_path)
    _, messages = build(tmp_path, recipe={**TINY_RECIPE, "seed": 1})
    assert trained(messages) and any("another recipe or dataset" in m for m in messages)
    synthetic_data["train"][0][0, 0, 0] ^= 1  # one pixel of one training image
    _, messages = build(tmp_path, recipe={**TINY_RECIPE, "seed": 1})
    assert trained(messages)
    _, messages = build(tmp_path, recipe={**TINY_RECIPE, "seed": 1})
    assert not trained(messages)


def test_damaged_cache_is_reported_and_replaced(synthetic_data, tmp_path):
    (tmp_path / TINY_CACHE).write_bytes(b"PK\x03\x04 not really a zip")
    evaluator, messages = build(tmp_path)
    assert trained(messages) and any("damaged" in m for m in messages)
    assert evaluator.cache_path == tmp_path / TINY_CACHE
    _, messages = build(tmp_path)
    assert not trained(messages)


def test_read_only_data_folder_caches_in_the_user_cache_or_in_memory(synthetic_data, tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    data_dir.chmod(0o555)  # even root, who could write, leaves it alone
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    evaluator, messages = build(data_dir)
    assert evaluator.cache_path == tmp_path / "cache" / "npgan" / TINY_CACHE
    assert list(data_dir.iterdir()) == []
    assert sum("cached in" in m for m in messages) == 1 and "read-only" in messages[-1]
    _, messages = build(data_dir)
    assert not trained(messages)

    (tmp_path / "locked").mkdir(mode=0o555)
    evaluator, messages = build(data_dir, cache_dir=tmp_path / "locked")
    assert evaluator.cache_path is None and "memory" in messages[-1]


def test_score_is_a_flat_dict_of_floats(synthetic_data, tmp_path):
    evaluator, _ = build(tmp_path)
    samples = np.random.default_rng(1).uniform(-1, 1, (40, 784)).astype(np.float32)
    figures = evaluator.score(samples)
    assert set(figures) == {"fid", "min_share", "kl_uniform", "confident_share", "precision", "recall"}
    assert all(isinstance(v, float) and np.isfinite(v) for v in figures.values())
    assert set(evaluator.score(samples, copying=True)) == set(figures) | {"copying"}
    assert set(evaluator.reference(40)) == set(figures) | {"copying"}
    with pytest.raises(ValueError, match="784"):
        evaluator.score(samples.reshape(40, 28, 28))


TINY_CNN = {**RECIPES["cnn"], "channels": [2, 4], "hidden": [8], "epochs": 1, "batch_size": 50}


def test_both_judges_cache_side_by_side(synthetic_data, tmp_path):
    cnn, messages = build(tmp_path, recipe=TINY_CNN)
    assert trained(messages) and cnn.judge == "cnn" and cnn.cache_path == tmp_path / "mnist-cnn-classifier.npz"
    mlp, _ = build(tmp_path)
    assert mlp.judge == "mlp" and sorted(p.name for p in tmp_path.iterdir()) == [
        "mnist-cnn-classifier.npz", TINY_CACHE]
    _, messages = build(tmp_path, recipe=TINY_CNN)
    assert not trained(messages)                              # each judge finds its own cache
    features, probabilities = cnn.classify(to_unit_range(synthetic_data["test"][0]))
    assert features.shape == (60, 8) and probabilities.shape == (60, 10)  # features: its last hidden layer
    with pytest.raises(ValueError, match="judge must be one of cnn, mlp"):
        Evaluator("mnist", tmp_path, judge="svm")


def test_random_shifts_move_each_image_by_at_most_the_margin():
    from npgan.classifier import random_shifts
    rng = np.random.default_rng(3)
    images = np.zeros((40, 28, 28), dtype=np.uint8)
    images[:, 2:-2, 2:-2] = rng.integers(1, 256, (40, 24, 24))  # content away from the border: nothing cut off
    shifted = random_shifts(images, np.random.default_rng(4), 2)
    assert shifted.shape == images.shape and shifted.dtype == np.uint8
    offsets = []
    for original, moved in zip(images, shifted):
        found = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                 if np.array_equal(np.roll(original, (dy, dx), axis=(0, 1)), moved)]
        assert len(found) == 1
        offsets.append(found[0])
    assert len(set(offsets)) > 10  # a different offset for each image, not one per batch


def test_table_names_fashion_classes():
    result = {"dataset": "fashion-mnist", "items": "items", "n": 3, "source": "g.npz", "seed": 0,
              "classifier": {"test_accuracy": 0.9, "judge": "cnn"}, "classes": list(DATASETS["fashion-mnist"].classes),
              "samples": dict.fromkeys(["fid", "min_share", "kl_uniform", "confident_share", "copying", "precision",
                                        "recall"], 0.5),
              "shares": {"samples": [0.1] * 10, "real": [0.1] * 10},
              "notes": {"real fid": "x", "copying": "y"}}
    result["real"] = result["samples"]
    table = format_table(result)
    assert "Ankle boot" in table and "T-shirt/top" in table and "3 generated items" in table


# --- The command line: bad input is one line, exit status != 0, nothing written ---------------------------

@pytest.fixture
def gen_path(tmp_path):
    path = tmp_path / "generator.npz"
    np.savez(path, **generator_arrays(make_generator(8, 16, rng=0), 8))
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)  # pickled too, to prove the reader refuses it
    return buffer.getvalue()


GOOD = np.zeros((10, 784), dtype=np.float32)
BAD_NPY = {  # kind: (the file's bytes, or None for no file; what the error line says)
    "missing": (None, "no such file"),
    "text": (b"0.5, 0.5\n", "not a .npy"),
    "truncated": (npy_bytes(GOOD)[:1000], "truncated"),
    "pickled": (npy_bytes(np.array([{"evil": 1}] * 10, dtype=object)), "pickled"),
    "shape": (npy_bytes(GOOD.reshape(10, 16, 49)), "shape"),
    "flat": (npy_bytes(GOOD.ravel()), "shape"),
    "uint8": (npy_bytes(GOOD.astype(np.uint8)), "x / 127.5 - 1"),
    "int": (npy_bytes(GOOD.astype(np.int64)), "dtype int64"),
    "range": (npy_bytes(GOOD - 1.5), "[-1, 1]"),
    "pixels": (npy_bytes(GOOD + 255), "x / 127.5 - 1"),
    "nan": (npy_bytes(np.where(np.arange(784) == 3, np.nan, GOOD)), "NaN"),
    "inf": (npy_bytes(np.where(np.arange(784) == 5, -np.inf, GOOD)), "inf"),
    "one row": (npy_bytes(GOOD[:1]), "need 2"),
}


def assert_one_line_error(code, out, err, expected, exit_code=1):
    assert code == exit_code, err
    assert "Traceback" not in err and out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith("npgan.evaluate: error: ") and expected in err, err


@pytest.mark.parametrize("kind", sorted(BAD_NPY))
def test_bad_npy_is_one_line_and_writes_nothing(capsys, tmp_path, kind):
    content, expected = BAD_NPY[kind]
    path = tmp_path / "samples.npy"
    if content is not None:
        path.write_bytes(content)
    before = sorted(os.listdir(tmp_path))
    code, out, err = run(capsys, "--npy", path, "--json", tmp_path / "r.json", "--png", tmp_path / "r.png")
    assert_one_line_error(code, out, err, expected)
    assert sorted(os.listdir(tmp_path)) == before


def test_npy_with_fewer_rows_than_n(capsys, tmp_path):
    path = tmp_path / "s.npy"
    np.save(path, np.zeros((5, 28, 28), dtype=np.float64))
    assert_one_line_error(*run(capsys, "--npy", path, "--n", 6), "fewer than --n 6")


@pytest.mark.parametrize("damage, expected", [
    ("missing", "no such file"), ("garbage", "not an .npz"), ("pickled", "pickled"), ("foreign", "config")])
def test_bad_checkpoint_is_one_line_and_writes_nothing(capsys, tmp_path, gen_path, damage, expected):
    path = tmp_path / "bad.npz"
    if damage == "garbage":
        path.write_bytes(b"not a zip file at all")
    elif damage == "pickled":
        np.savez(path, config=np.array([{"z_size": 8}], dtype=object))
    elif damage == "foreign":
        np.savez(path, weights=np.zeros(3))
    before = sorted(os.listdir(tmp_path))
    code, out, err = run(capsys, "--checkpoint", path, "--json", tmp_path / "r.json")
    assert_one_line_error(code, out, err, expected)
    assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.parametrize("flags, expected", [
    (["--n", "0"], "--n"), (["--n", "1"], "from 2 to 60000"), (["--n", "60001"], "from 2 to 60000"),
    (["--n", "ten"], "integer"), (["--seed", "-1"], "--seed"), (["--threads", "0"], "--threads"),
    (["--dataset", "cifar"], "--dataset"), (["--npy", "x.npy"], "not allowed with argument"),
    (["--truncation", "0"], "0 < T <= 1"), (["--truncation", "-0.3"], "0 < T <= 1"), (["--judge", "svm"], "--judge"),
])
def test_bad_flags_exit_2_with_one_line(capsys, gen_path, flags, expected):
    for argv in (["--checkpoint", gen_path, *flags], ["--seed", "1"]):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == "" and len(err.splitlines()) == 1, err
        assert err.startswith("npgan.evaluate: error: ")
        assert (expected if argv[0] == "--checkpoint" else "--checkpoint --npy is required") in err


def test_truncation_needs_a_generator(capsys, tmp_path):
    np.save(tmp_path / "s.npy", GOOD)
    code, out, err = run(capsys, "--npy", tmp_path / "s.npy", "--truncation", "0.5", "--json", tmp_path / "r.json")
    assert_one_line_error(code, out, err, "goes with --checkpoint, not --npy", exit_code=2)
    assert sorted(os.listdir(tmp_path)) == ["s.npy"]


@pytest.mark.parametrize("where, expected", [
    ("no-folder/r.json", "does not exist"), ("a-folder", "it is a folder"), ("same", "same file")])
def test_unwritable_outputs_fail_before_any_work(capsys, tmp_path, gen_path, where, expected):
    (tmp_path / "a-folder").mkdir()
    outputs = ["--json", tmp_path / "r.json", "--png", tmp_path / "r.json"] if where == "same" else \
        ["--json", tmp_path / where]
    before = sorted(os.listdir(tmp_path))
    code, out, err = run(capsys, "--checkpoint", gen_path, "--data-dir", tmp_path / "no-data", *outputs)
    assert_one_line_error(code, out, err, expected, exit_code=2 if where == "same" else 1)
    assert sorted(os.listdir(tmp_path)) == before


def test_help_and_an_error_as_a_program(tmp_path):
    def program(*argv):
        return subprocess.run([sys.executable, "-m", "npgan.evaluate", *map(str, argv)], capture_output=True,
                              text=True, env={**os.environ, "MPLBACKEND": "Agg"}, timeout=60)

    shown = program("--help")
    assert shown.returncode == 0 and "--checkpoint" in shown.stdout and "copying" in shown.stdout
    failed = program("--npy", tmp_path / "missing.npy")
    assert failed.returncode == 1 and failed.stdout == ""
    assert failed.stderr.startswith("npgan.evaluate: error: ") and len(failed.stderr.splitlines()) == 1


# --- Real MNIST --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def one_epoch_run(mnist_dir, tmp_path_factory):
    """A tutorial GAN after one epoch: its output folder."""
    images, _ = load_mnist("train", mnist_dir, download=False)
    out = tmp_path_factory.mktemp("one-epoch")
    train(images[5000:], GANConfig(epochs=1), out, progress=False, log=lambda message: None)
    return out


def test_reference_classifier_reaches_98_percent(mnist_evaluator):
    assert mnist_evaluator.accuracy >= 0.98


def test_real_images_score_far_better_than_a_generator_after_one_epoch(mnist_evaluator, mnist_dir, one_epoch_run):
    G, meta = load_generator(one_epoch_run / "generator.npz")
    fake = mnist_evaluator.score(draw(G, meta, 2000, seed=0)[0], copying=True)
    real = mnist_evaluator.reference(2000)
    assert fake["fid"] > 5 * real["fid"]
    assert fake["confident_share"] < real["confident_share"] - 0.2
    assert fake["copying"] > 1.2  # blurry blobs are far from every training digit
    test_u8, _ = load_mnist("test", mnist_dir, download=False)
    assert mnist_evaluator.copying(to_unit_range(test_u8[:500])) == pytest.approx(1, abs=0.05)  # held out
    train_u8, _ = load_mnist("train", mnist_dir, download=False)
    assert mnist_evaluator.copying(to_unit_range(train_u8[:500])) < 0.01  # copies of training images


def test_fid_grows_as_noise_is_added_to_real_images(mnist_evaluator, mnist_dir):
    test_u8, _ = load_mnist("test", mnist_dir, download=False)
    real = to_unit_range(test_u8[:2000])
    noise = np.random.default_rng(0).standard_normal(real.shape).astype(np.float32)
    fids = [mnist_evaluator.score(np.clip(real + sigma * noise, -1, 1))["fid"] for sigma in (0, 0.1, 0.3, 0.6)]
    assert fids == sorted(fids) and fids[-1] > 3 * fids[0], fids


def test_precision_and_recall_tell_quality_from_variety(mnist_evaluator, mnist_dir):
    train_u8, labels = load_mnist("train", mnist_dir, download=False)
    real = to_unit_range(train_u8[:3000])
    held_out = mnist_evaluator.score(real)                  # against the first 3,000 test digits
    ones = mnist_evaluator.score(to_unit_range(train_u8[labels == 1][:3000]))
    noise = np.random.default_rng(0).uniform(-1, 1, (1500, 784)).astype(np.float32)
    half_noise = mnist_evaluator.score(np.concatenate([real[:1500], noise]))
    assert held_out["precision"] > 0.75 and held_out["recall"] > 0.75, held_out
    assert ones["precision"] > 0.75 and ones["recall"] < 0.25, ones          # good digits, one kind only
    # Noise added to real digits leaves recall where it was (the real half still covers the digits). It
    # does not halve precision: the judge maps every noise image to one spot near its features' origin,
    # inside the k-NN balls of a few faint real digits (k-NN precision's known weakness to outliers).
    assert half_noise["recall"] > held_out["recall"] - 0.15, half_noise


def test_command_line_on_a_real_run(capsys, mnist_dir, cache_dir, one_epoch_run, test_judge, tmp_path):
    report, png = tmp_path / "report.json", tmp_path / "report.png"
    code, out, err = run(capsys, "--checkpoint", one_epoch_run / "generator.npz", "--n", 3000, "--seed", 1,
                         "--data-dir", mnist_dir, "--cache-dir", cache_dir, "--json", report, "--png", png)
    assert code == 0 and err == "" and "training the reference classifier" not in out
    result = json.loads(report.read_text())
    assert result["n"] == 3000 and result["seed"] == 1 and result["dataset"] == "mnist"
    assert result["copying_samples"] == 2000 and result["classifier"]["recipe"] == RECIPES["cnn"]
    assert result["judge"] == result["classifier"]["judge"] == "cnn" and result["truncation"] is None
    assert result["classifier"]["test_accuracy"] == pytest.approx(test_judge.accuracy)
    assert set(result["samples"]) == set(result["real"]) == {"fid", "min_share", "kl_uniform", "confident_share",
                                                               "copying", "precision", "recall"}
    assert (result["precision"], result["recall"]) == (result["samples"]["precision"], result["samples"]["recall"])
    assert result["real"]["precision"] > 0.7 and result["real"]["recall"] > 0.7
    assert result["recall"] < result["real"]["recall"] - 0.3  # one epoch: blobs that cover little
    assert result["classes"] == list("0123456789") and sum(result["shares"]["samples"]) == pytest.approx(1)
    assert result["samples"]["fid"] > result["real"]["fid"]
    assert f"{result['samples']['fid']:.2f}" in out and "copying ratio" in out
    with Image.open(png) as image:
        assert image.format == "PNG"
    samples = tmp_path / "samples.npy"
    np.save(samples, to_unit_range(load_mnist("test", mnist_dir, download=False)[0][:500]).reshape(500, 28, 28))
    code, out, err = run(capsys, "--npy", samples, "--data-dir", mnist_dir, "--cache-dir", cache_dir)
    assert code == 0 and "500 generated digits" in out


def test_conditional_generator_reports_how_often_the_asked_for_class_is_recognised(
        capsys, mnist_dir, cache_dir, test_judge, tmp_path):
    gan = GAN(GANConfig(z_size=8, g_hidden=16, d_hidden=16, conditional=True))
    path, report = tmp_path / "conditional.npz", tmp_path / "report.json"
    np.savez(path, **generator_arrays(gan.G, 8, classes=10))
    code, out, err = run(capsys, "--checkpoint", path, "--n", 1000, "--data-dir", mnist_dir, "--cache-dir", cache_dir,
                         "--json", report)
    assert code == 0, err
    result = json.loads(report.read_text())
    samples, labels = draw(*load_generator(path), 1000, 0)
    right = test_judge.classify(samples)[1].argmax(axis=1) == labels
    assert result["conditional"]["accuracy"] == pytest.approx(right.mean())
    assert result["conditional"]["per_class"] == pytest.approx([right[labels == k].mean() for k in range(10)])
    assert "asked-for class recognised" in out


def test_too_few_samples_for_fid_give_a_warning(capsys, mnist_dir, cache_dir, test_judge, tmp_path):
    path = tmp_path / "five.npy"
    np.save(path, to_unit_range(load_mnist("test", mnist_dir, download=False)[0][:5]))
    code, out, err = run(capsys, "--npy", path, "--data-dir", mnist_dir, "--cache-dir", cache_dir)
    assert code == 0 and "FID" in out
    assert err == (f"npgan.evaluate: warning: an FID of 5 samples means little (it is biased upward, the more the "
                   f"fewer samples): use --n {evaluate.MIN_FID_N:,} or more\n")
    assert f"at least {evaluate.MIN_FID_N:,}" in " ".join(evaluate.build_parser().format_help().split())
