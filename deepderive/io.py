"""File output for the application: atomic writes (and, from the report side, the TeX toolchain)."""
from __future__ import annotations

import os
import pathlib
import tempfile


def atomic_write(path, text: str) -> None:
    """Write `text` to `path` through a temporary file and a rename: readers never see half a file."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 suits the scratch name, not the result
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
