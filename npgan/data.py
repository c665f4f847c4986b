"""MNIST that always loads: a strict IDX reader/writer and a downloader with mirrors and checksums.

The IDX format
--------------
MNIST (and Fashion-MNIST) are published as IDX files, usually gzip-compressed. An IDX file is a
small header followed by one dense array::

    bytes 0-1    0x00 0x00             magic: two zero bytes
    byte  2      type code             0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                                       0x0D float32, 0x0E float64
    byte  3      ndim                  number of dimensions
    4*ndim bytes sizes                 one big-endian uint32 per dimension
    the rest     data                  prod(sizes) items, big-endian, row-major (C) order

So ``train-images-idx3-ubyte`` is ``00 00 08 03``, then 60000, 28, 28, then 47,040,000 pixel bytes.

Everything a file claims is checked against what it holds before memory is allocated, so a broken or
hostile file raises a ``ValueError`` naming the file and the problem, never hangs or exhausts memory.

Getting the data
----------------
:func:`load_mnist` uses the files in ``data_dir`` when they verify (gz MD5, or SHA-256 of the
decompressed bytes, so re-compressed copies are accepted, and so are gunzipped ones, named with or without
``.gz``); anything missing or failing is fetched from each mirror in turn, verified, and only then renamed
into place (:func:`atomic_write`). A local file that fails is named in any error, with the reason.
"""
from __future__ import annotations

import contextlib
import gzip
import hashlib
import math
import os
import secrets
import struct
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# ----------------------------------------------------------------------------------------------------
# IDX files
# ----------------------------------------------------------------------------------------------------

#: IDX type code -> big-endian NumPy dtype.
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
GZIP_MAGIC = b"\x1f\x8b"
# Deflate cannot expand input by more than about 1032:1, so a .gz file of n bytes holds at most
# ~1032*n bytes. A header claiming more is lying, and we can say so before reading anything.
MAX_GZIP_RATIO = 1032
_CHUNK = 1 << 20  # bytes per read when streaming or hashing


def read_idx(path) -> np.ndarray:
    """Read a raw or gzip-compressed IDX file.

    Returns a writeable array in native byte order with the dtype and shape the header declares
    (uint8 data stays uint8, e.g. ``(60000, 28, 28)`` for MNIST training images).

    Raises ``ValueError`` naming the file for anything malformed: bad magic, unknown type code,
    truncated header or body, trailing bytes, sizes the file cannot hold, corrupt or cut gzip stream.
    A missing path raises ``FileNotFoundError`` and a directory ``IsADirectoryError`` (both
    ``OSError``): those are not bad files but no file at all.
    """
    path = Path(path)
    with open(path, "rb") as raw:
        compressed = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        file_size = os.fstat(raw.fileno()).st_size
        try:
            if compressed:
                with gzip.GzipFile(fileobj=raw) as stream:
                    return _read_idx_stream(stream, path, file_size, compressed=True)
            return _read_idx_stream(raw, path, file_size, compressed=False)
        except (EOFError, zlib.error, struct.error, OSError) as error:
            # gzip.BadGzipFile is an OSError; EOFError means the stream ended before its end marker.
            problem = "corrupt gzip stream" if compressed else "read error"
            raise ValueError(f"{path}: {problem} ({error})") from error


def _read_idx_stream(stream, path: Path, file_size: int, compressed: bool) -> np.ndarray:
    """Parse header, check the claimed size is possible, then read exactly the body."""
    dtype, shape = _read_header(stream, path)
    header_size = 4 + 4 * len(shape)
    body_size = math.prod(shape) * dtype.itemsize  # Python ints: no overflow for any header
    _check_claimed_size(path, file_size, header_size, body_size, compressed)
    body = _read_exactly(stream, body_size, path)
    if stream.read(1):  # for gzip this also reaches the end marker, so the CRC gets checked
        raise ValueError(f"{path}: trailing bytes after the {body_size} bytes of data the header declares")
    array = np.frombuffer(body, dtype=dtype).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=False)  # no copy for 1-byte types


def _read_header(stream, path: Path) -> tuple[np.dtype, tuple[int, ...]]:
    """Read the magic, type code and sizes; return ``(big-endian dtype, shape)``."""
    start = stream.read(4)
    if len(start) < 4:
        raise ValueError(f"{path}: truncated header ({len(start)} bytes, need at least 4)")
    zero, code, ndim = struct.unpack(">HBB", start)
    if zero != 0:
        raise ValueError(f"{path}: not an IDX file (magic bytes {start[:2].hex()}, expected 0000)")
    if code not in IDX_DTYPES:
        raise ValueError(f"{path}: unknown IDX type code 0x{code:02X}")
    sizes = stream.read(4 * ndim)
    if len(sizes) < 4 * ndim:
        raise ValueError(f"{path}: truncated header ({ndim} dimensions declared, sizes cut short)")
    return IDX_DTYPES[code], struct.unpack(f">{ndim}I", sizes)


def _check_claimed_size(path: Path, file_size: int, header_size: int, body_size: int, compressed: bool):
    """Reject a header whose data cannot be in a file of this size, before allocating anything."""
    if compressed:
        if header_size + body_size > MAX_GZIP_RATIO * file_size:
            raise ValueError(f"{path}: header declares {body_size} bytes of data, "
                             f"more than a {file_size}-byte gzip file can hold")
        return
    expected = header_size + body_size
    if file_size < expected:
        raise ValueError(f"{path}: truncated: header declares {body_size} bytes of data, "
                         f"file holds {file_size - header_size}")
    if file_size > expected:
        raise ValueError(f"{path}: trailing bytes ({file_size - expected}) after the declared data")


def _read_exactly(stream, size: int, path: Path) -> bytearray:
    """Read exactly ``size`` bytes into a new (writeable) buffer, in chunks, or raise ValueError."""
    buffer = bytearray(size)
    view = memoryview(buffer)
    filled = 0
    while filled < size:
        count = stream.readinto(view[filled:filled + _CHUNK])
        if not count:
            raise ValueError(f"{path}: truncated: header declares {size} bytes of data, file holds {filled}")
        filled += count
    return buffer


def write_idx(path, array) -> None:
    """Write ``array`` as an IDX file (gzip-compressed when ``path`` ends in ``.gz``), atomically.

    The type code comes from the dtype: uint8, int8, int16, int32, float32 or float64; anything
    else raises ``ValueError``. Data is stored big-endian whatever the machine's byte order.
    """
    path = Path(path)
    array = np.asarray(array)
    code = _type_code(array.dtype)
    if any(size > 0xFFFFFFFF for size in array.shape) or array.ndim > 255:
        raise ValueError(f"{path}: shape {array.shape} does not fit an IDX header")
    header = struct.pack(f">HBB{array.ndim}I", 0, code, array.ndim, *array.shape)
    body = np.ascontiguousarray(array, dtype=IDX_DTYPES[code]).tobytes()
    with atomic_write(path) as out:
        if path.suffix == ".gz":
            # mtime=0 and the final name (not the temp one) make the output reproducible.
            with gzip.GzipFile(filename=path.name, mode="wb", fileobj=out, mtime=0) as zipped:
                zipped.write(header + body)
        else:
            out.write(header + body)


def _type_code(dtype: np.dtype) -> int:
    """The IDX type code of ``dtype`` (byte order ignored)."""
    for code, idx_dtype in IDX_DTYPES.items():
        if dtype.kind == idx_dtype.kind and dtype.itemsize == idx_dtype.itemsize:
            return code
    raise ValueError(f"IDX cannot store dtype {dtype}; use uint8, int8, int16, int32, float32 or float64")


@contextlib.contextmanager
def atomic_write(path, mode: str = "wb", **open_kwargs):
    """Context manager yielding a file that appears under ``path`` only if the block succeeds.

    Writes go to a temporary file in the same folder (so the final rename stays on one file system);
    on success it is flushed, fsynced and ``os.replace``d over ``path``; on any exception it is deleted
    and the exception re-raised. Readers therefore see the old file or the complete new one, never half.
    ``mode`` is a write mode ("wb", "w", ...); ``open_kwargs`` (e.g. ``encoding``) go to ``open``.
    """
    path = Path(path)
    if not mode.startswith("w"):
        raise ValueError(f"atomic_write needs a write mode, got {mode!r}")
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        # "x": create a new file with normal permissions (mkstemp would make it private, 0600).
        with open(temp, "x" + mode[1:], **open_kwargs) as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


# ----------------------------------------------------------------------------------------------------
# Datasets: files, checksums, mirrors
# ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FileSpec:
    """One published file: its name and the checksums that identify it (either one suffices)."""
    name: str
    md5: str | None = None     # of the file exactly as published (the .gz)
    sha256: str | None = None  # of its decompressed bytes, so re-compressed copies still verify


@dataclass(frozen=True)
class DatasetSpec:
    """Where a dataset's four files come from and how to recognise them."""
    name: str
    folder: str                      # sub-folder of data_dir ("" = data_dir itself)
    mirrors: tuple[str, ...]         # base URLs, tried in order
    mirrors_env: str                 # environment variable that replaces ``mirrors`` (comma-separated)
    train: tuple[FileSpec, FileSpec]  # (images, labels)
    test: tuple[FileSpec, FileSpec]
    classes: tuple[str, ...] = tuple("0123456789")  # the name of each label 0..9
    items: str = "digits"                           # what the images show, for messages

    def files(self, split: str) -> tuple[FileSpec, FileSpec]:
        """The (images, labels) files of ``split``: "train" or "test"."""
        if split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        return getattr(self, split)


# The original host (yann.lecun.com) now answers 403/404, so only copies are listed.
MNIST = DatasetSpec(
    name="MNIST",
    folder="",
    mirrors=("https://ossci-datasets.s3.amazonaws.com/mnist/",
             "https://storage.googleapis.com/cvdf-datasets/mnist/"),
    mirrors_env="NPGAN_MNIST_MIRRORS",
    train=(FileSpec("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                    "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
           FileSpec("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432",
                    "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5")),
    test=(FileSpec("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3",
                   "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
          FileSpec("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c",
                   "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")),
)

# Same four file names as MNIST, hence its own sub-folder. MD5s are Zalando's published ones; the
# SHA-256s (of the decompressed files) agree across independent published manifests and with Debian's
# re-compressed dataset-fashion-mnist package.
FASHION_MNIST = DatasetSpec(
    name="Fashion-MNIST",
    folder="fashion-mnist",
    mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
             "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/"),
    mirrors_env="NPGAN_FASHION_MNIST_MIRRORS",
    train=(FileSpec("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                    "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
           FileSpec("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe",
                    "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9")),
    test=(FileSpec("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79",
                   "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
          FileSpec("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310",
                   "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34")),
    classes=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
             "Ankle boot"),
    items="items",
)

DATASETS = {"mnist": MNIST, "fashion-mnist": FASHION_MNIST}


def verify_file(path, md5: str | None = None, sha256: str | None = None) -> bool:
    """True if the file at ``path`` matches ``md5`` (of its bytes) or ``sha256`` (of its content).

    The content is the decompressed bytes for a gzip file and the bytes themselves otherwise. The
    cheap MD5 of the file comes first; decompressing to hash happens only when that does not match.
    A missing, unreadable or corrupt file is simply not verified (False).
    """
    if md5 is None and sha256 is None:
        raise ValueError("verify_file needs md5 or sha256")
    path = Path(path)
    try:
        if md5 is not None and _hash_file(path, "md5") == md5:
            return True
        return sha256 is not None and _hash_file(path, "sha256", content=True) == sha256
    except (OSError, EOFError, zlib.error):  # gzip.BadGzipFile is an OSError
        return False


def _hash_file(path: Path, algorithm: str, content: bool = False) -> str:
    """Hex digest of the file's bytes, or (``content=True``) of its decompressed bytes, in chunks."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as raw:
        compressed = content and raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        stream = gzip.GzipFile(fileobj=raw) if compressed else raw
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ----------------------------------------------------------------------------------------------------
# Downloading
# ----------------------------------------------------------------------------------------------------

class DownloadError(RuntimeError):
    """A dataset file could not be obtained from any mirror (the message says what to do by hand)."""


TIMEOUT = (10, 60)    # seconds: (connect, between bytes)
RETRIES = 3           # extra attempts per mirror after a transient failure
BACKOFF = 1.0         # seconds before the first retry, doubled each time (tests set it to ~0)


class _Transient(Exception):
    """Worth retrying the same URL: connection trouble, 5xx, a body cut short."""


class _Rejected(Exception):
    """Give up on this URL and move to the next mirror: 4xx, wrong checksum."""


def mirror_list(spec: DatasetSpec, mirrors=None) -> list[str]:
    """The mirrors to try: ``mirrors`` if given, else ``$spec.mirrors_env`` if set, else the defaults."""
    if mirrors is None:
        env = os.environ.get(spec.mirrors_env, "")
        mirrors = [m.strip() for m in env.split(",") if m.strip()] or spec.mirrors
    if isinstance(mirrors, str):
        mirrors = [mirrors]
    return list(mirrors)


def fetch(spec: DatasetSpec, split: str = "train", data_dir="data", download: bool = True,
          mirrors=None) -> tuple[Path, Path]:
    """Paths of the verified (images, labels) files of ``split``, downloading what is missing or bad.

    Files already in ``data_dir/spec.folder`` that verify are used as they are (and nothing is
    written, so a read-only folder works). So are files in ``data_dir`` itself, for a dataset that has
    a sub-folder of its own: ``--data-dir /usr/share/datasets/fashion-mnist`` (Debian's package) works as
    well as ``--data-dir data`` holding ``data/fashion-mnist/``. The checksums tell MNIST's and
    Fashion-MNIST's identically named files apart. Files missing from both are downloaded into
    ``data_dir/spec.folder``; with ``download=False`` they raise ``FileNotFoundError`` instead, without
    touching the network.
    """
    files = spec.files(split)
    folder, found = _folder_holding(spec, files, Path(data_dir))
    stale = [file for file, path in zip(files, found) if path is None]
    if stale:
        rejected = _rejected_copies(folder, stale)
        if not download:
            names = ", ".join(f.name for f in stale)
            raise FileNotFoundError(f"{rejected}{spec.name}: {names} missing or failing its checksum in "
                                    f"{folder.resolve()} and download=False. {_manual_hint(spec, folder)}")
        try:
            _download_all(spec, stale, folder, mirror_list(spec, mirrors))
        except DownloadError as error:
            message = str(error)
            raise DownloadError(rejected + (message[:1].upper() + message[1:] if rejected else message)) from None
    return tuple(path or folder / file.name for file, path in zip(files, found))


def _folder_holding(spec: DatasetSpec, files, data_dir: Path) -> tuple[Path, list[Path | None]]:
    """``(folder, the verified copy of each file or None)``: ``data_dir`` itself if every file verifies
    there (and the dataset has a sub-folder), else ``data_dir/spec.folder``."""
    if spec.folder:
        found = [_verified_copy(data_dir, f) for f in files]
        if all(found):
            return data_dir, found
    folder = data_dir / spec.folder
    return folder, [_verified_copy(folder, f) for f in files]


def _copies(folder: Path, file: FileSpec) -> list[Path]:
    """Where ``file`` may be in ``folder``: under its published name, or gunzipped without ``.gz``."""
    names = dict.fromkeys((file.name, file.name.removesuffix(".gz")))
    return [folder / name for name in names]


def _verified_copy(folder: Path, file: FileSpec) -> Path | None:
    """The first of :func:`_copies` that verifies (a gunzipped file matches the content's SHA-256), or None."""
    return next((path for path in _copies(folder, file) if verify_file(path, file.md5, file.sha256)), None)


def _rejected_copies(folder: Path, files) -> str:
    """A sentence for each file of ``files`` present in ``folder`` that failed verification: which file,
    why, and what to do ("" if none is there)."""
    text = ""
    for file in files:
        for path in _copies(folder, file):
            if path.exists():
                text += (f"{path} was not used: {rejection_reason(path)}; delete it, or put the published "
                         f"{file.name} there (gunzipped is fine). ")
    return text


def rejection_reason(path) -> str:
    """Why a dataset file at ``path`` that failed its checksum is not the published file, in words."""
    path = Path(path)
    try:
        if path.is_dir():
            return "it is a folder"
        if path.stat().st_size == 0:
            return "it is empty"
        with open(path, "rb") as raw:
            compressed = raw.read(2) == GZIP_MAGIC
        if compressed:
            try:
                _hash_file(path, "sha256", content=True)  # decompress it all
            except EOFError:
                return "its gzip data is cut short (an interrupted download or copy?)"
            except (OSError, zlib.error):
                return "its gzip data is corrupt"
            return "it is gzip data, but not the published file (its checksum differs)"
        try:
            read_idx(path)
        except ValueError as error:
            return f"it is neither gzip data nor a whole IDX file ({str(error).removeprefix(f'{path}: ')})"
        return "it is an IDX file, but not the published one (its checksum differs)"
    except OSError as error:
        return f"it cannot be read ({error.strerror or error})"


def _manual_hint(spec: DatasetSpec, folder: Path) -> str:
    names = ", ".join(f.name for f in spec.train + spec.test)
    source = f" (e.g. from {spec.mirrors[0]})" if spec.mirrors else ""
    return f"To install {spec.name} by hand, download its four files{source}, {names}, into {folder.resolve()}"


def _download_all(spec: DatasetSpec, files, folder: Path, mirrors: list[str]) -> None:
    """Download each of ``files`` into ``folder``, trying the mirrors in order for each."""
    import requests  # imported here so that `import npgan.data` stays light

    folder.mkdir(parents=True, exist_ok=True)
    with requests.Session() as session:
        for file in files:
            failures = []
            for mirror in mirrors:
                url = mirror.rstrip("/") + "/" + file.name
                try:
                    _download_verified(session, url, folder / file.name, file)
                    break
                except _Rejected as reason:
                    failures.append(f"  {url}: {reason}")
            else:
                tried = "\n".join(failures) or "  (no mirrors given)"
                raise DownloadError(f"could not download {file.name} from any mirror:\n{tried}\n"
                                    f"{_manual_hint(spec, folder)}")


def _download_verified(session, url: str, target: Path, file: FileSpec) -> None:
    """Download ``url`` into a temp file beside ``target``; rename it only once it verifies."""
    with atomic_write(target) as out:
        for attempt in range(RETRIES + 1):
            try:
                out.seek(0)
                out.truncate()
                _stream(session, url, out, file.name)
                break
            except _Transient as reason:
                if attempt == RETRIES:
                    raise _Rejected(f"{reason} (gave up after {RETRIES + 1} attempts)") from None
                time.sleep(BACKOFF * 2 ** attempt)
        out.flush()
        if not verify_file(out.name, file.md5, file.sha256):
            raise _Rejected("checksum mismatch (wrong or corrupt file)")


def _stream(session, url: str, out, label: str) -> None:
    """GET ``url`` and copy its body into ``out`` with a progress bar; classify any failure."""
    import requests
    from tqdm import tqdm

    try:
        with session.get(url, stream=True, timeout=TIMEOUT) as response:
            status = response.status_code
            if status >= 500 or status == 429:
                raise _Transient(f"HTTP {status} {response.reason}")
            if status >= 400:
                raise _Rejected(f"HTTP {status} {response.reason}")
            expected = response.headers.get("Content-Length")
            expected = int(expected) if expected and expected.isdigit() else None
            received = 0
            # disable=None: no bar when stderr is not a terminal (CI logs, notebooks piping output).
            with tqdm(total=expected, unit="B", unit_scale=True, desc=label, disable=None) as bar:
                for chunk in response.iter_content(chunk_size=1 << 16):
                    out.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
    except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as error:
        raise _Transient(f"{type(error).__name__}: {error}") from None
    except requests.RequestException as error:  # invalid URL, too many redirects, ...
        raise _Rejected(f"{type(error).__name__}: {error}") from None
    # urllib3 normally raises on a short body; this check also covers servers it trusts too much.
    # (With Content-Encoding the decoded size differs from Content-Length, so only compare if absent.)
    if expected is not None and received < expected and "Content-Encoding" not in response.headers:
        raise _Transient(f"body cut short ({received} of {expected} bytes)")


# ----------------------------------------------------------------------------------------------------
# Loading
# ----------------------------------------------------------------------------------------------------

def load_dataset(spec: DatasetSpec, split: str = "train", data_dir="data", download: bool = True,
                 mirrors=None) -> tuple[np.ndarray, np.ndarray]:
    """``(images uint8 (N, 28, 28), labels uint8 (N,))`` of ``split`` of ``spec``; see :func:`fetch`."""
    images_path, labels_path = fetch(spec, split, data_dir, download, mirrors)
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"{images_path}: expected uint8 images of shape (N, 28, 28), "
                         f"got {images.dtype} {images.shape}")
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise ValueError(f"{labels_path}: expected uint8 labels of shape (N,), "
                         f"got {labels.dtype} {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"{images_path.parent}: {len(images)} images but {len(labels)} labels")
    return images, labels


def load_mnist(split: str = "train", data_dir="data", download: bool = True, mirrors=None,
               dataset: str = "mnist") -> tuple[np.ndarray, np.ndarray]:
    """Load MNIST (or ``dataset="fashion-mnist"``): ``(images uint8 (N, 28, 28), labels uint8 (N,))``.

    N is 60000 for ``split="train"`` and 10000 for ``"test"``. Files in ``data_dir`` (Fashion-MNIST:
    ``data_dir/fashion-mnist`` or ``data_dir`` itself) that verify are used as they are; missing or failing ones are downloaded
    from ``mirrors`` (default: ``$NPGAN_MNIST_MIRRORS`` or ``$NPGAN_FASHION_MNIST_MIRRORS``,
    comma-separated, else the built-in list) in turn, verified and written atomically.
    Raises :class:`DownloadError` when every mirror fails, and ``FileNotFoundError`` when files are
    missing and ``download=False``.
    """
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {sorted(DATASETS)}, got {dataset!r}")
    return load_dataset(DATASETS[dataset], split, data_dir, download, mirrors)
