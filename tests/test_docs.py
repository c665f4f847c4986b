"""The READMEs and notebooks show real pictures: every image they reference exists, is a valid PNG or GIF
within the size limits, the English and Chinese READMEs give the same commands and figures, and what those
commands write is ignored by git."""
import re
import subprocess
from pathlib import Path

import nbformat
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
READMES = [REPO / "README.md", REPO / "README.zh.md"]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
MAX_FILE, MAX_DOCS = 1_000_000, 2_000_000  # bytes: any one file under docs/, and all of docs/

IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)|<img[^>]*\bsrc=\"([^\"]+)\"")
CODE_BLOCK = re.compile(r"```[a-z]*\n(.*?)```", re.DOTALL)


def images_in(text):
    return [a or b for a, b in IMAGE.findall(text)]


def markdown_of(path):
    if path.suffix == ".ipynb":
        return "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "markdown")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", READMES + NOTEBOOKS, ids=lambda p: p.name)
def test_every_referenced_image_exists_and_is_a_valid_small_png_or_gif(path):
    references = images_in(markdown_of(path))
    assert references, f"{path.name} shows no picture"  # each notebook opens with where it is going
    for reference in references:
        image = (path.parent / reference).resolve()
        assert image.is_file(), f"{path.name}: {reference} does not exist"
        assert image.suffix in (".png", ".gif") and image.stat().st_size < MAX_FILE, reference
        with Image.open(image) as opened:
            assert opened.format == image.suffix[1:].upper(), reference
            opened.verify()


def test_docs_folder_stays_small():
    files = [p for p in (REPO / "docs").rglob("*") if p.is_file()]
    assert files and sum(p.stat().st_size for p in files) < MAX_DOCS
    assert all(p.stat().st_size < MAX_FILE for p in files)


def test_english_and_chinese_readmes_show_the_same_commands_and_figures():
    english, chinese = (path.read_text(encoding="utf-8") for path in READMES)
    assert CODE_BLOCK.findall(english) == CODE_BLOCK.findall(chinese)
    assert images_in(english) == images_in(chinese)
    assert "README.zh.md" in "\n".join(english.splitlines()[:5])  # linked from the first lines, and back
    assert "README.md" in "\n".join(chinese.splitlines()[:5])


OUTPUT_FLAG = re.compile(r"--(?:out|json|png|npy|gif)\s+(\S+)")


def test_what_the_readme_commands_write_is_ignored_by_git():
    commands = "\n".join(CODE_BLOCK.findall(READMES[0].read_text(encoding="utf-8")))
    outputs = set(OUTPUT_FLAG.findall(commands)) | {"out", "digits.png"}  # the defaults of train --out, sample --out
    assert {"out", "runs/mlp-bn", "digits.png", "quality.json", "quality.png"} <= outputs
    for output in sorted(outputs):
        inside = f"{output}/generator.npz" if "." not in Path(output).name else output  # folders: a file in them
        ignored = subprocess.run(["git", "check-ignore", "--no-index", "-q", inside], cwd=REPO)
        assert ignored.returncode == 0, f"{inside} (written by a README command) is not in .gitignore"
