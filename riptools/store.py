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
from pathlib import Path

from riptools.results import dumps, write_text_atomic


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
    """Finished results as JSON files ``<root>/<name>-<key>.json``, written atomically.

    Args:
        root: the folder of the store (created when first written).
    """

    def __init__(self, root):
        self.root = Path(root)

    def key(self, name: str, params) -> str:
        """Returns the key of (name, params) under the current code version."""
        text = json.dumps({"name": name, "params": canonical(params), "code": code_version()}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def path(self, name: str, params) -> Path:
        """Returns the file that holds (name, params)."""
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
        return self.root / f"{safe}-{self.key(name, params)}.json"

    def load(self, name: str, params):
        """Returns (True, value) when (name, params) is stored, else (False, None)."""
        path = self.path(name, params)
        if not path.is_file():
            return False, None
        return True, json.loads(path.read_text())["value"]

    def save(self, name: str, params, value):
        """Stores ``value`` for (name, params) and returns it as it reads back from JSON."""
        record = {"name": name, "params": canonical(params), "code_version": code_version(), "value": canonical(value)}
        write_text_atomic(self.path(name, params), dumps(record))
        return record["value"]
