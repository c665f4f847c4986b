"""Shared fixtures.

Real MNIST is never downloaded in tests. Its folder comes from the environment variable NPGAN_MNIST_DIR
(CI sets it to ../shared/data/mnist); without it we look in the repository's data/ folder (where
``python -m npgan.train`` downloads it, as the README says), then beside the repository in
../shared/data/mnist. When CI is set, a missing folder is an error, never a silent skip.

The gradient checks' largest errors are summed up in one line at the end of the run; ``--gradcheck-table``
prints them all, one line per check.
"""
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MNIST_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


@pytest.fixture(scope="session", autouse=True)
def one_blas_thread():
    """Every test at one BLAS thread, as npgan's command lines run: on a 2-core machine with anything else
    busy, multi-threaded OpenBLAS can be 100x slower for these small products."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


def pytest_addoption(parser):
    parser.addoption("--gradcheck-table", action="store_true",
                     help="npgan: print the largest relative error of every gradient check, not only the largest")


def mnist_folders(repo=REPO):
    """Where the tests look for real MNIST, in turn: $NPGAN_MNIST_DIR, data/ (the README's), ../shared/data/mnist."""
    return [Path(folder) for folder in (os.environ.get("NPGAN_MNIST_DIR"), repo / "data",
                                        repo.parent / "shared" / "data" / "mnist") if folder]


def find_mnist(folders):
    """The first of ``folders`` holding the four MNIST .gz files, or None."""
    return next((folder for folder in folders if all((folder / name).is_file() for name in MNIST_FILES)), None)


@pytest.fixture(scope="session")
def mnist_dir():
    """Folder holding the four real MNIST .gz files."""
    folder = find_mnist(mnist_folders())
    if folder is not None:
        return folder
    message = (f"real MNIST not found in {REPO / 'data'}: `python -m npgan.train` downloads it there, or set "
               "NPGAN_MNIST_DIR to a folder with the four MNIST .gz files")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def offline(monkeypatch):
    """Fail loudly if anything tries to download: a test that reaches the network with bad input let through."""
    from npgan import data

    def no_download(*args, **kwargs):
        raise AssertionError("the network must not be touched")
    monkeypatch.setattr(data, "_download_all", no_download)


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    """Where the tests' evaluator caches its classifier (never the MNIST folder)."""
    return tmp_path_factory.mktemp("evaluator-cache")


@pytest.fixture(scope="session")
def judge_recipe():
    """The CNN judge's recipe cut to one epoch for the tests: about 15 s instead of 90, 98.7% instead of 99.3%
    on the test digits (the full recipe's accuracy is measured outside the suite: README)."""
    from npgan.classifier import RECIPES

    return {**RECIPES["cnn"], "epochs": 1}


@pytest.fixture(scope="session")
def mnist_evaluator(one_blas_thread, mnist_dir, cache_dir, judge_recipe):
    """The evaluator with the CNN judge (:func:`judge_recipe`) on real MNIST, trained once per test session."""
    from npgan.evaluate import Evaluator

    return Evaluator("mnist", mnist_dir, cache_dir=cache_dir, download=False, recipe=judge_recipe, log=None)


@pytest.fixture
def test_judge(monkeypatch, mnist_evaluator, judge_recipe):
    """The command lines' default judge made the session's one-epoch CNN, whose cache is in ``cache_dir``."""
    from npgan import classifier

    monkeypatch.setitem(classifier.RECIPES, "cnn", judge_recipe)
    return mnist_evaluator


_MAX_ERRORS = {}


@pytest.fixture
def record_max_error():
    """Record the largest relative error a gradient check saw, per label; summed up at the end of the run."""
    def record(label, error):
        _MAX_ERRORS[label] = max(error, _MAX_ERRORS.get(label, 0.0))
    return record


def pytest_terminal_summary(terminalreporter, config):
    if not _MAX_ERRORS:
        return
    if config.getoption("gradcheck_table"):
        terminalreporter.section("largest relative error per gradient check")
        for label, error in sorted(_MAX_ERRORS.items()):
            terminalreporter.write_line(f"{label:<40} {error:.2e}")
        return
    worst = max(_MAX_ERRORS, key=_MAX_ERRORS.get)
    terminalreporter.write_line(f"gradient checks: {len(_MAX_ERRORS)} checked, largest relative error "
                                f"{_MAX_ERRORS[worst]:.2e} ({worst}); --gradcheck-table lists each")
