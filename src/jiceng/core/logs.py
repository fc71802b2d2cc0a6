"""What goes into the log: answers given on purpose are one line, not a traceback."""

from __future__ import annotations

import logging

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404

from jiceng.core.errors import UserError

EXPECTED = (PermissionDenied, Http404, BadRequest, UserError)


class ExpectedAnswers(logging.Filter):
    """Drops the traceback of a 403, a 404 or a refused input (Django logs one for a raised
    PermissionDenied); the line that names the request stays. Real errors keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], EXPECTED):
            record.exc_info = None
            record.exc_text = None
        return True
