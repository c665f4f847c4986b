"""Small shared pieces of npgan's command lines (``npgan.sample``, ``npgan.train``, ``npgan.evaluate``).

- :class:`ArgumentParser`: argparse, but a bad flag gives *one* line on stderr
  (``prog: error: message (see --help)``) and exit status 2, instead of the usage block plus the message.
- Argument types with clear messages: :func:`positive_int`, :func:`nonnegative_int`,
  :func:`int_range`, :func:`positive_float`, :func:`nonnegative_float`, :func:`fraction`.
- :func:`run_main`: parse, run, and turn every expected failure into one line on stderr and an exit status.
- Output files: :func:`check_output` (:func:`check_outputs` for several) before any work, :func:`write_all`
  to write several at once,
  atomically (all of them appear, or none).
"""
import argparse
import contextlib
import math
import os
import sys
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
    ``prog: error: message`` and 1. Anything else is a bug, and keeps its traceback.
    """
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help (0) or a bad flag (2, message already printed)
        return exit_.code if isinstance(exit_.code, int) else 1
    try:
        return run(args)
    except UsageError as err:
        print(f"{parser.prog}: error: {err}", file=sys.stderr)
        return 2
    except errors as err:
        message = " ".join(str(err).split()) or type(err).__name__
        print(f"{parser.prog}: error: {message}", file=sys.stderr)
        return 1


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


def positive_float(text):
    """argparse type: a finite float > 0 (rejects nan and inf)."""
    value = _parse_float(text)
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return value


def nonnegative_float(text):
    """argparse type: a finite float >= 0 (a weight or a bound, where 0 means off)."""
    value = _parse_float(text)
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text!r}")
    return value


def decay_factor(text):
    """argparse type: a number in (0, 1] (a factor applied again and again; 1 changes nothing)."""
    value = _parse_float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1], got {text!r}")
    return value


def fraction(text):
    """argparse type: a number in [0, 1) (a slope, a smoothing amount, a decay rate)."""
    value = _parse_float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1), got {text!r}")
    return value


def check_output(path):
    """Fail early, before any work, if ``path`` cannot be an output file (``OSError`` saying why)."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise OSError(f"cannot write {path}: folder {folder} does not exist")
    if path.is_dir():
        raise OSError(f"cannot write {path}: it is a folder")
    if not os.access(folder, os.W_OK):
        raise OSError(f"cannot write {path}: folder {folder} is not writable")


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


def write_all(outputs):
    """Write every ``(path, write)`` pair (``write`` gets an open binary file); the files appear only once
    all of them were written, so a failure leaves no output half-written or missing its partner."""
    with contextlib.ExitStack() as stack:
        for path, write in outputs:
            try:
                write(stack.enter_context(atomic_write(path)))
            except OSError as err:
                raise OSError(f"cannot write {path}: {err.strerror or err}") from None
