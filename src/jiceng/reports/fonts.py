"""The Chinese font every PDF embeds, shipped with the app (``fonts/JicengSans.ttf.xz``, SIL OFL;
``fonts/README.md`` says what it holds and how it was cut) and unpacked once into the var
directory with Python's own ``lzma``: a fresh machine needs nothing but the wheels."""

from __future__ import annotations

import hashlib
import lzma
import os
import tempfile
import threading
from pathlib import Path

from django.conf import settings

PACKED = Path(__file__).parent / "fonts" / "JicengSans.ttf.xz"
_lock = threading.Lock()
_digest: list[str] = []  # the packed file's, read once per process


def font_path() -> Path:
    """The unpacked font (its name carries the packed file's digest, so a new font is a new
    file); written to a temporary file and renamed, so a half-written font is never read."""
    if not _digest:
        _digest.append(hashlib.sha256(PACKED.read_bytes()).hexdigest()[:12])
    digest = _digest[0]
    folder = Path(settings.VAR_DIR) / "fonts"
    target = folder / f"JicengSans-{digest}.ttf"
    if target.exists():
        return target
    with _lock:
        if target.exists():
            return target
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(lzma.decompress(PACKED.read_bytes()))
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return target
