"""Write the teaching notebooks: ``python notebooks/make_notebooks.py``.

The notebooks are generated, so that

- each notebook with a Chinese twin (``01_gan_mnist.ipynb`` and ``01_gan_mnist.zh.ipynb``, ...) has exactly
  the same code cells in both (each markdown cell carries both languages, see ``cells.py``);
- the committed ``.ipynb`` files never hold outputs or execution counts, and cell ids are stable, so a
  regenerated notebook diffs cleanly.

The cells live in one module per notebook (``nb01_gan_mnist.py``, ``nb02_backprop.py``, ``nb03_dcgan.py``,
``nb04_conditional_gan.py``, ``nb05_losses.py``, ``nb06_mode_collapse.py``, ``nb07_control_and_evaluation.py``);
the figures the notebooks state about their full runs, in ``measured.py``. Edit them, run this script, and
commit both the modules and the notebooks.
``python notebooks/make_notebooks.py --check`` exits 1 if the notebooks on disk differ from what it would write.
"""
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the cell modules beside this file, however this one is run or imported
    sys.path.insert(0, str(HERE))

from nb01_gan_mnist import NB01  # noqa: E402
from nb02_backprop import NB02  # noqa: E402
from nb03_dcgan import NB03  # noqa: E402
from nb04_conditional_gan import NB04  # noqa: E402
from nb05_losses import NB05  # noqa: E402
from nb06_mode_collapse import NB06  # noqa: E402
from nb07_control_and_evaluation import NB07  # noqa: E402

KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}
LANGUAGE = {"name": "python", "pygments_lexer": "ipython3"}


def build(cells, lang):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": KERNEL, "language_info": LANGUAGE}
    for i, (kind, en, zh) in enumerate(cells):
        source = zh if lang == "zh" else en
        cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        cell.id = f"cell-{i:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


NOTEBOOKS = {
    "01_gan_mnist.ipynb": (NB01, "en"),
    "01_gan_mnist.zh.ipynb": (NB01, "zh"),
    "02_backprop_and_gradient_checks.ipynb": (NB02, "en"),
    "03_dcgan.ipynb": (NB03, "en"),
    "03_dcgan.zh.ipynb": (NB03, "zh"),
    "04_conditional_gan.ipynb": (NB04, "en"),
    "04_conditional_gan.zh.ipynb": (NB04, "zh"),
    "05_losses_and_lipschitz.ipynb": (NB05, "en"),
    "05_losses_and_lipschitz.zh.ipynb": (NB05, "zh"),
    "06_mode_collapse.ipynb": (NB06, "en"),
    "06_mode_collapse.zh.ipynb": (NB06, "zh"),
    "07_control_and_evaluation.ipynb": (NB07, "en"),
    "07_control_and_evaluation.zh.ipynb": (NB07, "zh"),
}


def main(argv):
    check = "--check" in argv
    stale = []
    for name, (cells, lang) in NOTEBOOKS.items():
        text = nbformat.writes(build(cells, lang)) + "\n"
        path = HERE / name
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print("wrote", path)
    if stale:
        print("out of date (run python notebooks/make_notebooks.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
