"""Integration: the real MNIST files (read-only folder from the ``mnist_dir`` fixture), no network.

Fashion-MNIST is checked too when Debian's ``dataset-fashion-mnist`` package is installed; it is
skipped otherwise and CI does not depend on it.
"""
import shutil
from pathlib import Path

import numpy as np
import pytest

from npgan.data import load_mnist

DIGIT_COUNTS = {
    "train": [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    "test": [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
}
N = {"train": 60000, "test": 10000}
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")


@pytest.mark.parametrize("split", ["train", "test"])
def test_real_mnist(mnist_dir, split, offline):
    images, labels = load_mnist(split, data_dir=mnist_dir, download=False)
    n = N[split]
    assert sum(DIGIT_COUNTS[split]) == n
    assert images.shape == (n, 28, 28) and labels.shape == (n,)
    assert images.dtype == np.uint8 and labels.dtype == np.uint8
    assert images.max() == 255 and images.min() == 0
    assert np.bincount(labels, minlength=10).tolist() == DIGIT_COUNTS[split]


def test_real_mnist_with_download_allowed_makes_no_request(mnist_dir, offline):
    # Valid files present: download=True must still not touch the network or write anything
    # (checked by listing, since root, as in CI containers, can write to a read-only folder).
    before = sorted((p.name, p.stat().st_mtime_ns) for p in Path(mnist_dir).iterdir())
    images, _ = load_mnist("test", data_dir=mnist_dir)
    assert images.shape == (10000, 28, 28)
    assert sorted((p.name, p.stat().st_mtime_ns) for p in Path(mnist_dir).iterdir()) == before


@pytest.mark.skipif(not DEBIAN_FASHION.is_dir(), reason="Debian package dataset-fashion-mnist not installed")
def test_fashion_mnist_from_debian_package(tmp_path, offline):
    # Debian re-compressed the files (gz MD5s differ), so they verify by decompressed SHA-256.
    shutil.copytree(DEBIAN_FASHION, tmp_path / "fashion-mnist")
    for split, n in (("train", 60000), ("test", 10000)):
        images, labels = load_mnist(split, data_dir=tmp_path, download=False, dataset="fashion-mnist")
        assert images.shape == (n, 28, 28) and images.dtype == np.uint8
        assert np.bincount(labels, minlength=10).tolist() == [n // 10] * 10  # exactly balanced
