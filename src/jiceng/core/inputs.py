"""The bounds of what a request may carry, in one place: the API's pagination, integers that fit
the database, dates in a sane range, and the wording of refused input.

A value outside these bounds is refused with a 4xx and a message in the user's language before
any query runs: an integer past 2**63 - 1 would overflow SQLite's INTEGER, a year 9999 or 0001
overflows the week and month arithmetic and the time-zone conversion.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from jiceng.core.errors import UserError
from jiceng.core.paging import rows_and_total

D = TypeVar("D", date, datetime)

# The largest value a BIGINT (PostgreSQL) or INTEGER (SQLite) column holds.
INT_MAX = 2**63 - 1
INT_MIN = -(2**63)

# Dates a person can mean on this platform: births from 1900, plans up to the end of the century.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)

# One page of an API list at most, and how deep a page may start (a district's register has a
# few hundred thousand people; deeper offsets are a mistake or a probe, and each costs a scan).
MAX_LIMIT = 500
MAX_OFFSET = 10_000_000


def day_out_of_range_message() -> str:
    return _("日期须在 {first} 至 {last} 之间。").format(
        first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat()
    )


def in_day_range(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def check_day(value: D, field: str | None = None) -> D:
    """``value`` (a date or a datetime) if it lies in the sane range, else a UserError: for the
    dates that pages parse themselves (a week, a month, a period)."""
    day = value.date() if isinstance(value, datetime) else value
    if not in_day_range(day):
        raise UserError(day_out_of_range_message(), field=field)
    return value


def _checked_day(value: date) -> date:
    day = value.date() if isinstance(value, datetime) else value
    if not in_day_range(day):
        raise PydanticCustomError("jiceng_day_range", day_out_of_range_message())
    return value


# Annotated types for API signatures and schemas: the bounds show in the OpenAPI schema, so that a
# client (and the fuzzer) knows them, and pydantic refuses what lies outside.
Id = Annotated[int, Field(ge=1, le=INT_MAX)]
Int = Annotated[int, Field(ge=INT_MIN, le=INT_MAX)]
Count = Annotated[int, Field(ge=0, le=INT_MAX)]
Year = Annotated[int, Field(ge=FIRST_DAY.year, le=LAST_DAY.year)]
Coordinate = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Day = Annotated[date, AfterValidator(_checked_day)]
Moment = Annotated[datetime, AfterValidator(_checked_day)]


class Pagination(LimitOffsetPagination):
    """The one pagination of the API's lists: ``limit`` 1–500, ``offset`` 0–10,000,000."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params):
        """The page and the count in one statement where the list allows (``core.paging``)."""
        if not isinstance(queryset, QuerySet):
            return super().paginate_queryset(queryset, pagination, request, **params)
        limit = min(pagination.limit, self.max_limit)
        rows, total = rows_and_total(queryset, pagination.offset, limit)
        return {self.items_attribute: rows, "count": total}


# --- the wording of refused input (the API's 422) -------------------------------------------------

_KIND = {
    "int": gettext_lazy("整数"),
    "float": gettext_lazy("数字"),
    "decimal": gettext_lazy("数字"),
    "bool": gettext_lazy("true 或 false"),
    "datetime": gettext_lazy("日期时间（如 2026-05-01T09:00:00+08:00）"),
    "date": gettext_lazy("日期（如 2026-05-01）"),
    "time": gettext_lazy("时间（如 09:00）"),
    "string": gettext_lazy("文本"),
    "list": gettext_lazy("列表"),
}


def error_message(error: dict[str, Any]) -> str:
    """One pydantic error (as django-ninja reports it) in the user's language."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    field = field_of(error)
    if kind.startswith("jiceng_"):
        return str(error.get("msg", ""))
    if kind == "missing":
        return _("缺少必填项：{field}。").format(field=field)
    if kind == "json_invalid":
        return _("请求内容不是有效的 JSON。")
    if kind in ("less_than_equal", "less_than"):
        return _("{field} 不能大于 {most}。").format(
            field=field, most=ctx.get("le", ctx.get("lt", ""))
        )
    if kind in ("greater_than_equal", "greater_than"):
        return _("{field} 不能小于 {least}。").format(
            field=field, least=ctx.get("ge", ctx.get("gt", ""))
        )
    if kind in ("string_too_long", "too_long"):
        return _("{field} 太长了。").format(field=field)
    if kind == "finite_number":
        return _("{field} 应为有限的数字。").format(field=field)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("请求内容的格式不对。")
    if kind == "value_error" and ctx.get("error"):
        return _("{field} 的值不对：{error}").format(field=field, error=ctx["error"])
    for prefix, what in _KIND.items():
        if kind.startswith(prefix):
            return _("{field} 应为{kind}。").format(field=field, kind=what)
    return _("{field} 的值不对。").format(field=field)


def field_of(error: dict[str, Any]) -> str:
    """The name the client used for the refused value: the last name in its location."""
    names = [str(part) for part in error.get("loc", ()) if isinstance(part, str)]
    return names[-1] if names else ""
