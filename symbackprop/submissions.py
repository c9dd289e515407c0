r"""Submissions as they come from a course: a folder of files, a folder of per-student folders, or a zip of either.

:func:`collect` returns one :class:`Submission` per student, in name order, each with the bytes of its
derivation file or the one-line reason it cannot be graded (an error row, never an exception for the run).

Layouts
-------
- A folder: every ``*.yaml``/``*.yml`` directly in it is one submission (student: the file's stem); every
  subfolder is one student (student: the folder's name) whose derivation file is the one ``*.yaml``/``*.yml``
  directly in it (none or several: an error row naming them). Dot-files and other files are ignored; the
  reference file is skipped if it lives there; a subfolder without a derivation file is not a submission. Files are read as regular files only (:mod:`.intake`): a
  symbolic link, FIFO or device named ``*.yaml`` (or a link in place of a student folder) is an error row
  and is never opened.
- A zip (as LMS exports come): the same two layouts inside it, after one wrapping folder (a zip whose
  entries all lie under one top folder) is stripped. Entries are read into memory, never extracted:
  names with ``..``, an absolute path, a backslash or a NUL are error rows, as are symbolic links
  (unix mode in the entry), encrypted entries and entries over the size cap (checked on the bytes
  actually read, not on the header's claim); the zip is refused when it has more than
  :data:`MAX_ZIP_ENTRIES` entries or its members decompress to more than :data:`MAX_ZIP_TOTAL` bytes.

Student ids.  ``student_pattern`` (a regular expression, the TA's own) is searched in the file or folder
name: its first group (or the whole match) is the student id; no match keeps the name. Two submissions
with the same id both get error rows (a gradebook row must mean one student).

Duplicates.  Each submission's bytes are hashed (SHA-256); a submission identical to an earlier one
names it in ``duplicate_of`` (its claims are checked once anyway: grade shares identical claims).
"""
from __future__ import annotations

import hashlib
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import SymbackpropError
from .intake import display_name, read_limited
from .spec import MAX_BYTES, SUFFIXES

__all__ = ["Submission", "collect", "student_id", "MAX_ZIP_ENTRIES", "MAX_ZIP_TOTAL", "MAX_ZIP_BYTES"]

MAX_ZIP_ENTRIES = 20_000
MAX_ZIP_TOTAL = 512 << 20          # bytes decompressed over the whole zip
MAX_ZIP_BYTES = 1 << 30            # the zip file itself


@dataclass(frozen=True)
class Submission:
    """One student's derivation file: display name, student id, where it came from, its bytes or its error."""
    name: str
    student: str
    path: str
    data: bytes | None = None
    error: str | None = None
    sha256: str | None = None
    duplicate_of: str | None = None


def student_id(name: str, pattern=None, folder: bool = False) -> str:
    """The student id of a file or folder name: ``pattern``'s first group (or match), else the file's stem
    (a folder's whole name)."""
    stem = name[: -len(Path(name).suffix)] if not folder and Path(name).suffix.lower() in SUFFIXES else name
    if pattern is not None:
        m = re.search(pattern, name)
        if m:
            return m.group(1) if m.groups() and m.group(1) is not None else m.group(0)
    return stem


def _is_yaml(name: str) -> bool:
    return not name.startswith(".") and Path(name).suffix.lower() in SUFFIXES


def _same_file(a, b) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _read(path) -> tuple:
    """(bytes, None) or (None, error without the file name)."""
    try:
        return read_limited(path, MAX_BYTES, follow_links=False), None
    except SymbackpropError as e:
        e.file = None
        return None, e.one_line()


def _from_folder(directory: Path, reference) -> list:
    """(name, path, bytes, error) of each submission of a folder (files and student folders)."""
    try:
        entries = sorted(directory.iterdir(), key=lambda p: p.name)
    except OSError as e:
        raise SymbackpropError(f"cannot list the directory: {e.strerror or e}", file=str(directory)) from None
    out = []
    for p in entries:
        if p.name.startswith(".") or (reference is not None and _same_file(p, reference)):
            continue
        try:
            mode = os.lstat(p).st_mode
        except OSError:
            continue
        if stat.S_ISDIR(mode):
            entry = _student_folder(p, reference)
            if entry is not None:
                out.append(entry)
        elif _is_yaml(p.name):
            out.append((p.name, display_name(p), *_read(p)))
    return out


def _student_folder(folder: Path, reference) -> tuple | None:
    try:
        files = sorted(p for p in folder.iterdir() if _is_yaml(p.name) and not _same_file(p, reference or ""))
    except OSError as e:
        return folder.name + "/", display_name(folder), None, f"cannot list the folder: {e.strerror or e}"
    if not files:
        return None             # not a submission (notes, a PDF only): no row, as for any other file
    if len(files) > 1:
        what = "several derivation files (" + ", ".join(display_name(p.name) for p in files[:5]) + "); keep one"
        return folder.name + "/", display_name(folder), None, f"the student folder has {what}"
    return folder.name + "/", display_name(files[0]), *_read(files[0])


def _unsafe_member(name: str) -> str | None:
    if "\\" in name or "\x00" in name or name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "an unsafe path in the zip (absolute, drive letter, backslash or NUL); not read"
    if ".." in PurePosixPath(name).parts:
        return "a path with '..' in the zip; not read"
    return None


def _member_error(info: zipfile.ZipInfo) -> str | None:
    unsafe = _unsafe_member(info.filename)
    if unsafe:
        return unsafe
    mode = info.external_attr >> 16
    if mode and stat.S_ISLNK(mode):
        return "is a symbolic link in the zip; links are not followed (add the file itself)"
    if stat.S_IFMT(mode) and not stat.S_ISREG(mode) and not info.is_dir():     # a type given, not a file
        return "is not a regular file in the zip"
    if info.flag_bits & 0x1:
        return "is encrypted in the zip; not read"
    if info.file_size > MAX_BYTES:
        return f"file is {info.file_size} bytes; derivation files are limited to {MAX_BYTES} bytes"
    return None


class _ZipReader:
    """Reads members with the caps (per member and over the whole zip) on the bytes actually decompressed."""

    def __init__(self, zf):
        self.zf, self.total = zf, 0

    def read(self, info) -> tuple:
        err = _member_error(info)
        if err:
            return None, err
        try:
            with self.zf.open(info) as f:
                data = f.read(MAX_BYTES + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as e:
            return None, f"cannot read it from the zip: {type(e).__name__}: {e}"[:200]
        if len(data) > MAX_BYTES:
            return None, f"file is over {MAX_BYTES} bytes; derivation files are limited to {MAX_BYTES} bytes"
        self.total += len(data)
        if self.total > MAX_ZIP_TOTAL:
            raise SymbackpropError(f"the zip decompresses to more than {MAX_ZIP_TOTAL} bytes; split it")
        return data, None


def _zip_groups(infos) -> dict:
    """top name -> [members]: files at the top and the files directly in each top folder, after one
    wrapping folder is stripped."""
    names = [i.filename for i in infos if not i.is_dir() and not _unsafe_member(i.filename)]
    tops = {n.split("/", 1)[0] for n in names}
    strip = len(tops) == 1 and all("/" in n for n in names)
    groups = {}
    for info in infos:
        if _unsafe_member(info.filename):           # its own error row, never a path we follow
            groups[info.filename] = [info]
            continue
        if info.is_dir():
            continue
        parts = info.filename.split("/")[1 if strip else 0:]
        if any(p.startswith(".") or p == "__MACOSX" for p in parts) or not parts:
            continue
        if len(parts) == 1 and _is_yaml(parts[0]):
            groups.setdefault(parts[0], []).append(info)
        elif len(parts) == 2:
            groups.setdefault(parts[0] + "/", [])
            if _is_yaml(parts[1]):
                groups[parts[0] + "/"].append(info)
    return groups


def _from_zip(path: Path) -> list:
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise SymbackpropError("is not a regular file; give a folder or a .zip of submissions", file=str(path))
        if st.st_size > MAX_ZIP_BYTES:
            raise SymbackpropError(f"the zip is over {MAX_ZIP_BYTES} bytes", file=str(path))
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise SymbackpropError(f"cannot read the zip: {e}", file=display_name(path)) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise SymbackpropError(f"the zip has {len(infos)} entries (at most {MAX_ZIP_ENTRIES})", file=str(path))
        reader, out = _ZipReader(zf), []
        for top, members in sorted(_zip_groups(infos).items()):
            where = f"{display_name(path)}:{display_name(top.rstrip('/'))}"
            if top.endswith("/") and len(members) != 1:
                if members:
                    out.append((top, where, None, "the student folder has several derivation files; keep one"))
                continue
            if len(members) > 1:                       # the same name twice in the zip: neither is read
                out.append((top, where, None, "the zip holds several entries of this name; keep one"))
                continue
            member = members[0]
            out.append((top, f"{display_name(path)}:{display_name(member.filename)}", *reader.read(member)))
    return out


def collect(source, reference=None, student_pattern=None) -> list:
    """The submissions of a folder or zip (module doc); SymbackpropError if there is none or it cannot be read."""
    if student_pattern is not None:
        try:
            re.compile(student_pattern)
        except re.error as e:
            raise SymbackpropError(f"--student-id {student_pattern!r} is not a regular expression: {e}") from None
    src = Path(source)
    if not src.exists():
        raise SymbackpropError("no such directory", file=str(source))
    if src.is_dir():
        raw = _from_folder(src, reference)
    elif zipfile.is_zipfile(src) if src.is_file() else False:
        raw = _from_zip(src)
    else:
        raise SymbackpropError("is not a directory or a .zip; give the folder (or zip) of submissions", file=str(source))
    if not raw:
        raise SymbackpropError("no submissions (*.yaml or *.yml files, or student folders) in it", file=str(source))
    seen, out = {}, []
    for key, path, data, error in raw:
        folder, name = key.endswith("/"), key.rstrip("/")
        digest = hashlib.sha256(data).hexdigest() if data is not None else None
        dup = seen.setdefault(digest, display_name(name)) if digest else None
        out.append(Submission(display_name(name), display_name(student_id(name, student_pattern, folder)), path, data, error,
                              digest, dup if dup != display_name(name) else None))
    return _unique_students(out)


def _unique_students(subs) -> list:
    counts = {}
    for s in subs:
        counts[s.student] = counts.get(s.student, 0) + 1
    return [s if counts[s.student] == 1 else
            Submission(s.name, s.student, s.path, None, f"student id {s.student!r} is also that of another "
                       f"submission; rename one or adjust --student-id", s.sha256, s.duplicate_of)
            for s in subs]
