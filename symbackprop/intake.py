r"""Reading files we were given without trusting what they are: regular files only, a size cap, safe names.

Why this exists: a derivation file named on the command line, or handed in to a submissions folder, may
be a FIFO (``open`` would block forever), a device (``/dev/zero`` never ends), or a symbolic link to a
file the student could not read themselves (``/etc/shadow``, a config file) whose first line would then
appear in a YAML error message or a grade row. :func:`read_limited` therefore

 1. ``stat``\s the path first and refuses anything that is not a regular file *before opening it*
    (opening some devices has side effects), naming only the kind of file, never its target or content;
 2. opens it with ``O_NONBLOCK | O_NOCTTY`` (a FIFO swapped in after the stat cannot block us) and, when
    links must not be followed, ``O_NOFOLLOW`` (a link swapped in after the stat is refused by the kernel);
 3. ``fstat``\s the open descriptor and requires the same regular file it stat'ed;
 4. reads at most ``limit + 1`` bytes, so an oversized file is refused without reading it all.

:func:`display_name` renders a file name for messages, CSV and JSON: bytes that are not UTF-8 (kept by
Python as surrogate escapes) become ``\xNN``, control characters (CR, LF, ESC, ...), line separators and
bidirectional overrides become ``\xNN`` / ``\uNNNN``, so a name can neither split a row nor crash an
encoder nor rewrite a terminal. The rendering is for people; the original name is still used to open files.
"""
from __future__ import annotations

import errno
import os
import secrets
import stat

from .errors import SpecError

__all__ = ["read_limited", "display_name", "file_kind", "replace_atomically"]

_BIDI = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A)) | {0x200E, 0x200F, 0x061C}
_SEPARATORS = {0x2028, 0x2029, 0x85}


def _escape_char(ch: str) -> str:
    """The visible escape of one unsafe character (a surrogate escape shows the original byte)."""
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:          # os.fsdecode's surrogateescape of a non-UTF-8 byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _unsafe(ch: str) -> bool:
    code = ord(ch)
    return code < 0x20 or 0x7F <= code < 0xA0 or 0xD800 <= code <= 0xDFFF or code in _BIDI or code in _SEPARATORS


def display_name(name) -> str:
    """A file name (str, bytes or path) as printable UTF-8 text on one line, for messages and reports."""
    text = os.fsdecode(os.fspath(name)) if not isinstance(name, str) else name
    if not any(_unsafe(ch) for ch in text):
        return text
    return "".join(_escape_char(ch) if _unsafe(ch) else ch for ch in text)


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words (for the refusal message)."""
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISLNK, "a symbolic link"),
             (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def _refuse(name, mode, follow_links) -> SpecError:
    """The one-line refusal of a path that is not a regular file (nothing of it has been read)."""
    kind = file_kind(mode)
    if stat.S_ISDIR(mode):
        return SpecError("is a directory; give a derivation file (.yaml)", file=name)
    if stat.S_ISLNK(mode) and not follow_links:
        return SpecError("is a symbolic link; links are not followed here (copy the file itself)", file=name)
    return SpecError(f"is {kind}, not a regular file; give a derivation file (.yaml)", file=name)


def _os_error(name, e: OSError) -> SpecError:
    if isinstance(e, FileNotFoundError):
        return SpecError("no such file", file=name)
    return SpecError(f"cannot read the file: {e.strerror or type(e).__name__}", file=name)


def _too_big(name, size, limit) -> SpecError:
    return SpecError(f"file is {size} bytes; derivation files are limited to {limit} bytes "
                     f"({limit / (1 << 20):g} MiB)", file=name)


def read_limited(path, limit: int, *, follow_links: bool = True) -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit``), or a SpecError naming the file.

    ``follow_links=False`` refuses a symbolic link as the last component (submissions folders): the
    link is never opened, so nothing behind it (and not its target's name) reaches any output.
    """
    name = display_name(path)
    try:
        before = os.stat(path, follow_symlinks=follow_links)
    except OSError as e:
        raise _os_error(name, e) from None
    if not stat.S_ISREG(before.st_mode):
        raise _refuse(name, before.st_mode, follow_links)
    if before.st_size > limit:
        raise _too_big(name, before.st_size, limit)
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    if not follow_links:
        flags |= os.O_NOFOLLOW
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if not follow_links and e.errno == errno.ELOOP:      # a link swapped in after the stat
            raise _refuse(name, stat.S_IFLNK, follow_links) from None
        raise _os_error(name, e) from None
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
            raise SpecError("changed while it was being opened; try again", file=name)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as e:
        raise _os_error(name, e) from None
    finally:
        os.close(fd)
    if size > limit:
        raise _too_big(name, f"over {limit}", limit)
    return b"".join(chunks)


def replace_atomically(target, data: bytes, st=None):
    """A temporary file beside ``target`` with ``data`` (and the old file's mode ``st``, if any), then os.replace:
    a reader sees the old file or the new one, never a part; the temporary file goes on any failure."""
    folder = os.path.dirname(target) or "."
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = os.path.join(folder, f".symbackprop-{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(f"no free temporary name in {folder}")
    try:
        try:
            if st is not None:
                os.fchmod(fd, stat.S_IMODE(st.st_mode))
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
