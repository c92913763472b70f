"""The upload spool: the platform's private folder (``WPSNAP_UPLOAD_SPOOL_DIR``) where an upload too
large to keep in memory is written while it is read (Django's ``FILE_UPLOAD_TEMP_DIR`` points here).

Uploads carry personal data (participant lists), so they never go to the system's shared temp
folder, and what a killed request leaves behind is removed by :func:`spool_sweep`
(``wpsnap uploads sweep``, at start-up and daily). The spreadsheet check pipes the file to its child
process and writes nothing to disk.
"""

from __future__ import annotations

import stat
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

PRIVATE = 0o700


def spool_dir() -> Path:
    """The spool folder, made if missing and kept private to the platform's user (0700)."""
    path = Path(settings.WPSNAP_UPLOAD_SPOOL_DIR)
    path.mkdir(mode=PRIVATE, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != PRIVATE:
        path.chmod(PRIVATE)
    return path


@dataclass(frozen=True)
class SweepResult:
    files: int
    bytes: int
    kept: int


def spool_sweep(*, hours: float = 24, now: float | None = None) -> SweepResult:
    """Remove the spooled files last written more than ``hours`` ago (a request still reading its
    upload keeps writing it, so its file is never that old), and the folders they leave empty. Never
    follows a link out of the folder."""
    root = spool_dir()
    cutoff = (now if now is not None else time.time()) - hours * 3600
    removed = size = kept = 0
    for folder, folders, files in root.walk(top_down=False, follow_symlinks=False):
        for path in [folder / name for name in files] + [
            folder / f for f in folders if (folder / f).is_symlink()
        ]:
            try:
                info = path.lstat()
                if info.st_mtime >= cutoff:
                    kept += 1
                    continue
                path.unlink()
            except FileNotFoundError:
                continue  # closed and removed by its request meanwhile
            removed += 1
            size += info.st_size if stat.S_ISREG(info.st_mode) else 0
        if folder != root and not folder.is_symlink() and folder.lstat().st_mtime < cutoff:
            try:
                folder.rmdir()
            except OSError:
                continue  # not empty, or written to meanwhile: kept for the next sweep
    return SweepResult(files=removed, bytes=size, kept=kept)
