"""Parsing and checking division codes (统计用区划代码 + a 3-digit grid number)."""

from __future__ import annotations

import re

from jiceng.core.errors import UserError

_LENGTHS = {6: "district", 9: "street", 12: "community", 15: "grid"}


def parse_code(raw: str) -> str:
    """A well-formed division code, or a clear error naming what is wrong with it."""
    code = (raw or "").strip()
    if not code:
        raise UserError("请填写区划代码。", field="code")
    if not re.fullmatch(r"[0-9]+", code):
        raise UserError(f"区划代码只能由数字组成：“{code}”。", field="code")
    if len(code) not in _LENGTHS:
        raise UserError(
            f"区划代码应为 6 位（区县）、9 位（街道）、12 位（社区）或 15 位（网格），"
            f"“{code}”为 {len(code)} 位。",
            field="code",
        )
    if code[:6].endswith("00") or code[:2] == "00":
        raise UserError(f"“{code[:6]}”不是区县级代码。", field="code")
    return code


def level_of(code: str) -> str:
    return _LENGTHS[len(parse_code(code))]
