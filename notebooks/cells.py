"""The two kinds of cell the notebook modules (``nb01_*.py`` ...) are written in.

A cell is ``(kind, English source, Chinese source)``. A notebook with a Chinese twin writes each markdown
cell in both languages; a code cell is one source shared by both twins, so their code cannot drift apart.
"""


def md(en, zh=None):
    return ("markdown", en.strip("\n"), (zh if zh is not None else en).strip("\n"))


def code(source):
    return ("code", source.strip("\n"), source.strip("\n"))



def setup_code(blas, fast, imports):
    """The first code cell every training notebook shares: imports, one BLAS thread, the ``NPGAN_FAST``,
    ``NPGAN_DATA_DIR`` and ``NPGAN_OUT_DIR`` switches, and npgan from this repository if not installed.

    ``blas`` and ``fast``: the comments on the BLAS thread and on fast mode; ``imports``: the notebook's
    own ``from npgan... import ...`` lines."""
    return code(SETUP.replace("<blas>", blas).replace("<fast>", fast).replace("<imports>", imports.strip("\n")))


SETUP = r"""
%matplotlib inline
import os
import sys
import time
from pathlib import Path

import numpy as np
import matplotlib.pyplot as plt
from threadpoolctl import threadpool_limits

# <blas>
threadpool_limits(1, user_api="blas")

# <fast>
FAST = os.environ.get("NPGAN_FAST", "0") not in ("", "0")
# MNIST: from $NPGAN_DATA_DIR as it is (nothing downloaded), else downloaded once into ../data.
DATA_DIR = Path(os.environ.get("NPGAN_DATA_DIR", "../data"))
DOWNLOAD = "NPGAN_DATA_DIR" not in os.environ
# What this notebook writes (the saved generator) goes to $NPGAN_OUT_DIR, else to ./out.
OUT_DIR = Path(os.environ.get("NPGAN_OUT_DIR", "out"))
OUT_DIR.mkdir(parents=True, exist_ok=True)

try:
    import npgan
except ImportError:  # not installed: use the repository this notebook lives in
    sys.path.insert(0, str(Path.cwd().parent))
    import npgan
<imports>

print(f"npgan {npgan.__version__} | fast mode: {FAST} | data: {DATA_DIR.resolve()} | output: {OUT_DIR.resolve()}")
"""
