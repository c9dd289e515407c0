"""Output files of the command line (``-o``): never an input, written atomically.

``-o`` never names an input (the derivation file, the reference, a submission, anything in the submissions
folder; compared by resolved path and by inode, so hard links count) -- a usage error -- and is written
atomically: a temporary file in the same directory, then ``os.replace``, so an error or an interrupt leaves
the old file (or none), never a half-written one.  An existing non-regular target (``/dev/stdout``, a FIFO)
is written in place.
"""
from __future__ import annotations

import os
import stat
import sys

from .errors import SymbackpropError
from .intake import display_name, replace_atomically

__all__ = ["UsageError", "check_output", "write_output"]


class UsageError(Exception):
    """A usage error of the command line: one line on stderr, exit code 2 (cli.py prints it)."""


def _same_file(a, b) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _inside(path, folder) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:
        return False


def check_output(path, flag, inputs=(), folder=None):
    """Usage error if the output ``path`` is (or is a link to, or a hard link of) an input file: one of
    ``inputs`` ((kind, path) pairs) or a file in the submissions ``folder`` (an existing file anywhere
    under it, or a new *.yaml/*.yml there, which would become a submission). Nothing is written here."""
    if not path:
        return
    out = os.path.realpath(path)
    for kind, f in inputs:
        if f and (os.path.realpath(f) == out or _same_file(path, f)):
            raise UsageError(f"{flag} {display_name(path)} is the {kind} {display_name(f)}; refusing to overwrite "
                         f"an input, give another output file")
    if folder:
        from .spec import SUFFIXES
        where = f"the submissions folder {display_name(folder)}"
        if _inside(out, os.path.realpath(folder)):
            if os.path.lexists(out) or os.path.lexists(path):
                raise UsageError(f"{flag} {display_name(path)} is a file in {where}; refusing to overwrite it, "
                             f"write the output outside the folder")
            if os.path.splitext(out)[1].lower() in SUFFIXES:
                raise UsageError(f"{flag} {display_name(path)} would be a new submission in {where}; "
                             f"write the output outside the folder")
        try:
            entries = [e.path for e in os.scandir(folder)]
        except OSError:
            entries = []
        for e in entries:
            if _same_file(path, e):
                raise UsageError(f"{flag} {display_name(path)} is the same file as {display_name(e)} in the "
                             f"submissions folder; refusing to overwrite an input, give another output file")


def write_output(text, path):
    """Write ``text`` to ``path`` atomically (temporary file + os.replace), or to stdout without a path."""
    if not path:
        sys.stdout.write(text)
        return
    name = display_name(path)
    target = os.path.realpath(path)           # through a link, as open() would
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise SymbackpropError(f"cannot write the output: {e.strerror or e}", file=name) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{name}: is a directory; give the output file's name")
    try:
        if st is not None and not stat.S_ISREG(st.st_mode):     # /dev/stdout, /dev/null, a FIFO
            with open(target, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            return
        replace_atomically(target, text.encode("utf-8"), st)
    except OSError as e:
        raise SymbackpropError(f"cannot write the output: {e.strerror or e}", file=name) from None
