"""Moved to ``jiceng.core.photos`` (every app checks photos the same way)."""

from jiceng.core.photos import MAX_PHOTOS, prepare_photos  # noqa: F401
