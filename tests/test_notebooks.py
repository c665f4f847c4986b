"""The teaching notebooks run top to bottom on a fresh kernel, in fast mode (NPGAN_FAST=1).

Each notebook is executed with nbclient in its own kernel process, in ``notebooks/`` as working directory,
with the real MNIST folder from the ``mnist_dir`` fixture (never downloaded) and outputs written to
``tmp_path``. A cell that raises fails the test (``CellExecutionError``); the outputs are then checked for
what the notebook is meant to show.
"""
import math
import os
import re
import sys
from pathlib import Path

import nbclient
import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
NB01, NB01_ZH, NB02 = "01_gan_mnist.ipynb", "01_gan_mnist.zh.ipynb", "02_backprop_and_gradient_checks.ipynb"
ALL = [NB01, NB01_ZH, NB02]

EPOCH_LINE = re.compile(r"Epoch (\d+)/(\d+)\.\.\. Discriminator Loss: (\S+?)\.\.\. Generator Loss: (\S+)")
CHECK_LINE = re.compile(r"^(\S+)\s+relative error = (\S+)", re.MULTILINE)
# The arrays 02 deliberately gets wrong, to show what the check reports.
BUGGY = {"ForgetfulLeakyReLU/x", "BatchMeanDense/b", "BuggyDiscriminator/0/b", "UncoupledBatchNorm/x"}


def execute(name, env, monkeypatch):
    """Run notebook ``name`` in a fresh kernel with ``env`` added to the environment; return it with outputs."""
    for key, value in env.items():
        monkeypatch.setenv(key, str(value))
    # The kernel must import this checkout's npgan even if it is not installed.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()
    return nb


def outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.get("outputs", [])


def stdout(nb):
    return "".join(out.get("text", "") for out in outputs(nb) if out.output_type == "stream")


def png_count(nb):
    return sum("image/png" in out.get("data", {}) for out in outputs(nb)
               if out.output_type in ("display_data", "execute_result"))


@pytest.mark.parametrize("name", ALL)
def test_notebook_runs_in_fast_mode(name, request, tmp_path, monkeypatch):
    env = {"NPGAN_FAST": "1", "NPGAN_OUT_DIR": tmp_path, "MPLBACKEND": "Agg"}
    if name != NB02:
        env["NPGAN_DATA_DIR"] = request.getfixturevalue("mnist_dir")
    nb = execute(name, env, monkeypatch)
    text = stdout(nb)

    if name in (NB01, NB01_ZH):
        epochs = EPOCH_LINE.findall(text)
        assert epochs, f"no 'Epoch i/n... Discriminator Loss: ... Generator Loss: ...' lines in:\n{text}"
        last, total, d_loss, g_loss = epochs[-1]
        assert last == total and len(epochs) == int(total)
        assert math.isfinite(float(d_loss)) and math.isfinite(float(g_loss)), epochs[-1]
        # real digits, activations, losses, last-epoch samples, progress grid, new samples
        assert png_count(nb) >= 6
        from npgan.checkpoints import load_generator
        G, meta = load_generator(tmp_path / "generator.npz")
        assert meta["z_size"] == 100 and G.params["2/W"].shape == (128, 784)
    else:
        checks = {label: float(err) for label, err in CHECK_LINE.findall(text)}
        assert len(checks) >= 30 and BUGGY <= set(checks), sorted(checks)
        wrong = {label: err for label, err in checks.items() if (err > 1e-2) != (label in BUGGY)}
        assert not wrong, f"expected < 1e-6 for right gradients and > 1e-2 for the buggy ones: {wrong}"
        assert max(err for label, err in checks.items() if label not in BUGGY) < 1e-6


def code_cells(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    return nb, [cell.source for cell in nb.cells if cell.cell_type == "code"]


def test_chinese_twin_has_the_same_cells():
    nb_en, code_en = code_cells(NB01)
    nb_zh, code_zh = code_cells(NB01_ZH)
    assert code_en == code_zh
    assert [c.cell_type for c in nb_en.cells] == [c.cell_type for c in nb_zh.cells]


@pytest.mark.parametrize("name", ALL)
def test_committed_notebook_is_clean(name):
    """No outputs or execution counts in git; small; valid; and what make_notebooks.py writes."""
    path = NOTEBOOKS / name
    assert path.stat().st_size < 100_000
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: outputs not stripped"


def test_notebooks_match_their_generator():
    sys.path.insert(0, str(NOTEBOOKS))
    try:
        import make_notebooks
    finally:
        sys.path.remove(str(NOTEBOOKS))
    assert make_notebooks.main(["--check"]) == 0, "run python notebooks/make_notebooks.py and commit the result"
