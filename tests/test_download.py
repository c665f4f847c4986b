"""The downloader against a real HTTP server on 127.0.0.1, serving small IDX files made here.

No test touches the internet: every mirror is the local server, and checksums are the tests' own.
"""
import gzip
import hashlib

import numpy as np
import pytest
from _http_server import FileServer

from npgan import data
from npgan.data import (DatasetSpec, DownloadError, FileSpec, fetch, load_dataset, load_mnist, verify_file,
                        write_idx)

NAMES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
TRAIN_IMAGES, TRAIN_LABELS = NAMES[:2]


@pytest.fixture(autouse=True)
def fast_and_local(monkeypatch):
    monkeypatch.setattr(data, "BACKOFF", 0.0)  # retries without sleeping
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # never route the local server through a proxy


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The four files as a mirror publishes them: {name: gz bytes}, 10 train and 5 test images."""
    folder = tmp_path_factory.mktemp("published")
    rng = np.random.default_rng(0)
    arrays = {
        NAMES[0]: rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
        NAMES[1]: rng.integers(0, 10, 10, dtype=np.uint8),
        NAMES[2]: rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        NAMES[3]: rng.integers(0, 10, 5, dtype=np.uint8),
    }
    for name, array in arrays.items():
        write_idx(folder / name, array)
    return {name: (folder / name).read_bytes() for name in NAMES}, arrays


def spec_for(files, md5=True, sha256=False, mirrors=()):
    """A DatasetSpec for ``files`` ({name: gz bytes}) with checksums the tests choose."""
    def file_spec(name):
        content = gzip.decompress(files[name])
        return FileSpec(name,
                        md5=hashlib.md5(files[name]).hexdigest() if md5 else None,
                        sha256=hashlib.sha256(content).hexdigest() if sha256 else None)
    specs = [file_spec(name) for name in NAMES]
    return DatasetSpec("TestSet", "", tuple(mirrors), "NPGAN_TEST_MIRRORS",
                       train=(specs[0], specs[1]), test=(specs[2], specs[3]))


@pytest.fixture
def server():
    with FileServer() as running:
        yield running


def serve(server, mirror, files):
    for name, body in files.items():
        server.add(f"/{mirror}/{name}", body)
    return f"{server.url}/{mirror}/"


def test_first_mirror_404_second_used(server, published, tmp_path):
    files, arrays = published
    mirrors = [f"{server.url}/gone/", serve(server, "ok", files)]
    images, labels = load_dataset(spec_for(files), "train", tmp_path, mirrors=mirrors)
    np.testing.assert_array_equal(images, arrays[TRAIN_IMAGES])
    np.testing.assert_array_equal(labels, arrays[TRAIN_LABELS])
    assert server.count(f"/gone/{TRAIN_IMAGES}") == 1 and server.count(f"/ok/{TRAIN_IMAGES}") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([TRAIN_IMAGES, TRAIN_LABELS])


def test_checksum_failure_moves_to_next_mirror_and_leaves_nothing(server, published, tmp_path):
    files, arrays = published
    wrong = {name: gzip.compress(b"not the data") for name in files}
    mirrors = [serve(server, "bad", wrong), serve(server, "ok", files)]
    images, _ = load_dataset(spec_for(files), "train", tmp_path, mirrors=mirrors)
    np.testing.assert_array_equal(images, arrays[TRAIN_IMAGES])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([TRAIN_IMAGES, TRAIN_LABELS])

    empty = tmp_path / "empty"
    with pytest.raises(DownloadError, match="checksum mismatch"):
        fetch(spec_for(files), "train", empty, mirrors=mirrors[:1])
    assert list(empty.iterdir()) == []  # no temp file, nothing under the final name


def test_cut_connection_is_retried(server, published, tmp_path):
    files, arrays = published
    mirror = serve(server, "flaky", files)
    server.add(f"/flaky/{TRAIN_IMAGES}", files[TRAIN_IMAGES], cut_after=100, cuts=2)
    images, _ = load_dataset(spec_for(files), "train", tmp_path, mirrors=[mirror])
    np.testing.assert_array_equal(images, arrays[TRAIN_IMAGES])
    assert server.count(f"/flaky/{TRAIN_IMAGES}") == 3


def test_persistent_failures_give_up_then_next_mirror(server, published, tmp_path):
    files, _ = published
    server.add(f"/cut/{TRAIN_IMAGES}", files[TRAIN_IMAGES], cut_after=100, cuts=99)
    server.add(f"/down/{TRAIN_IMAGES}", status=503)
    mirrors = [f"{server.url}/cut/", f"{server.url}/down/", serve(server, "ok", files)]
    fetch(spec_for(files), "train", tmp_path, mirrors=mirrors)
    attempts = data.RETRIES + 1
    assert server.count(f"/cut/{TRAIN_IMAGES}") == attempts
    assert server.count(f"/down/{TRAIN_IMAGES}") == attempts
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([TRAIN_IMAGES, TRAIN_LABELS])


def test_all_mirrors_fail_error_lists_urls_and_manual_fix(server, published, tmp_path):
    files, _ = published
    server.add(f"/down/{TRAIN_IMAGES}", status=500)
    mirrors = [f"{server.url}/gone/", f"{server.url}/down/", "http://127.0.0.1:9/closed/"]
    with pytest.raises(DownloadError) as caught:
        fetch(spec_for(files), "train", tmp_path / "d", mirrors=mirrors)
    message = str(caught.value)
    assert f"{server.url}/gone/{TRAIN_IMAGES}: HTTP 404" in message
    assert f"{server.url}/down/{TRAIN_IMAGES}: HTTP 500" in message
    assert f"http://127.0.0.1:9/closed/{TRAIN_IMAGES}: ConnectionError" in message
    assert str((tmp_path / "d").resolve()) in message
    assert all(name in message for name in NAMES)
    assert list((tmp_path / "d").iterdir()) == []


def test_valid_files_present_means_no_request(server, published, tmp_path):
    files, arrays = published
    for name, body in files.items():
        (tmp_path / name).write_bytes(body)
    mirror = serve(server, "ok", files)
    for split in ("train", "test"):
        load_dataset(spec_for(files), split, tmp_path, mirrors=[mirror])
    assert server.count() == 0


def test_recompressed_file_accepted_by_content_sha256(server, published, tmp_path):
    files, arrays = published
    recompressed = gzip.compress(gzip.decompress(files[TRAIN_IMAGES]), compresslevel=1, mtime=12345)
    assert recompressed != files[TRAIN_IMAGES]
    (tmp_path / TRAIN_IMAGES).write_bytes(recompressed)
    (tmp_path / TRAIN_LABELS).write_bytes(files[TRAIN_LABELS])
    spec = spec_for(files, md5=True, sha256=True)
    images, _ = load_dataset(spec, "train", tmp_path, mirrors=[serve(server, "ok", files)])
    np.testing.assert_array_equal(images, arrays[TRAIN_IMAGES])
    assert server.count() == 0
    assert (tmp_path / TRAIN_IMAGES).read_bytes() == recompressed  # used as it is


def test_corrupted_cached_file_is_replaced(server, published, tmp_path):
    files, arrays = published
    (tmp_path / TRAIN_IMAGES).write_bytes(files[TRAIN_IMAGES][:-20])  # cut short
    (tmp_path / TRAIN_LABELS).write_bytes(files[TRAIN_LABELS])
    spec = spec_for(files, sha256=True)
    images, _ = load_dataset(spec, "train", tmp_path, mirrors=[serve(server, "ok", files)])
    np.testing.assert_array_equal(images, arrays[TRAIN_IMAGES])
    assert (tmp_path / TRAIN_IMAGES).read_bytes() == files[TRAIN_IMAGES]
    assert server.count() == 1  # the labels were fine


def test_download_false_names_missing_files_without_network(server, published, tmp_path):
    files, _ = published
    mirror = serve(server, "ok", files)
    with pytest.raises(FileNotFoundError) as caught:
        fetch(spec_for(files), "test", tmp_path / "nothing", download=False, mirrors=[mirror])
    assert NAMES[2] in str(caught.value) and NAMES[3] in str(caught.value)
    assert server.count() == 0
    assert not (tmp_path / "nothing").exists()


def test_mirrors_from_environment_and_argument_wins(server, published, tmp_path, monkeypatch):
    files, _ = published
    env_mirror, arg_mirror = serve(server, "env", files), serve(server, "arg", files)
    monkeypatch.setenv("NPGAN_TEST_MIRRORS", f"{server.url}/gone/, {env_mirror}")
    fetch(spec_for(files), "train", tmp_path / "a")
    assert server.count(f"/gone/{TRAIN_IMAGES}") == 1 and server.count(f"/env/{TRAIN_IMAGES}") == 1
    fetch(spec_for(files), "train", tmp_path / "b", mirrors=[arg_mirror])
    assert server.count(f"/arg/{TRAIN_IMAGES}") == 1 and server.count(f"/env/{TRAIN_IMAGES}") == 1


def test_images_and_labels_must_agree(published, tmp_path):
    files, _ = published
    write_idx(tmp_path / TRAIN_LABELS, np.zeros(9, dtype=np.uint8))  # 10 images, 9 labels
    (tmp_path / TRAIN_IMAGES).write_bytes(files[TRAIN_IMAGES])
    mismatched = dict(files, **{TRAIN_LABELS: (tmp_path / TRAIN_LABELS).read_bytes()})
    with pytest.raises(ValueError, match="10 images but 9 labels"):
        load_dataset(spec_for(mismatched), "train", tmp_path, download=False)

    write_idx(tmp_path / TRAIN_IMAGES, np.zeros((10, 28, 27), dtype=np.uint8))
    wrong_shape = dict(mismatched, **{TRAIN_IMAGES: (tmp_path / TRAIN_IMAGES).read_bytes()})
    with pytest.raises(ValueError, match=r"\(N, 28, 28\)"):
        load_dataset(spec_for(wrong_shape), "train", tmp_path, download=False)


def test_verify_file(published, tmp_path):
    files, _ = published
    path = tmp_path / TRAIN_LABELS
    path.write_bytes(files[TRAIN_LABELS])
    md5 = hashlib.md5(files[TRAIN_LABELS]).hexdigest()
    sha256 = hashlib.sha256(gzip.decompress(files[TRAIN_LABELS])).hexdigest()
    assert verify_file(path, md5=md5) and verify_file(path, sha256=sha256)
    assert not verify_file(path, md5="0" * 32, sha256="0" * 64)
    assert not verify_file(tmp_path / "missing", md5=md5)
    path.write_bytes(files[TRAIN_LABELS][:-3])  # corrupt gzip: not verified, no exception
    assert not verify_file(path, sha256=sha256)


def test_load_mnist_arguments_and_fashion_folder(tmp_path):
    with pytest.raises(ValueError, match="split"):
        load_mnist("validation", tmp_path, download=False)
    with pytest.raises(ValueError, match="dataset"):
        load_mnist("train", tmp_path, download=False, dataset="cifar")
    with pytest.raises(FileNotFoundError, match="fashion-mnist"):
        load_mnist("train", tmp_path, download=False, dataset="fashion-mnist")


def _install(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)


def _fashion_like(files):
    """A spec for ``files`` that, like Fashion-MNIST's, has a sub-folder of its own ("fashion-mnist")."""
    spec = spec_for(files, md5=False, sha256=True)  # Debian re-compresses: only the content hash holds
    return DatasetSpec("Fashion-like", "fashion-mnist", (), "NPGAN_TEST_MIRRORS", spec.train, spec.test)


def _listing(folder):
    return sorted((p.relative_to(folder), p.stat().st_mtime_ns) for p in folder.rglob("*"))


@pytest.mark.parametrize("where", ["folder itself", "sub-folder"])
def test_dataset_with_a_sub_folder_is_also_found_in_the_folder_itself(published, tmp_path, monkeypatch, where):
    # Debian's dataset-fashion-mnist puts the four files in a folder of their own: --data-dir can name it.
    files, arrays = published
    _install(tmp_path if where == "folder itself" else tmp_path / "fashion-mnist", files)
    monkeypatch.setitem(data.DATASETS, "fashion-mnist", _fashion_like(files))
    before = _listing(tmp_path)
    for split, (images_name, labels_name) in (("train", NAMES[:2]), ("test", NAMES[2:])):
        images, labels = load_mnist(split, tmp_path, download=False, dataset="fashion-mnist")
        assert np.array_equal(images, arrays[images_name]) and np.array_equal(labels, arrays[labels_name])
    assert _listing(tmp_path) == before  # used as they are: nothing written


def test_checksums_tell_identically_named_datasets_apart(published, tmp_path, monkeypatch):
    # MNIST's files in data/ and Fashion-MNIST's in data/fashion-mnist/ have the same names.
    files, arrays = published
    other = {name: gzip.compress(gzip.decompress(content)[::-1]) for name, content in files.items()}
    _install(tmp_path, other)
    _install(tmp_path / "fashion-mnist", files)
    monkeypatch.setitem(data.DATASETS, "fashion-mnist", _fashion_like(files))
    images, _ = load_mnist("train", tmp_path, download=False, dataset="fashion-mnist")
    assert np.array_equal(images, arrays[TRAIN_IMAGES])
    with pytest.raises(FileNotFoundError, match="fashion-mnist"):  # missing ones go to the sub-folder
        load_dataset(_fashion_like(files), "train", tmp_path / "elsewhere", download=False)


@pytest.mark.parametrize("damage, reason", [
    (lambda gz: gz[:len(gz) // 2], "its gzip data is cut short"),
    (lambda gz: gzip.decompress(gz)[:-7], "it is neither gzip data nor a whole IDX file (truncated"),
    (lambda gz: gzip.compress(b"other data"), "it is gzip data, but not the published file"),
    (lambda gz: b"", "it is empty"),
])
def test_a_local_file_failing_its_checksum_is_named_with_the_reason(server, published, tmp_path, damage, reason):
    files, _ = published
    spec = spec_for(files, sha256=True)
    bad, damaged = tmp_path / TRAIN_IMAGES, damage(files[TRAIN_IMAGES])  # once: gzip.compress stamps the time
    bad.write_bytes(damaged)
    with pytest.raises(FileNotFoundError) as offline:
        fetch(spec, "train", tmp_path, download=False)
    with pytest.raises(DownloadError) as online:
        fetch(spec, "train", tmp_path, mirrors=[f"{server.url}/nothing/"])
    for error in (offline, online):
        message = str(error.value)
        assert message.startswith(f"{bad} was not used: {reason}"), message
        assert "delete it, or put the published" in message
    assert bad.read_bytes() == damaged  # left as it was for the user to see


@pytest.mark.parametrize("name", ["train-images-idx3-ubyte", TRAIN_IMAGES])
def test_a_gunzipped_file_that_verifies_is_used(server, published, tmp_path, name):
    files, arrays = published
    (tmp_path / name).write_bytes(gzip.decompress(files[TRAIN_IMAGES]))
    (tmp_path / TRAIN_LABELS).write_bytes(files[TRAIN_LABELS])
    images, _ = load_dataset(spec_for(files, sha256=True), "train", tmp_path, mirrors=[f"{server.url}/nothing/"])
    np.testing.assert_array_equal(images, arrays[TRAIN_IMAGES])
    assert server.count() == 0 and sorted(p.name for p in tmp_path.iterdir()) == sorted([name, TRAIN_LABELS])
