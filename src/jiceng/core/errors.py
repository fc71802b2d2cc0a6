"""The one exception type for errors a user can cause; its message is in the user's language."""

from __future__ import annotations


class UserError(Exception):
    """Refused input or a forbidden action; views and the API turn it into a 4xx with the message."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None, status: int | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        if status is not None:
            self.status = status


class NotFound(UserError):
    """Absent or outside the viewer's scope: the two look the same to the viewer."""

    status = 404


class Forbidden(UserError):
    """Visible, but this action is not the viewer's to take."""

    status = 403
