"""The test suite's own machinery (tests/conftest.py), run as a user runs it: pytest in a fresh process on a
copy of the repository's layout. It finds real MNIST where the README puts it (data/), and sums the
gradient checks up in one line unless asked for the table."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MNIST_FILES

TESTS = Path(__file__).resolve().parent

FAKE_TESTS = '''
from pathlib import Path

def test_mnist_is_found_in_data(mnist_dir):
    assert mnist_dir == Path(__file__).resolve().parents[1] / "data"

def test_gradient_checks(record_max_error):
    for label, error in (("Dense W", 2e-9), ("Conv2d", 3e-7), ("BatchNorm", 1e-8)):
        record_max_error(label, error)
'''


@pytest.fixture
def clone(tmp_path):
    """A folder laid out as the repository after the README's data step: tests/conftest.py, data/*.gz."""
    (tmp_path / "tests").mkdir()
    shutil.copy(TESTS / "conftest.py", tmp_path / "tests" / "conftest.py")
    (tmp_path / "tests" / "test_fake.py").write_text(FAKE_TESTS)
    (tmp_path / "data").mkdir()
    for name in MNIST_FILES:
        (tmp_path / "data" / name).write_bytes(b"")  # the fixture only looks for the files
    return tmp_path


def pytest_in(folder, *flags):
    env = {key: value for key, value in os.environ.items() if key not in ("NPGAN_MNIST_DIR", "CI")}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", *flags, "tests"],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=120)


def test_readme_test_command_finds_mnist_in_data_and_sums_up_gradient_checks(clone):
    result = pytest_in(clone)
    assert result.returncode == 0 and "2 passed" in result.stdout and "skipped" not in result.stdout, result.stdout
    assert "gradient checks: 3 checked, largest relative error 3.00e-07 (Conv2d); --gradcheck-table lists each" \
        in result.stdout
    assert "Dense W" not in result.stdout


def test_gradcheck_table_lists_every_check(clone):
    result = pytest_in(clone, "--gradcheck-table")
    assert result.returncode == 0, result.stdout
    assert "largest relative error per gradient check" in result.stdout
    for label, error in (("BatchNorm", "1.00e-08"), ("Conv2d", "3.00e-07"), ("Dense W", "2.00e-09")):
        assert f"{label:<40} {error}" in result.stdout


def test_without_mnist_the_skip_says_where_to_put_it(clone):
    shutil.rmtree(clone / "data")
    result = pytest_in(clone, "-k", "mnist")
    assert "real MNIST not found in" in result.stdout and "downloads it there" in result.stdout, result.stdout
