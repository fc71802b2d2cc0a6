"""The cases' record books (台账): the case ledger (案件台账: every case reported in the period
with its stages, handler, result and rating) and the case ratings (满意度台账: the ratings
residents gave in the period).

Both stream: the ledger reads its cases in pieces of ``CHUNK`` and each piece's stage times and
handling person in one query on their events; the place
names come from one query over the divisions of the place. No phone number is shown: the
callback number is not a column, and numbers typed into free text are masked
(``core.books.masked``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import MANAGER_ROLES
from jiceng.cases.models import Case, CaseEvent
from jiceng.cases.workflow import Status
from jiceng.core.books import CHUNK, chunked, label, local, masked, span, within_q
from jiceng.core.registry import BookColumn, RecordBook, register_record_book
from jiceng.geo.models import Division

ROLES = frozenset(MANAGER_ROLES)
LEVELS = frozenset({"district", "street", "community", "grid"})


STAGES = (Status.FILED, Status.DISPATCHED, Status.HANDLED)


def _stages(case_ids: list[int]) -> dict[int, dict[str, tuple]]:
    """For a piece of the ledger's cases, in one query: the first 立案 and 派遣 and the last 反馈
    of each case, as ``{case id: {status: (at, note, actor name)}}``."""
    stages: dict[int, dict[str, tuple]] = {}
    events = (
        CaseEvent.objects.filter(case_id__in=case_ids, to_status__in=STAGES)
        .order_by("at", "id")
        .values_list("case_id", "to_status", "at", "note", "actor__full_name")
    )
    for case_id, status, at, note, actor in events:
        seen = stages.setdefault(case_id, {})
        if status == Status.HANDLED or status not in seen:  # the first filing, the last answer
            seen[status] = (at, note, actor)
    return stages


def place_names(code: str) -> dict[str, str]:
    """The names of the place and every place under it (one query)."""
    return dict(Division.objects.within(code).values_list("code", "name"))


LEDGER_COLUMNS = (
    BookColumn("number", _("案件编号"), 16),
    BookColumn("reported_at", _("上报时间"), 20),
    BookColumn("category", _("类别"), 12),
    BookColumn("source", _("来源"), 10),
    BookColumn("place", _("所在网格"), 14),
    BookColumn("address", _("地址"), 14),
    BookColumn("description", _("问题描述"), 24),
    BookColumn("filed_at", _("立案时间"), 20),
    BookColumn("dispatched_at", _("派遣时间"), 20),
    BookColumn("unit", _("处置单位"), 16),
    BookColumn("person", _("处置人"), 10),
    BookColumn("handled_at", _("反馈时间"), 20),
    BookColumn("result", _("处置结果"), 24),
    BookColumn("closed_at", _("结案时间"), 20),
    BookColumn("status", _("当前阶段"), 10),
    BookColumn("rating", _("评价"), 10),
    BookColumn("rating_comment", _("评价意见"), 16),
)


def ledger_rows(user, code: str, start, end):
    """Every case reported in [start, end) inside ``code``, in the order reported. The cases
    stream in pieces; each piece's stage times and handling person come from one query on the
    events (correlated subqueries per case read the event table once per case and stage: more
    than four minutes for a street's month at 1,000,000 cases)."""
    since, until = span(start, end)
    names = place_names(code)
    cases = (
        Case.objects.within(code)
        .filter(created_at__gte=since, created_at__lt=until)
        .order_by("created_at", "id")
        .values_list(
            "id",
            "number",
            "created_at",
            "category__name",
            "source",
            "scope_code",
            "address",
            "description",
            "handler__name",
            "closed_at",
            "status",
            "rating",
            "rating_comment",
        )
    )
    none = (None, "", "")
    for piece in chunked(cases.iterator(chunk_size=CHUNK)):
        stages = _stages([row[0] for row in piece])
        for row in piece:
            (pk, number, reported, category, source, place, address, text) = row[:8]
            (unit, closed, status, rating, comment) = row[8:]
            seen = stages.get(pk, {})
            filed = seen.get(Status.FILED, none)[0]
            dispatched = seen.get(Status.DISPATCHED, none)[0]
            handled, result, person = seen.get(Status.HANDLED, none)
            yield (
                number,
                local(reported),
                category,
                label(Case.Source.choices, source),
                names.get(place, place),
                masked(address),
                masked(text),
                local(filed),
                local(dispatched),
                unit or "",
                person or "",
                local(handled),
                masked(result),
                local(closed),
                label(Status.choices, status),
                label(Case.Rating.choices, rating),
                masked(comment),
            )


RATING_COLUMNS = (
    BookColumn("number", _("案件编号"), 16),
    BookColumn("category", _("类别"), 12),
    BookColumn("place", _("所在网格"), 14),
    BookColumn("unit", _("处置单位"), 16),
    BookColumn("closed_at", _("结案时间"), 17),
    BookColumn("rated_at", _("评价时间"), 17),
    BookColumn("rating", _("评价"), 10),
    BookColumn("rating_comment", _("评价意见"), 24),
)


def rating_rows(user, code: str, start, end):
    """The ratings residents gave in [start, end) to the cases of ``code``."""
    since, until = span(start, end)
    names = place_names(code)
    events = (
        CaseEvent.objects.filter(
            within_q("case__scope_code", code),
            to_status=Status.EVALUATED,
            at__gte=since,
            at__lt=until,
        )
        .order_by("at", "id")
        .values_list(
            "case__number",
            "case__category__name",
            "case__scope_code",
            "case__handler__name",
            "case__closed_at",
            "at",
            "case__rating",
            "case__rating_comment",
        )
    )
    for number, category, place, unit, closed, rated, rating, comment in events.iterator(
        chunk_size=CHUNK
    ):
        yield (
            number,
            category,
            names.get(place, place),
            unit or "",
            local(closed),
            local(rated),
            label(Case.Rating.choices, rating),
            masked(comment),
        )


register_record_book(
    RecordBook(
        "cases.ledger",
        _("案件台账"),
        LEVELS,
        LEDGER_COLUMNS,
        ledger_rows,
        ROLES,
        signatures=(_("登记人"), _("审核人")),
        definition=_("本期上报的每一件诉求：各阶段时间、处置单位和处置人、处置结果与群众评价。"),
        order=10,
    )
)
register_record_book(
    RecordBook(
        "cases.ratings",
        _("诉求办理满意度台账"),
        LEVELS,
        RATING_COLUMNS,
        rating_rows,
        ROLES,
        signatures=(_("登记人"), _("审核人")),
        definition=_("本期群众对已办结诉求的每一条评价。"),
        order=60,
    )
)
