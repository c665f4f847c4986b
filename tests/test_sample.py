"""python -m npgan.sample: new digits from a saved generator; every failure is one line, nothing written."""
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from PIL import Image

from npgan import cli
from npgan.checkpoints import checkpoint_arrays, generator_arrays
from npgan.gan import GAN, GANConfig, sample_z, with_labels
from npgan.models import make_generator
from npgan.sample import main

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = GANConfig(z_size=8, g_hidden=16)


@pytest.fixture
def generator():
    return make_generator(CONFIG.z_size, CONFIG.g_hidden, rng=0)


@pytest.fixture
def gen_path(tmp_path, generator):
    path = tmp_path / "generator.npz"
    np.savez(path, **generator_arrays(generator, CONFIG.z_size))
    return path


@pytest.fixture
def out_dir(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    return out


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(code, err, expected_code=None):
    assert code != 0 if expected_code is None else code == expected_code
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("npgan.sample: error: ")


def test_samples_match_the_generator(capsys, gen_path, out_dir, generator):
    png, npy = out_dir / "digits.png", out_dir / "samples.npy"
    code, out, err = run(capsys, "--checkpoint", gen_path, "--n", 10, "--seed", 7, "--out", png, "--npy", npy)
    assert code == 0 and err == ""
    samples = np.load(npy, allow_pickle=False)
    assert samples.dtype == np.float32 and samples.shape == (10, 784)
    assert samples.min() >= -1 and samples.max() <= 1
    expected = generator.forward(sample_z(np.random.default_rng(7), 10, CONFIG.z_size))
    assert np.array_equal(samples, expected)
    with Image.open(png) as im:
        assert im.format == "PNG"
    assert sorted(os.listdir(out_dir)) == ["digits.png", "samples.npy"]
    lines = out.splitlines()
    assert len(lines) == 2 and str(png) in lines[0] and str(npy) in lines[1]


def test_same_seed_same_samples_other_seed_other_samples(capsys, gen_path, out_dir):
    def draw(seed, name):
        code, _, _ = run(capsys, "--checkpoint", gen_path, "--seed", seed, "--out", out_dir / f"{name}.png",
                         "--npy", out_dir / f"{name}.npy")
        assert code == 0
        return np.load(out_dir / f"{name}.npy")

    a, b, c = draw(3, "a"), draw(3, "b"), draw(4, "c")
    assert a.shape == (16, 784)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)


def test_reads_a_full_checkpoint_too(capsys, tmp_path, out_dir):
    gan = GAN(CONFIG)
    path = tmp_path / "checkpoint.npz"
    np.savez(path, **checkpoint_arrays(gan, 1, np.random.default_rng(0), {}))
    code, _, err = run(capsys, "--checkpoint", path, "--n", 3, "--out", out_dir / "g.png", "--npy", out_dir / "s.npy")
    assert code == 0, err
    expected = gan.G.forward(sample_z(np.random.default_rng(0), 3, CONFIG.z_size))
    assert np.array_equal(np.load(out_dir / "s.npy"), expected)


def test_default_output_and_columns(capsys, gen_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "--checkpoint", gen_path, "--n", 6, "--cols", 6)
    assert code == 0 and os.path.isfile("digits.png")
    assert "1x6 grid of 6 samples" in out


# --- bad checkpoints -------------------------------------------------------------------------------------

def _corrupt(path):
    path.write_bytes(np.random.default_rng(0).bytes(3000))


def _truncated(path, generator):
    np.savez(path, **generator_arrays(generator, CONFIG.z_size))
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])


def _pickled(path):
    np.savez(path, config=np.array([{}], dtype=object))


def _wrong_shape(path, generator):
    arrays = generator_arrays(generator, CONFIG.z_size)
    arrays["0/W"] = np.zeros((CONFIG.z_size + 1, CONFIG.g_hidden), np.float32)
    np.savez(path, **arrays)


def _wrong_config(path, generator):
    arrays = generator_arrays(generator, 100)  # says z 100, holds z 8
    np.savez(path, **arrays)


def _no_config(path, generator):
    np.savez(path, **generator.params)


def _nan_weights(path, generator):
    arrays = generator_arrays(generator, CONFIG.z_size)
    arrays["2/b"] = np.full_like(arrays["2/b"], np.nan)
    np.savez(path, **arrays)


def _not_npz_zip(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not an array")


BAD = {
    "corrupt": lambda p, g: _corrupt(p),
    "truncated": _truncated,
    "pickled": lambda p, g: _pickled(p),
    "wrong_shape": _wrong_shape,
    "wrong_config": _wrong_config,
    "no_config": _no_config,
    "nan_weights": _nan_weights,
    "zip_without_arrays": lambda p, g: _not_npz_zip(p),
    "missing": lambda p, g: None,
    "folder": lambda p, g: p.mkdir(),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_checkpoint_is_one_line_and_writes_nothing(capsys, tmp_path, out_dir, generator, kind):
    path = tmp_path / "bad.npz"
    BAD[kind](path, generator)
    (out_dir / "keep.png").write_bytes(b"old")
    code, out, err = run(capsys, "--checkpoint", path, "--out", out_dir / "keep.png", "--npy", out_dir / "s.npy")
    assert_one_line_error(code, err, 1)
    assert str(path) in err
    assert out == ""
    assert os.listdir(out_dir) == ["keep.png"] and (out_dir / "keep.png").read_bytes() == b"old"


# --- bad flags and outputs -------------------------------------------------------------------------------

@pytest.mark.parametrize("flags", [
    ["--n", "0"], ["--n", "100001"], ["--n", "ten"], ["--seed", "-1"], ["--cols", "0"],
    ["--bogus"], ["--checkpoint"], ["--truncation", "0"], ["--truncation", "-0.5"], ["--truncation", "1.5"],
    ["--truncation", "nan"], ["--truncation", "half"],
])
def test_bad_flags_exit_2_with_one_line(capsys, gen_path, out_dir, flags):
    argv = ["--checkpoint", gen_path, "--out", out_dir / "x.png", *flags]
    code, out, err = run(capsys, *argv)
    assert_one_line_error(code, err, 2)
    assert out == "" and err.rstrip().endswith("(see --help)")
    assert os.listdir(out_dir) == []


def test_missing_checkpoint_flag(capsys):
    code, _, err = run(capsys)
    assert_one_line_error(code, err, 2)
    assert "--checkpoint" in err


@pytest.mark.parametrize("where", ["missing_folder_png", "missing_folder_npy", "png_is_folder", "same_file"])
def test_unwritable_outputs_write_nothing(capsys, gen_path, out_dir, where):
    png, npy = out_dir / "d.png", out_dir / "s.npy"
    if where == "missing_folder_png":
        png = out_dir / "nope" / "d.png"
    elif where == "missing_folder_npy":
        npy = out_dir / "nope" / "s.npy"
    elif where == "png_is_folder":
        png.mkdir()
    else:
        npy = png
    code, out, err = run(capsys, "--checkpoint", gen_path, "--out", png, "--npy", npy)
    assert_one_line_error(code, err)
    assert out == ""
    assert os.listdir(out_dir) == (["d.png"] if where == "png_is_folder" else [])


def test_failure_while_writing_leaves_no_file(capsys, gen_path, out_dir, monkeypatch):
    def broken_save(file, arr, **kwargs):
        file.write(b"\x93NUMPY half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "save", broken_save)
    code, out, err = run(capsys, "--checkpoint", gen_path, "--out", out_dir / "d.png", "--npy", out_dir / "s.npy")
    assert_one_line_error(code, err, 1)
    assert "the disk is full" in err and "s.npy" in err
    assert os.listdir(out_dir) == []  # neither the npy nor the PNG, and no temporary files


# --- cli helpers -----------------------------------------------------------------------------------------

def test_cli_types():
    import argparse
    assert cli.positive_int("3") == 3 and cli.nonnegative_int("0") == 0 and cli.int_range(1, 5)("5") == 5
    assert cli.positive_float("0.5") == 0.5
    for parse, text in [(cli.positive_int, "0"), (cli.positive_int, "1.5"), (cli.nonnegative_int, "-2"),
                        (cli.int_range(1, 5), "6"), (cli.positive_float, "nan"), (cli.positive_float, "-1"),
                        (cli.positive_float, "inf"), (cli.positive_float, "x")]:
        with pytest.raises(argparse.ArgumentTypeError):
            parse(text)


# --- as a program ----------------------------------------------------------------------------------------

def _python_m(*args, cwd):
    env = {**os.environ, "PYTHONPATH": REPO + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "npgan.sample", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=60)


def test_help_and_bad_flag_as_a_program(tmp_path):
    result = _python_m("--help", cwd=tmp_path)
    assert result.returncode == 0
    for flag in ("--checkpoint", "--n", "--seed", "--out", "--npy", "--cols", "example"):
        assert flag in result.stdout
    result = _python_m("--checkpoint", "g.npz", "--n", "-5", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("npgan.sample: error: argument --n")
    assert os.listdir(tmp_path) == []


# --- conditional generators and latent walks ---------------------------------------------------------------

@pytest.fixture
def conditional(tmp_path):
    """A conditional generator (z 8 + 10 label inputs) saved as a file: ``(G, path)``."""
    G = GAN(GANConfig(z_size=8, g_hidden=16, conditional=True)).G
    path = tmp_path / "conditional.npz"
    np.savez(path, **generator_arrays(G, 8, classes=10))
    return G, path


def expected_samples(G, z, labels):
    return G.forward(with_labels(z, np.asarray(labels), 10))


def test_digit_k_draws_that_digit(capsys, conditional, out_dir):
    G, path = conditional
    npy = out_dir / "sevens.npy"
    code, out, err = run(capsys, "--checkpoint", path, "--digit", 7, "--n", 5, "--seed", 3, "--out",
                         out_dir / "sevens.png", "--npy", npy)
    assert code == 0, err
    z = sample_z(np.random.default_rng(3), 5, 8)
    np.testing.assert_array_equal(np.load(npy), expected_samples(G, z, [7] * 5))


def test_digit_all_draws_a_row_per_digit_sharing_z(capsys, conditional, out_dir):
    G, path = conditional
    code, out, err = run(capsys, "--checkpoint", path, "--digit", "all", "--n", 3, "--out", out_dir / "all.png",
                         "--npy", out_dir / "all.npy")
    assert code == 0 and "10x3 grid" in out, err
    samples = np.load(out_dir / "all.npy")
    assert samples.shape == (30, 784)
    z = sample_z(np.random.default_rng(0), 3, 8)
    for digit in range(10):  # a 30-row product and a 3-row one may add in another order: equal to float32 rounding
        np.testing.assert_allclose(samples[3 * digit:3 * digit + 3], expected_samples(G, z, [digit] * 3), rtol=0,
                                   atol=1e-6)


def test_conditional_generator_without_digit_draws_the_digits_in_turn(capsys, conditional, out_dir):
    G, path = conditional
    assert run(capsys, "--checkpoint", path, "--n", 12, "--out", out_dir / "a.png", "--npy", out_dir / "a.npy")[0] == 0
    z = sample_z(np.random.default_rng(0), 12, 8)
    np.testing.assert_array_equal(np.load(out_dir / "a.npy"), expected_samples(G, z, np.arange(12) % 10))


def test_interpolation_rows_end_at_the_generators_output_for_their_endpoints(capsys, gen_path, generator, out_dir):
    npy, gif = out_dir / "walk.npy", out_dir / "walk.gif"
    code, out, err = run(capsys, "--checkpoint", gen_path, "--interpolate", "--rows", 3, "--steps", 4, "--seed", 5,
                         "--out", out_dir / "walk.png", "--npy", npy, "--gif", gif)
    assert code == 0, err
    walk = np.load(npy).reshape(3, 4, 784)
    rng = np.random.default_rng(5)
    z_a, z_b = sample_z(rng, 3, CONFIG.z_size), sample_z(rng, 3, CONFIG.z_size)
    np.testing.assert_allclose(walk[:, 0], generator.forward(z_a), atol=1e-6)
    np.testing.assert_allclose(walk[:, -1], generator.forward(z_b), atol=1e-6)
    assert not np.allclose(walk[:, 1], walk[:, 0])
    with Image.open(gif) as im:
        assert im.format == "GIF" and im.n_frames == 2 * 4 - 2  # there and back


def test_morph_keeps_z_and_moves_the_label(capsys, conditional, out_dir):
    G, path = conditional
    npy = out_dir / "morph.npy"
    code, _, err = run(capsys, "--checkpoint", path, "--interpolate", "--digit", "3,8", "--rows", 2, "--steps", 5,
                       "--out", out_dir / "morph.png", "--npy", npy)
    assert code == 0, err
    walk = np.load(npy).reshape(2, 5, 784)
    z = sample_z(np.random.default_rng(0), 2, 8)
    np.testing.assert_allclose(walk[:, 0], expected_samples(G, z, [3, 3]), atol=1e-6)
    np.testing.assert_allclose(walk[:, -1], expected_samples(G, z, [8, 8]), atol=1e-6)


@pytest.mark.parametrize("flags, message", [
    (["--digit", "12"], "digit 0-9"),
    (["--digit", "seven"], "digit 0-9"),
    (["--digit", "3,8"], "--interpolate"),
    (["--steps", "5"], "--interpolate"),
    (["--gif", "w.gif"], "--interpolate"),
    (["--digit", "all", "--interpolate", "--rows", "3"], "drop --rows"),
    (["--digit", "all", "--n", "20000"], "more than"),
    (["--interpolate", "--gif", "OUT"], "different files"),
])
def test_bad_digit_and_walk_flags(capsys, conditional, out_dir, flags, message):
    _, path = conditional
    flags = [str(out_dir / "x.png") if flag == "OUT" else flag for flag in flags]
    code, out, err = run(capsys, "--checkpoint", path, "--out", out_dir / "x.png", *flags)
    assert_one_line_error(code, err, 2)
    assert message in err and os.listdir(out_dir) == []


def test_asking_an_unconditional_generator_for_a_digit(capsys, gen_path, out_dir):
    code, _, err = run(capsys, "--checkpoint", gen_path, "--digit", 7, "--out", out_dir / "x.png")
    assert_one_line_error(code, err, 2)
    assert "unconditional" in err and os.listdir(out_dir) == []


def test_out_writes_the_format_its_name_asks_for(capsys, gen_path, out_dir):
    for name, image_format in (("grid.jpg", "JPEG"), ("grid.JPEG", "JPEG"), ("grid.png", "PNG")):
        code, out, err = run(capsys, "--checkpoint", gen_path, "--n", 4, "--out", out_dir / name)
        assert code == 0, err
        with Image.open(out_dir / name) as image:
            assert image.format == image_format
    code, _, err = run(capsys, "--checkpoint", gen_path, "--n", 4, "--out", out_dir / "grid.svg")
    assert code == 0 and (out_dir / "grid.svg").read_bytes().lstrip().startswith(b"<?xml"), err


@pytest.mark.parametrize("name, words", [("grid.bmp", "unknown picture type .bmp"), ("grid", "no file extension")])
def test_out_without_a_known_picture_extension_is_refused(capsys, gen_path, out_dir, name, words):
    code, out, err = run(capsys, "--checkpoint", gen_path, "--out", out_dir / name)
    assert_one_line_error(code, err, 2)
    assert words in err and ".png" in err and out == ""
    assert not list(out_dir.iterdir())


def test_jpeg_without_pillow_is_refused_clearly(capsys, gen_path, out_dir, monkeypatch):
    find_spec = cli.importlib.util.find_spec
    monkeypatch.setattr(cli.importlib.util, "find_spec", lambda name, *a: None if name == "PIL" else find_spec(name, *a))
    code, out, err = run(capsys, "--checkpoint", gen_path, "--out", out_dir / "grid.jpg")
    assert_one_line_error(code, err, 2)
    assert "writing JPEG needs Pillow" in err and not list(out_dir.iterdir())


# --- truncation ---------------------------------------------------------------------------------------------

def test_truncation_draws_z_within_t(capsys, gen_path, out_dir, generator):
    npy = out_dir / "t.npy"
    code, out, err = run(capsys, "--checkpoint", gen_path, "--n", 50, "--seed", 3, "--truncation", 0.25,
                         "--out", out_dir / "t.png", "--npy", npy)
    assert code == 0 and err == ""
    z = sample_z(np.random.default_rng(3), 50, CONFIG.z_size)
    assert np.array_equal(np.load(npy), generator.forward(z * np.float32(0.25)))  # Uniform(-T, T), same directions
    run(capsys, "--checkpoint", gen_path, "--n", 50, "--seed", 3, "--truncation", 1, "--out", out_dir / "t.png",
        "--npy", npy)
    assert np.array_equal(np.load(npy), generator.forward(z))  # T = 1 truncates nothing
    code, out, err = run(capsys, "--checkpoint", gen_path, "--interpolate", "--truncation", 0.5, "--out", out_dir / "w.png")
    assert_one_line_error(code, err, 2)
    assert "--truncation goes with drawing samples" in err and not (out_dir / "w.png").exists()
    from npgan.sample import truncation
    for bad in ("0", "-1", "1.01", "inf"):
        with pytest.raises(Exception, match="0 < T <= 1"):
            truncation(bad)
