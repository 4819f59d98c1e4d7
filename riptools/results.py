"""Saving results as data: JSON with numpy support, written atomically."""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import os
import sys
import tempfile
from pathlib import Path


def to_jsonable(value):
    """Returns ``value`` with numpy arrays/scalars, dataclasses, enums and paths made JSON-ready."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value) if not f.name.startswith("_")}
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    numpy = sys.modules.get("numpy")  # numpy values exist only once numpy is imported (not at start-up)
    if numpy is not None and isinstance(value, numpy.ndarray):
        return to_jsonable(value.tolist())
    if numpy is not None and isinstance(value, numpy.generic):
        return to_jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, Path):
        return str(value)
    return value


def dumps(value, **kwargs) -> str:
    """Returns the JSON text of ``value`` (see :func:`to_jsonable`)."""
    return json.dumps(to_jsonable(value), **kwargs)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_bytes_atomic(path, data: bytes) -> Path:
    """Writes ``data`` to ``path`` through a temporary file and a rename, so readers never see half a file.

    The file gets the permissions a plain ``open(path, "w")`` would give (0666 minus the umask), not
    the temporary file's private 0600.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            os.fchmod(stream.fileno(), 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path, text: str) -> Path:
    """Writes ``text`` (UTF-8) to ``path`` atomically (see :func:`write_bytes_atomic`)."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path, value) -> Path:
    """Writes ``value`` as indented JSON to ``path`` atomically."""
    return write_text_atomic(path, dumps(value, indent=2) + "\n")
