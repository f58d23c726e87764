"""Files on disk under random names, outside the static folder; never listed, never executable."""
from __future__ import annotations

import os
import secrets


def new_key(extension: str) -> str:
    return f"{secrets.token_hex(16)}.{extension}"


def _path(folder: str, key: str) -> str:
    if "/" in key or "\\" in key or key.startswith("."):
        raise ValueError("bad storage key")
    return os.path.join(folder, key[:2], key)


def save(folder: str, key: str, data: bytes) -> None:
    path = _path(folder, key)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def path_for(folder: str, key: str) -> str:
    return _path(folder, key)


def delete(folder: str, key: str) -> None:
    try:
        os.remove(_path(folder, key))
    except FileNotFoundError:
        pass
