"""Small reference tables read once and reused by every request of a process.

The working calendar's overrides and the case categories change a few times a year and are read
on every report and every deadline. A ``ProcessMemo`` reads its value at most once every
``seconds`` per process; the model's own save and delete call ``forget()``, so the process that
made an edit sees it at once and the other processes within that time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

_ALL: list[ProcessMemo] = []


def _database_name() -> str:
    from django.db import connection

    return str(connection.settings_dict.get("NAME"))


class ProcessMemo(Generic[T]):
    def __init__(self, load: Callable[[], T], seconds: float = 60.0) -> None:
        self._load = load
        self.seconds = seconds
        self._value: T | None = None
        self._at = 0.0
        self._database = ""
        _ALL.append(self)

    def get(self) -> T:
        now = time.monotonic()
        database = _database_name()  # a test database is not the one read before
        if self._value is None or now - self._at > self.seconds or database != self._database:
            self._value = self._load()
            self._at, self._database = now, database
        return self._value

    def forget(self) -> None:
        """Read again at the next use (this process changed the rows)."""
        self._value = None


def forget_all() -> None:
    for memo in _ALL:
        memo.forget()
