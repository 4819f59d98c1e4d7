"""A store of finished results, keyed by a hash of their parameters and of the code that made them.

``riptools reproduce`` saves every finished piece of work here before it plots anything; a rerun
finds the piece by its key and reuses it, so an interrupted run resumes where it stopped and loses no
finished work. Any change to riptools' source changes the code version, and with it every key, so a
stale result is never reused.
"""

from __future__ import annotations

import functools
import hashlib
import json
import pickle
from pathlib import Path

from riptools.results import dumps, write_bytes_atomic, write_text_atomic
from riptools.validation import InputError

CODECS = ("json", "pickle")
"""How a value is stored: ``json`` (readable; values come back as JSON reads them) or ``pickle``
(any picklable object, returned exactly as computed: dataclasses, numpy arrays, ±inf)."""


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """Returns a short hash of every riptools source file (names and contents)."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def canonical(value):
    """Returns ``value`` as it reads back from JSON (tuples → lists, numpy → Python, ...)."""
    return json.loads(dumps(value))


class ResultStore:
    """Finished results as files ``<root>/<name>-<key>.json`` (or ``.pkl``), written atomically.

    Args:
        root: the folder of the store (created when first written).
    """

    def __init__(self, root):
        self.root = Path(root)

    def key(self, name: str, params) -> str:
        """Returns the key of (name, params) under the current code version."""
        text = json.dumps({"name": name, "params": canonical(params), "code": code_version()}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def path(self, name: str, params, *, codec: str = "json") -> Path:
        """Returns the file that holds (name, params) in the given codec."""
        if codec not in CODECS:
            raise InputError(f"codec: expected one of {CODECS}, got {codec!r}")
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
        return self.root / f"{safe}-{self.key(name, params)}.{'json' if codec == 'json' else 'pkl'}"

    def load(self, name: str, params, *, codec: str = "json"):
        """Returns (True, value) when (name, params) is stored, else (False, None)."""
        path = self.path(name, params, codec=codec)
        if not path.is_file():
            return False, None
        if codec == "pickle":
            return True, pickle.loads(path.read_bytes())["value"]
        return True, json.loads(path.read_text())["value"]

    def save(self, name: str, params, value, *, codec: str = "json"):
        """Stores ``value`` for (name, params) and returns it as it reads back (JSON) or unchanged (pickle)."""
        record = {"name": name, "params": canonical(params), "code_version": code_version()}
        path = self.path(name, params, codec=codec)
        if codec == "pickle":
            write_bytes_atomic(path, pickle.dumps(dict(record, value=value), protocol=pickle.HIGHEST_PROTOCOL))
            return value
        record["value"] = canonical(value)
        write_text_atomic(path, dumps(record))
        return record["value"]
