"""Claims already decided, remembered on disk: a claim checked again with the same inputs by the same checker
is answered from the cache instead of a worker (a file re-checked after one edit, a page re-checked as one
types, a course's many identical answers).

What is remembered.  Only *final* verdicts: ``proved`` (an exact proof), ``refuted`` (a confirmed
counterexample) and an ``error`` located at a token or key of the claim (the notation layer's, which
depends on the text alone).  ``numerically-equal`` and ``inconclusive`` are never remembered: they can
depend on the time the symbolic phase had, so a quieter machine may decide more; neither is a worker that
hit a limit or crashed, nor an internal error.

The key.  SHA-256 of everything the result is a function of: the checker's own code (every file of this
package, read once per process), the versions of Python, SymPy, mpmath, NumPy and latex2sympy2, the
network, the file's notation profile, the claim's id, text, givens, expectation, line and origin, the
file's path, and the checker options (points, precision, seed, symbolic budget).  Any change to one of
them is another key, so a stale entry is never read; nothing is ever invalidated in place.

The store.  One SQLite database (standard library; atomic writes, safe with several processes) in
``$SYMBACKPROP_CACHE_DIR``, else ``$XDG_CACHE_HOME/symbackprop``, else ``~/.cache/symbackprop``; safe to
delete at any time.  At most :data:`MAX_ENTRIES` entries (the least recently used go first).  Values are
JSON, never pickles: reading the cache cannot run code.  ``SYMBACKPROP_NO_CACHE=1`` (or the CLI's
``--no-cache``) turns it off; a cache that cannot be opened, read or written is silently not used (the
claims are then checked as usual).
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import time
from dataclasses import asdict, fields
from functools import lru_cache

from .check import ClaimResult

__all__ = ["ResultCache", "open_cache", "claim_key", "cacheable", "MAX_ENTRIES", "FINAL"]

MAX_ENTRIES = 100_000
FINAL = frozenset({"proved", "refuted"})        # verdicts that no budget or load can change
_SCHEMA = "symbackprop-results-1"
_PACKAGE = os.path.dirname(os.path.abspath(__file__))
_DEPENDENCIES = ("sympy", "mpmath", "numpy", "latex2sympy2")
_TUPLES = ("assumptions", "given", "read_as_given")     # ClaimResult fields that JSON turns into lists


@lru_cache(maxsize=1)
def checker_digest() -> str:
    """SHA-256 of this package's files (sorted by path) and the versions of Python and the dependencies."""
    from importlib import metadata
    h = hashlib.sha256(_SCHEMA.encode())
    h.update(sys.version.encode())
    for dist in _DEPENDENCIES:
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            version = "-"
        h.update(f"\0{dist}={version}".encode())
    for folder, dirs, files in sorted(os.walk(_PACKAGE)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".json")):
                path = os.path.join(folder, name)
                h.update(f"\0{os.path.relpath(path, _PACKAGE)}\0".encode())
                with open(path, "rb") as f:
                    h.update(f.read())
    return h.hexdigest()


def claim_key(net, claim, opts, path) -> str:
    """The content address of checking ``claim`` (a ``spec.ClaimSpec``) of the file at ``path`` on ``net``."""
    parts = (checker_digest(), repr(net), repr(claim.notation), claim.id, claim.claim, tuple(claim.given),
             bool(claim.expect), claim.line, repr(claim.origin), str(path), repr(opts))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def cacheable(result: ClaimResult) -> bool:
    """Whether ``result`` is final: proved, refuted, or an error located at a token or key of the claim."""
    if result.verdict in FINAL:
        return True
    return result.verdict == "error" and bool(result.location) and \
        any(result.location.get(k) is not None for k in ("token", "key"))


def _to_json(result: ClaimResult) -> str:
    return json.dumps(asdict(result), allow_nan=False)      # key order kept: it is the order shown


def _from_json(text: str) -> ClaimResult | None:
    data = json.loads(text)
    names = {f.name for f in fields(ClaimResult)}
    if not isinstance(data, dict) or set(data) != names:
        return None                      # written by another layout of ClaimResult: not ours to read
    for k in _TUPLES:
        data[k] = tuple(data[k])
    return ClaimResult(**data)


def cache_dir() -> str:
    """Where the database lives (see the module's docstring)."""
    explicit = os.environ.get("SYMBACKPROP_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "symbackprop")


class ResultCache:
    """The store: ``get(key)`` a remembered ClaimResult or None; ``put(key, result)`` remembers a final one.

    Every failure of the store (a locked, corrupt or read-only database) makes it answer None and write
    nothing from then on: the cache can only ever save work, never add an error."""

    def __init__(self, folder: str):
        self.path = os.path.join(folder, "results.sqlite3")
        self.hits = self.misses = 0
        os.makedirs(folder, mode=0o700, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=2.0, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
                         "used REAL NOT NULL)")
        self._written = 0

    def _broken(self):
        self.close()

    def get(self, key: str) -> ClaimResult | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
            result = _from_json(row[0]) if row is not None else None
            if result is not None:
                self._db.execute("UPDATE results SET used = ? WHERE key = ?", (time.time(), key))
        except (sqlite3.Error, ValueError, TypeError, KeyError):
            self._broken()
            return None
        if result is None:
            self.misses += 1
        else:
            self.hits += 1
        return result

    def put(self, key: str, result: ClaimResult) -> None:
        if self._db is None or not cacheable(result):
            return
        try:
            text = _to_json(result)
            back = _from_json(text)
            if back != result or _to_json(back) != text:
                return                   # JSON would not give it back exactly (a tuple, an int key): not kept
            self._db.execute("INSERT OR REPLACE INTO results (key, value, used) VALUES (?, ?, ?)",
                             (key, text, time.time()))
            self._written += 1
            if self._written % 1000 == 1:
                self._prune()
        except (sqlite3.Error, ValueError, TypeError):
            self._broken()

    def _prune(self):
        (n,) = self._db.execute("SELECT COUNT(*) FROM results").fetchone()
        if n > MAX_ENTRIES:
            self._db.execute("DELETE FROM results WHERE key IN (SELECT key FROM results ORDER BY used LIMIT ?)",
                             (n - MAX_ENTRIES,))

    def close(self):
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None


def open_cache(enabled: bool = True) -> ResultCache | None:
    """The cache of this user, or None when it is turned off (``enabled`` False, ``SYMBACKPROP_NO_CACHE``) or
    cannot be opened."""
    if not enabled or os.environ.get("SYMBACKPROP_NO_CACHE", "").strip() not in ("", "0"):
        return None
    try:
        return ResultCache(cache_dir())
    except (OSError, sqlite3.Error):
        return None
