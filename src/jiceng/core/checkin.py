"""The rotating check-in code of a meeting's QR, for every kind of meeting (party meetings,
deliberation meetings): a signed, time-stamped code that names one record. The meeting's screen
shows a fresh one every ``REFRESH`` seconds and a code reads for ``MAX_AGE`` seconds, so that a
screenshot sent to someone elsewhere soon stops working. Each kind of meeting signs with its own
salt, so that a code of one never reads as the other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.utils.translation import gettext as _

from jiceng.core.errors import UserError

MAX_AGE = 120
REFRESH = 60
# Check-in opens this long before the meeting starts and closes this long after it ends.
EARLY = timedelta(minutes=30)
LATE = timedelta(minutes=30)


@dataclass(frozen=True)
class RotatingCode:
    salt: str
    max_age: int = MAX_AGE
    refresh: int = REFRESH

    def sign(self, value: int | str) -> str:
        """A code for ``value`` (a record's id, or "id:kind"), good for ``max_age`` seconds."""
        return signing.TimestampSigner(salt=self.salt).sign(str(value))

    def read(self, code: str) -> str:
        """The value the code names; a refusal in the user's language when it is too old (410)
        or does not read (400)."""
        try:
            value = signing.TimestampSigner(salt=self.salt).unsign(code or "", max_age=self.max_age)
        except signing.SignatureExpired:
            raise UserError(_("签到码已过期，请扫描会场屏幕上最新的二维码。"), status=410) from None
        except signing.BadSignature:
            raise UserError(_("签到码无效，请扫描会场屏幕上的二维码。")) from None
        return value


def in_window(now, starts_at, ends_at) -> bool:
    """Is ``now`` inside the check-in window of a meeting from ``starts_at`` to ``ends_at``?"""
    return starts_at - EARLY <= now <= ends_at + LATE


def qr_svg(url: str) -> str:
    """The QR of ``url`` as inline SVG for the meeting's screen."""
    import segno  # only the screen page draws one

    return segno.make(url, error="m").svg_inline(scale=6)
