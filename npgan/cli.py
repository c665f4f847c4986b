"""Small shared pieces of npgan's command lines (``npgan.sample``, ``npgan.train``, ``npgan.evaluate``).

- :class:`ArgumentParser`: argparse, but a bad flag gives *one* line on stderr
  (``prog: error: message (see --help)``) and exit status 2, instead of the usage block plus the message.
- Argument types with clear messages: :func:`positive_int`, :func:`nonnegative_int`,
  :func:`int_range`, :func:`positive_float`, :func:`nonnegative_float`, :func:`fraction`,
  :func:`share`.
- :func:`run_main`: parse, run, and turn every expected failure into one line on stderr and an exit status
  (:func:`failure_status`, shared with ``npgan.train``): an ``OSError`` in words (:func:`os_error_text`),
  Ctrl-C as ``prog: interrupted`` and exit status 130.
- Output files: :func:`check_output` (:func:`check_outputs` for several) before any work, :func:`write_all`
  to write several at once, atomically (all of them appear, or none); :func:`image_format` for pictures.
- Folders: :func:`check_output_folder` (``npgan.train --out``) and :func:`prepare_data_dir` (``--data-dir``),
  before any work or download; :func:`folder_refusal` says why a folder takes no new files.
"""
import argparse
import contextlib
import errno
import importlib.util
import math
import os
import sys
import tempfile
from pathlib import Path

from .data import atomic_write


class ArgumentParser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` whose errors are a single line and exit status 2.

    Defaults to ``RawDescriptionHelpFormatter`` with defaults shown, so an ``epilog`` of examples keeps
    its line breaks.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        message = " ".join(str(message).split())  # one line, whatever argparse put in it
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


class HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Keeps the description/epilog as written and appends ``(default: ...)`` to flags that have a
    default other than None/False (and whose help does not already speak of its default)."""

    def _get_help_string(self, action):
        if action.default is None or action.default is False or "default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


class UsageError(Exception):
    """A problem with the arguments found after parsing (reported like an argparse error, exit status 2)."""


def run_main(parser, run, argv=None, errors=(OSError, ValueError, MemoryError)):
    """``run(parser.parse_args(argv))``'s exit status, every failure one line on stderr, no traceback.

    ``--help``: 0. A bad flag or a :class:`UsageError`: ``prog: error: ...`` and 2. Any of ``errors``:
    ``prog: error: message`` and 1. Ctrl-C: ``prog: interrupted`` and 130. Anything else is a bug, and
    keeps its traceback.
    """
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help (0) or a bad flag (2, message already printed)
        return exit_.code if isinstance(exit_.code, int) else 1
    try:
        return run(args)
    except (UsageError, KeyboardInterrupt, *errors) as err:
        return failure_status(parser.prog, err)


def failure_status(prog, err, resume_hint=""):
    """Print the one line a command shows for an expected failure ``err`` on stderr; return the exit status:
    2 for a :class:`UsageError`, 130 (128 + SIGINT, as a shell reports it) for Ctrl-C, else 1.
    ``resume_hint``: how to continue after Ctrl-C (``npgan.train``)."""
    if isinstance(err, KeyboardInterrupt):
        # The newline ends the line the terminal's "^C" was echoed on.
        print(f"\n{prog}: interrupted" + (f". {resume_hint}" if resume_hint else ""), file=sys.stderr)
        return 130
    message = os_error_text(err) if isinstance(err, OSError) else " ".join(str(err).split())
    print(f"{prog}: error: {message or type(err).__name__}", file=sys.stderr)
    return 2 if isinstance(err, UsageError) else 1


# What a failed system call means, for a user: ``[Errno 17] File exists: 'out'`` says how, not what.
OS_ERROR_WORDS = {
    errno.EEXIST: "a file of that name is in the way",
    errno.ENOTDIR: "part of that path is a file, not a folder",
    errno.EISDIR: "it is a folder",
    errno.ENOENT: "no such file or folder",
    errno.EACCES: "permission denied",
    errno.EPERM: "the system does not allow it",
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "the disk is full",
    errno.ENAMETOOLONG: "the name is too long",
}


def os_error_text(err):
    """An ``OSError`` as one line of words: ``"out: a file of that name is in the way"`` rather than
    ``"[Errno 17] File exists: 'out'"``. Errors npgan raised itself (no errno) keep their own message."""
    if err.errno is None:
        return " ".join(str(err).split())
    reason = OS_ERROR_WORDS.get(err.errno, (err.strerror or str(err)).lower())
    return f"{err.filename}: {reason}" if err.filename else reason


def _parse_int(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def positive_int(text):
    """argparse type: an integer >= 1."""
    value = _parse_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def nonnegative_int(text):
    """argparse type: an integer >= 0."""
    value = _parse_int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {text!r}")
    return value


def int_range(low, high):
    """argparse type factory: an integer with ``low <= value <= high``."""

    def parse(text):
        value = _parse_int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be an integer from {low} to {high}, got {text!r}")
        return value

    parse.__name__ = f"int_range({low}, {high})"
    return parse


def _parse_float(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def _checked_float(text, ok, wanted):
    """``text`` as a float if ``ok(value)``, else an argparse error saying it ``must be {wanted}``."""
    value = _parse_float(text)
    if not ok(value):
        raise argparse.ArgumentTypeError(f"must be {wanted}, got {text!r}")
    return value


def positive_float(text):
    """argparse type: a finite float > 0 (rejects nan and inf)."""
    return _checked_float(text, lambda v: math.isfinite(v) and v > 0, "a finite number > 0")


def nonnegative_float(text):
    """argparse type: a finite float >= 0 (a weight or a bound, where 0 means off)."""
    return _checked_float(text, lambda v: math.isfinite(v) and v >= 0, "a finite number >= 0")


def decay_factor(text):
    """argparse type: a number in (0, 1] (a factor applied again and again; 1 changes nothing)."""
    return _checked_float(text, lambda v: 0 < v <= 1, "a number in (0, 1]")


def fraction(text):
    """argparse type: a number in [0, 1) (a slope, a smoothing amount, a decay rate)."""
    return _checked_float(text, lambda v: 0 <= v < 1, "a number in [0, 1)")


def share(text):
    """argparse type: a number in [0, 1] (a share of a batch; 0: none, 1: all)."""
    return _checked_float(text, lambda v: 0 <= v <= 1, "a number in [0, 1]")


def check_output(path):
    """Fail early, before any work, if ``path`` cannot be an output file (``OSError`` saying why)."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise OSError(f"cannot write {path}: folder {folder} does not exist")
    if path.is_dir():
        raise OSError(f"cannot write {path}: it is a folder")
    refusal = folder_refusal(folder)
    if refusal:
        raise OSError(f"cannot write {path}: folder {folder} {refusal}")


def check_outputs(paths_by_flag):
    """:func:`check_output` for each ``{flag: path}`` given (None: not asked for), after making sure no two
    flags name the same file (:class:`UsageError`)."""
    flags_by_file = {}
    for flag, path in paths_by_flag.items():
        if path is None:
            continue
        same = flags_by_file.setdefault(Path(path).resolve(), flag)
        if same != flag:
            raise UsageError(f"{same} and {flag} name the same file: give them different files")
    for path in filter(None, paths_by_flag.values()):
        check_output(path)


def folder_refusal(folder):
    """Why the existing ``folder`` takes no new files, in words ("is read-only", ...), or None if it does.

    Tried with a temporary sub-folder, created and removed at once: ``os.access`` says yes to root
    everywhere, and ``/proc`` or ``/sys`` refuse whatever it says.
    """
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".npgan-", dir=folder))
    except OSError as err:
        if err.errno == errno.ENOENT:  # the folder exists, so this is /proc-like: no new entries at all
            return "takes no new files (a system folder)"
        return f"refuses new files: {OS_ERROR_WORDS.get(err.errno, err.strerror)}"
    return None


def check_output_folder(path, flag):
    """Fail early (:class:`UsageError`), before any work, if ``path`` cannot become a folder of outputs.
    Nothing is created: the nearest existing folder on the way must be a folder that takes new files."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{flag} {path}: it is a file, not a folder: choose a folder for the outputs")
    existing = next(folder for folder in (path, *path.absolute().parents) if folder.exists())
    if not existing.is_dir():
        raise UsageError(f"{flag} {path}: {existing} is a file, not a folder")
    refusal = folder_refusal(existing)
    if refusal:
        raise UsageError(f"{flag} {path}: folder {existing} {refusal}")


def prepare_data_dir(path, flag="--data-dir", log=print):
    """Make sure ``path`` is a dataset folder before anything is downloaded into it.

    A file, or a folder whose parent folder is missing too (a typo, most likely), is a :class:`UsageError`.
    A missing folder whose parent exists is created, and ``log`` says so, so that a mistyped name is seen
    before minutes of downloading.
    """
    path = Path(path)
    if path.is_dir():
        return
    if path.exists():
        raise UsageError(f"{flag} {path}: it is a file, not a folder")
    parent = path.absolute().parent
    if parent.exists() and not parent.is_dir():
        raise UsageError(f"{flag} {path}: {parent} is a file, not a folder")
    if not parent.is_dir():
        raise UsageError(f"{flag} {path}: no such folder, and its parent {parent} does not exist either: "
                         "check the name, or create the folder first")
    refusal = folder_refusal(parent)
    if refusal:
        raise UsageError(f"{flag} {path}: cannot create it: folder {parent} {refusal}")
    path.mkdir()
    log(f"{flag} {path} did not exist: created it, to download the dataset into")


# Picture formats an output name may ask for (matplotlib writes them; JPEG through Pillow).
IMAGE_FORMATS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".pdf": "pdf", ".svg": "svg"}


def image_format(path, flag):
    """The format a picture's file name asks for (``"png"`` for ``grid.png``), or :class:`UsageError` for
    a name without a known extension, so that nothing is written in a format other than its name says."""
    suffix = Path(path).suffix.lower()
    if suffix not in IMAGE_FORMATS:
        known = ", ".join(IMAGE_FORMATS)
        problem = f"unknown picture type {suffix}" if suffix else "no file extension"
        raise UsageError(f"{flag} {path}: {problem}: end the name in one of {known}")
    if IMAGE_FORMATS[suffix] == "jpeg" and importlib.util.find_spec("PIL") is None:
        raise UsageError(f"{flag} {path}: writing JPEG needs Pillow (pip install pillow); or use .png")
    return IMAGE_FORMATS[suffix]


def plural(count, noun):
    """``"1 epoch"``, ``"8 epochs"``: ``count`` and the noun that goes with it."""
    return f"{count:,} {noun if count == 1 else noun + 's'}"


def write_all(outputs):
    """Write every ``(path, write)`` pair (``write`` gets an open binary file); the files appear only once
    all of them were written, so a failure leaves no output half-written or missing its partner."""
    with contextlib.ExitStack() as stack:
        for path, write in outputs:
            try:
                write(stack.enter_context(atomic_write(path)))
            except OSError as err:
                raise OSError(f"cannot write {path}: {OS_ERROR_WORDS.get(err.errno, err.strerror or err)}") from None
