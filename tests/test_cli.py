"""What every command does with a bad path and with Ctrl-C: one line in words on stderr, the same exit
status everywhere (2 for a bad argument, 130 for Ctrl-C), no traceback and nothing written."""
import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from npgan import cli, data, evaluate, sample, train
from npgan.checkpoints import generator_arrays
from npgan.models import make_generator

REPO = Path(__file__).resolve().parents[1]
MAINS = {"npgan.train": train.main, "npgan.evaluate": evaluate.main, "npgan.sample": sample.main}


def call(capsys, prog, *argv):
    """``(exit status, stdout, stderr)`` of a command run in this process."""
    try:
        code = MAINS[prog]([str(a) for a in argv])
    except SystemExit as exit_:  # npgan.train's own flag checks exit through argparse
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line(err, prog, *words):
    assert err.count("\n") == 1 and err.startswith(f"{prog}: error: "), err
    assert "Errno" not in err and "Traceback" not in err, err
    for word in words:
        assert word in err, err


@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "a-file"
    path.write_text("not a folder")
    return path


@pytest.fixture
def samples_npy(tmp_path_factory):
    """Samples that --npy accepts (as many as the FID minimum, so that no warning is printed)."""
    path = tmp_path_factory.mktemp("npy") / "samples.npy"
    np.save(path, np.zeros((evaluate.MIN_FID_N, 784), dtype=np.float32))
    return path


# --- Paths -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("flag, where, words", [
    ("--out", "a-file", ["--out", "it is a file, not a folder"]),
    ("--out", "a-file/run", ["a-file is a file, not a folder"]),
    ("--out", "/proc/npgan-run", ["folder /proc takes no new files"]),
    ("--out", "/sys/npgan-run", ["folder /sys refuses new files"]),
    ("--data-dir", "a-file", ["--data-dir", "it is a file, not a folder"]),
    ("--data-dir", "typo/data", ["--data-dir", "no such folder", "does not exist either"]),
])
def test_train_names_a_bad_output_or_data_folder_in_words(capsys, tmp_path, a_file, offline, flag, where, words):
    path = where if where.startswith("/") else tmp_path / where
    argv = ["--epochs", "1", "--no-progress", "--out", tmp_path / "out", "--data-dir", tmp_path, flag, path]
    before = sorted(os.listdir(tmp_path))
    code, out, err = call(capsys, "npgan.train", *argv)
    assert code == 2 and out == ""
    assert_one_line(err, "npgan.train", *words)
    assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.parametrize("where, words", [
    ("a-file", ["--data-dir", "it is a file, not a folder"]), ("typo/data", ["does not exist either"])])
def test_evaluate_names_a_bad_data_folder_in_words(capsys, tmp_path, a_file, samples_npy, offline, where, words):
    before = sorted(os.listdir(tmp_path))
    code, out, err = call(capsys, "npgan.evaluate", "--npy", samples_npy, "--data-dir", tmp_path / where)
    assert code == 2 and out == ""
    assert_one_line(err, "npgan.evaluate", *words)
    assert sorted(os.listdir(tmp_path)) == before


@pytest.fixture
def generator_file(tmp_path):
    path = tmp_path / "run" / "generator.npz"
    path.parent.mkdir()
    np.savez(path, **generator_arrays(make_generator(8, 16, rng=0), 8))
    return path


@pytest.mark.parametrize("prog", ["npgan.sample", "npgan.evaluate"])
def test_a_folder_as_checkpoint_names_the_files_it_holds(capsys, tmp_path, generator_file, offline, prog):
    code, out, err = call(capsys, prog, "--checkpoint", generator_file.parent)
    assert code == 1 and out == ""
    assert_one_line(err, prog, "is a folder, not a file", f"holds {generator_file}", "give one of them")
    code, _, err = call(capsys, prog, "--checkpoint", tmp_path)  # a folder without any .npz file
    assert code == 1 and "it holds no .npz file" in err


def test_sample_writing_into_a_system_folder_is_refused_in_words(capsys, generator_file):
    code, out, err = call(capsys, "npgan.sample", "--checkpoint", generator_file, "--out", "/proc/npgan-digits.png")
    assert code == 1 and out == ""
    assert_one_line(err, "npgan.sample", "cannot write /proc/npgan-digits.png: folder /proc takes no new files")


@pytest.mark.parametrize("error, words", [
    (FileExistsError(errno.EEXIST, "File exists", "out"), "out: a file of that name is in the way"),
    (PermissionError(errno.EPERM, "Operation not permitted", "/sys/x"), "/sys/x: the system does not allow it"),
    (FileNotFoundError(errno.ENOENT, "No such file or directory", "x.idx"), "x.idx: no such file or folder"),
    (OSError("cannot write x: it is a folder"), "cannot write x: it is a folder"),
])
def test_os_errors_are_told_in_words(error, words):
    assert cli.os_error_text(error) == words


def test_a_missing_data_folder_is_announced_before_any_download(capsys, tmp_path, monkeypatch):
    # The mirror answers 404, so the download fails at once; what matters is what was said before it began.
    said_before_download = []

    def download_all(*args, **kwargs):
        said_before_download.append(capsys.readouterr().out)
        raise data.DownloadError("no mirror (test)")
    monkeypatch.setattr(data, "_download_all", download_all)
    typo = tmp_path / "dta"
    code, out, err = call(capsys, "npgan.train", "--epochs", "1", "--out", tmp_path / "out", "--data-dir", typo)
    assert code == 1 and said_before_download == [f"npgan.train: --data-dir {typo} did not exist: created it, to "
                                                  "download the dataset into\n"]
    assert typo.is_dir() and "no mirror (test)" in err


# --- Ctrl-C ------------------------------------------------------------------------------------------------

# Runs ``python -m <module> <flags>`` as -m does (runpy, __main__), with loading the generator made to wait
# for the signal: "ready" says the command is inside its work.
WAITING_LAUNCHER = """
import runpy, sys, time
import npgan.checkpoints

def wait_for_ctrl_c(*args, **kwargs):
    print("ready", flush=True)
    time.sleep(120)

npgan.checkpoints.load_generator = wait_for_ctrl_c
module = sys.argv.pop(1)
sys.argv[0] = module
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize("prog", ["npgan.sample", "npgan.evaluate"])
def test_ctrl_c_is_one_line_and_exit_status_130(tmp_path, prog):
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}
    child = subprocess.Popen([sys.executable, "-c", WAITING_LAUNCHER, prog, "--checkpoint", "generator.npz"],
                             cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "ready\n"
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        child.kill()
    assert child.returncode == 130, err
    assert err.strip() == f"{prog}: interrupted" and out == ""
    assert os.listdir(tmp_path) == []
