"""Citizen ID numbers and mobile numbers: the rules as data, validation and masked display.

Sources (RULES.md "Personal data"):
- Citizen ID number, GB 11643-1999: 6-digit address code, 8-digit birth date (YYYYMMDD), 3-digit
  sequence (odd for men, even for women), 1 check character by ISO 7064 MOD 11-2.
- Mobile numbers: 11 digits, starting with 1 and a second digit 3-9.
- Masked display (DESIGN.md "Personal data"): ID first 6 and last 4, phone first 3 and last 4.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.audit import audit
from jiceng.core.errors import UserError

# GB 11643-1999, ISO 7064 MOD 11-2: weights of the first 17 digits, and the check character for
# each remainder of the weighted sum mod 11.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_PATTERN = re.compile(r"^[1-9][0-9]{16}[0-9X]$")
# The oldest living people were born around 1900; an ID with an earlier birth date is a typo.
ID_EARLIEST_BIRTH = date(1890, 1, 1)

MOBILE_PATTERN = re.compile(r"^1[3-9][0-9]{9}$")
# What normalising drops (compiled once: an import normalises each number twice).
_SPACES = re.compile(r"\s+")
_MOBILE_SEPARATORS = re.compile(r"[\s\-()]")

ID_MASK = (6, 4)  # shown: first 6, last 4
PHONE_MASK = (3, 4)  # shown: first 3, last 4


@dataclass(frozen=True)
class IdInfo:
    number: str
    area_code: str
    birth_date: date
    gender: str  # "male" / "female", from the parity of the sequence


def id_check_char(first17: str) -> str:
    """The check character for the first 17 digits (ISO 7064 MOD 11-2)."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def normalize_id_number(value: object) -> str:
    """Spaces dropped, a lower-case x made upper-case; nothing else is changed."""
    return _SPACES.sub("", str(value or "")).upper()


def validate_id_number(value: object, *, today: date | None = None) -> IdInfo:
    """The parts of a valid 18-character citizen ID number, or a UserError naming what is wrong."""
    number = normalize_id_number(value)
    if not number:
        raise UserError(_("身份证号不能为空。"), field="id_number")
    if len(number) == 15 and number.isdigit():
        raise UserError(
            _("这是 15 位的旧身份证号，请填写 18 位的公民身份号码。"), field="id_number"
        )
    if len(number) != 18:
        raise UserError(
            _("身份证号应为 18 位（现为 %(n)d 位）。") % {"n": len(number)}, field="id_number"
        )
    if not ID_PATTERN.match(number):
        raise UserError(_("身份证号只能由数字组成，最后一位可以是 X。"), field="id_number")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise UserError(
            _("身份证号中的出生日期 %(d)s 不存在。") % {"d": number[6:14]}, field="id_number"
        ) from exc
    today = today or timezone.localdate()
    if birth > today or birth < ID_EARLIEST_BIRTH:
        raise UserError(
            _("身份证号中的出生日期 %(d)s 不可能（早于 1890 年或晚于今天）。")
            % {"d": birth.isoformat()},
            field="id_number",
        )
    expected = id_check_char(number[:17])
    if number[17] != expected:
        raise UserError(
            _("身份证号校验位错误（最后一位应为 %(c)s），请核对号码。") % {"c": expected},
            field="id_number",
        )
    gender = "male" if int(number[16]) % 2 else "female"
    return IdInfo(number=number, area_code=number[:6], birth_date=birth, gender=gender)


def normalize_mobile(value: object) -> str:
    """Spaces, hyphens and a leading +86 / 86 dropped."""
    digits = _MOBILE_SEPARATORS.sub("", str(value or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def validate_mobile(value: object) -> str:
    """The mobile number as 11 digits, or a UserError saying what is wrong."""
    number = normalize_mobile(value)
    if not number:
        raise UserError(_("手机号不能为空。"), field="phone")
    if not MOBILE_PATTERN.match(number):
        raise UserError(
            _("手机号应为 11 位数字，以 1 开头、第二位为 3～9（现为“%(v)s”）。")
            % {"v": str(value)[:20]},
            field="phone",
        )
    return number


def _mask(value: str | None, keep: tuple[int, int]) -> str:
    if not value:
        return ""
    head, tail = keep
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


def mask_id_number(value: str | None) -> str:
    """110105********002X: the first 6 and the last 4 characters."""
    return _mask(value, ID_MASK)


def mask_phone(value: str | None) -> str:
    """138****5678: the first 3 and the last 4 digits."""
    return _mask(value, PHONE_MASK)


def reveal(
    *, by, obj, field: str, value: str | None, reason: str, action: str, request=None
) -> str:
    """One personal number shown whole, after the caller has checked the permission: needs a
    reason (at least two characters) and writes an audit entry naming the field and the reason.
    The register, a case's call-back number and the venues' contact phones all come here."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise UserError(_("请填写查看原因。"), field="reason")
    audit(
        actor=by,
        action=action,
        obj=obj,
        request=request,
        detail={"field": field, "reason": reason[:200]},
    )
    return value or ""
