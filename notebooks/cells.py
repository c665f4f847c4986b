"""The two kinds of cell the notebook modules (``nb01_*.py`` ...) are written in.

A cell is ``(kind, English source, Chinese source)``. A notebook with a Chinese twin writes each markdown
cell in both languages; a code cell is one source shared by both twins, so their code cannot drift apart.
"""


def md(en, zh=None):
    return ("markdown", en.strip("\n"), (zh if zh is not None else en).strip("\n"))


def code(source):
    return ("code", source.strip("\n"), source.strip("\n"))

