"""Writing result files safely: refuse a target that cannot be written, never leave half a file.

Light on imports on purpose: `quartier index` uses it without loading the apps.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["atomically", "output_problem"]


def output_problem(path: Path) -> str | None:
    """Why no file can be written at `path` (a folder, a missing folder), or None."""
    if path.is_dir():
        return f"{path} is a folder; give a file name, e.g. {path / 'result.csv'}"
    folder = path.parent
    if not folder.exists():
        return f"the folder {folder} does not exist"
    if not folder.is_dir():
        return f"{folder} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write to the folder {folder}"
    return None


def atomically(path: Path, write: Callable[[Path], Any]) -> None:
    """Let `write` fill a temporary file in the target's folder, then rename it into place."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        # mkstemp makes the file private; the export gets the permissions of any new file.
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
