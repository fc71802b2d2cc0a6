"""The points ledger (党员积分台账): every entry of the period (member, rule, points, date, where
the points came from), reversals included, as the ledger is append-only."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import MANAGER_ROLES
from jiceng.core.books import CHUNK, label, local, masked, person, span
from jiceng.core.registry import BookColumn, RecordBook, register_record_book
from jiceng.points.models import PointEntry

COLUMNS = (
    BookColumn("occurred_at", _("日期"), 17),
    BookColumn("member", _("党员"), 10),
    BookColumn("org", _("党组织"), 18),
    BookColumn("rule", _("积分项目"), 18),
    BookColumn("points", _("分值"), 6),
    BookColumn("kind", _("记分方式"), 10),
    BookColumn("source", _("来源记录"), 18),
    BookColumn("note", _("说明"), 20),
    BookColumn("by", _("录入人"), 10),
)


def rows(user, code: str, start, end):
    """The entries that occurred in [start, end) inside ``code``, in time order."""
    since, until = span(start, end)
    entries = (
        PointEntry.objects.within(code)
        .filter(occurred_at__gte=since, occurred_at__lt=until)
        .order_by("occurred_at", "id")
        .values_list(
            "occurred_at",
            "member__name",
            "org__name",
            "rule__name",
            "points",
            "kind",
            "source_key",
            "note",
            "created_by__full_name",
            "created_by__username",
        )
    )
    for at, member, org, rule, points, kind, source, note, full_name, username in entries.iterator(
        chunk_size=CHUNK
    ):
        yield (
            local(at),
            member,
            org,
            rule,
            points,
            label(PointEntry.Kind.choices, kind),
            source,
            masked(note),
            person(full_name, username),
        )


register_record_book(
    RecordBook(
        "points.ledger",
        _("党员积分台账"),
        frozenset({"district", "street", "community"}),
        COLUMNS,
        rows,
        frozenset(MANAGER_ROLES),
        signatures=(_("登记人"), _("审核人")),
        definition=_("本期每一笔党员积分：党员、积分项目、分值、日期和来源（冲销也记入）。"),
        order=30,
    )
)
