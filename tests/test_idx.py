"""read_idx / write_idx: round trips for every type code, and a corpus of broken files.

Every broken file must raise ValueError naming the file and the problem, quickly and without
allocating what its header merely claims.
"""
import gzip
import struct
import time
import zlib

import numpy as np
import pytest

from npgan.data import atomic_write, read_idx, write_idx

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]
SHAPES = [(7,), (3, 5), (2, 3, 4), (2, 1, 3, 2)]


def random_array(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("suffix", [".idx", ".idx.gz"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{len(s)}d")
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_round_trip(tmp_path, dtype, shape, suffix):
    array = random_array(dtype, shape)
    path = tmp_path / f"a{suffix}"
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == array.dtype and back.dtype.isnative
    assert back.shape == shape
    np.testing.assert_array_equal(back, array)
    assert back.flags.writeable
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == suffix.endswith(".gz")


def test_header_layout_is_big_endian(tmp_path):
    path = tmp_path / "a.idx"
    write_idx(path, np.array([[1, 2, 3]], dtype=np.int16))
    assert path.read_bytes() == bytes.fromhex("00000B02" "00000001" "00000003" "0001" "0002" "0003")


def test_gzip_detected_by_magic_not_suffix(tmp_path):
    array = random_array(np.uint8, (4, 28, 28))
    write_idx(tmp_path / "a.gz", array)
    (tmp_path / "a.gz").rename(tmp_path / "compressed-but-no-suffix")
    write_idx(tmp_path / "b.idx", array)
    (tmp_path / "b.idx").rename(tmp_path / "raw-but-called.gz")
    np.testing.assert_array_equal(read_idx(tmp_path / "compressed-but-no-suffix"), array)
    np.testing.assert_array_equal(read_idx(tmp_path / "raw-but-called.gz"), array)


def test_non_native_input_and_bad_dtype(tmp_path):
    big_endian = np.arange(6, dtype=">i4").reshape(2, 3)
    write_idx(tmp_path / "be.idx", big_endian)
    np.testing.assert_array_equal(read_idx(tmp_path / "be.idx"), big_endian)
    for bad in (np.arange(3, dtype=np.int64), np.ones(3, dtype=np.float16), np.ones(3, dtype=bool)):
        with pytest.raises(ValueError, match="dtype"):
            write_idx(tmp_path / "bad.idx", bad)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["be.idx"]  # no temp files left


# ---- the corpus of broken files -------------------------------------------------------------------

def header(code=0x08, dims=(10,)):
    return struct.pack(f">HBB{len(dims)}I", 0, code, len(dims), *dims)


def gz(data):
    return gzip.compress(data, mtime=0)


def gzip_bomb():
    """A header declaring 10 bytes, then 100 MB of zeros: about 100 kB compressed."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container
    parts = [compressor.compress(header() + bytes(10))]
    zeros = bytes(1 << 20)
    parts += [compressor.compress(zeros) for _ in range(100)]
    return b"".join(parts) + compressor.flush()


def bad_crc():
    data = bytearray(gz(header() + bytes(range(10))))
    data[-8] ^= 0xFF  # the gzip trailer: CRC32 (4 bytes), then size (4 bytes)
    return bytes(data)


VALID = header() + bytes(range(10))
BROKEN = {
    "empty": (b"", "truncated header"),
    "wrong magic": (b"\x01\x00" + VALID[2:], "magic"),
    "unknown type code": (header(code=0x0A) + bytes(10), "type code 0x0A"),
    "truncated header": (header(dims=(2, 3))[:9], "truncated header"),
    "truncated body": (VALID[:-1], "truncated"),
    "trailing bytes": (VALID + b"\x00", "trailing"),
    "huge claim raw": (header(dims=(2**32 - 1, 2**32 - 1)) + bytes(18), "truncated"),
    "huge claim gz": (gz(header(dims=(2**32 - 1, 2**32 - 1)) + bytes(18)), "more than"),
    "truncated body gz": (gz(VALID[:-1]), "truncated"),
    "trailing bytes gz": (gz(VALID + b"\x00"), "trailing"),
    "wrong magic gz": (gz(b"\x01\x00" + VALID[2:]), "magic"),
    "corrupt crc": (bad_crc(), "corrupt gzip"),
    "gzip stream ends early": (gz(VALID)[:-12], "corrupt gzip"),
    "gzip header only": (gz(VALID)[:10], "corrupt gzip"),
    "gzip garbage after magic": (b"\x1f\x8b" + bytes(range(40)), "corrupt gzip"),
    # deflate data starts at byte 10; 0xFF there declares the reserved block type 3
    "deflate data corrupt": (gz(VALID)[:10] + b"\xff" + gz(VALID)[11:], "corrupt gzip"),
}


@pytest.fixture(scope="module")
def bomb_bytes():
    return gzip_bomb()


@pytest.mark.parametrize("case", list(BROKEN) + ["gzip bomb"])
def test_broken_file_raises_value_error(tmp_path, case, bomb_bytes):
    data, problem = BROKEN[case] if case != "gzip bomb" else (bomb_bytes, "trailing")
    path = tmp_path / "broken.idx"
    path.write_bytes(data)
    start = time.perf_counter()
    with pytest.raises(ValueError) as caught:
        read_idx(path)
    assert time.perf_counter() - start < 1.0
    message = str(caught.value)
    assert str(path) in message
    assert problem in message


def test_gzip_bomb_is_small_and_rejected_without_reading_it_all(tmp_path, bomb_bytes):
    assert len(bomb_bytes) < 1_000_000  # 100 MB of zeros behind a sub-megabyte file
    path = tmp_path / "bomb.gz"
    path.write_bytes(bomb_bytes)
    import tracemalloc
    tracemalloc.start()
    with pytest.raises(ValueError, match="trailing"):
        read_idx(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5_000_000


def test_missing_path_and_directory(tmp_path):
    # Not a bad file but no file at all: the usual OSError subclasses, not ValueError.
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nope.idx")
    with pytest.raises(OSError):
        read_idx(tmp_path)


# ---- atomic_write ---------------------------------------------------------------------------------

def test_atomic_write_replaces_only_on_success(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(path, "w") as out:
            out.write("half")
            raise RuntimeError("interrupted")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    with atomic_write(path, "w", encoding="utf-8") as out:
        out.write("new")
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    with pytest.raises(ValueError):
        with atomic_write(path, "rb"):
            pass
