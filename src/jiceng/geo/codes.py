"""Parsing and checking division codes (统计用区划代码 + a 3-digit grid number)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jiceng.core.errors import UserError
from jiceng.core.scope import LEVELS, district_of

SUFFIXES = re.compile(r"(社区居民委员会|居民委员会|居委会|村民委员会|村委会)$")
_LENGTHS = {length: level for level, length in LEVELS.items()}


def parse_code(raw: str) -> str:
    """A well-formed division code, or a clear error naming what is wrong with it."""
    code = (raw or "").strip()
    if not code:
        raise UserError(_("请填写区划代码。"), field="code")
    if not re.fullmatch(r"[0-9]+", code):
        raise UserError(_("区划代码只能由数字组成：“{code}”。").format(code=code), field="code")
    if len(code) not in _LENGTHS:
        raise UserError(
            _(
                "区划代码应为 6 位（区县）、9 位（街道）、12 位（社区）或 15 位（网格），"
                "“{code}”为 {n} 位。"
            ).format(code=code, n=len(code)),
            field="code",
        )
    district = district_of(code)
    if district.endswith("00") or district.startswith("00"):
        raise UserError(_("“{code}”不是区县级代码。").format(code=district), field="code")
    return code


def level_of(code: str) -> str:
    return _LENGTHS[len(parse_code(code))]


def short_name(name: str) -> str:
    """公园社区居民委员会 -> 公园社区; 童家村村民委员会 -> 童家村."""
    stripped = SUFFIXES.sub("", name)
    if name.endswith(("社区居民委员会",)):
        return stripped + "社区"
    if name.endswith(("居民委员会", "居委会")):
        return stripped if stripped.endswith("社区") else stripped + "社区"
    if name.endswith(("村民委员会", "村委会")):
        return stripped if stripped.endswith("村") else stripped + "村"
    return stripped
