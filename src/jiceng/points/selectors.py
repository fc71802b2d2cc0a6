"""Reads of the points app: balances, entries and rankings, all derived from the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import QuerySet, Sum
from django.utils import timezone

from jiceng.core.models import ScopedQuerySet
from jiceng.core.scope import at_most
from jiceng.party.models import Member
from jiceng.points.models import ManualEntry, PointBalance, PointEntry


@dataclass
class Ranked:
    member_id: int
    name: str
    points: int
    rank: int


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def ranking_rows(
    *,
    scope_code: str | None = None,
    org_id: int | None = None,
    year: int | None = None,
    start: date | None = None,
    end: date | None = None,
):
    """The ranking as a queryset of (member_id, name, total), highest first: a whole year from
    the balances, any other period [start, end) from the ledger."""
    if year is not None:
        rows: ScopedQuerySet = PointBalance.objects.filter(year=year)
    else:
        if start is None or end is None:
            raise ValueError("a year or a period")
        rows = PointEntry.objects.filter(
            occurred_at__gte=_aware(start), occurred_at__lt=_aware(end)
        )
    if scope_code:
        rows = rows.within(scope_code)
    if org_id:
        rows = rows.filter(org_id=org_id)
    return (
        rows.values_list("member_id", "member__name")
        .annotate(total=Sum("points"))
        .order_by("-total", "member_id")
    )


def ranking(*, limit: int = 100, **period) -> list[Ranked]:
    """The first ``limit`` of a ranking with names (one query). Ranks are competition ranks
    (1, 2, 2, 4): in rows sorted by total, a row's rank is one more than the number of rows
    before the first row with its total, so no window over the whole scope is needed."""
    ranked: list[Ranked] = []
    for position, (member_id, name, total) in enumerate(ranking_rows(**period)[:limit]):
        tied = ranked and ranked[-1].points == total
        ranked.append(Ranked(member_id, name, total, ranked[-1].rank if tied else position + 1))
    return ranked


def balance(*, member: Member, year: int) -> int:
    return (
        PointBalance.objects.filter(member=member, year=year).aggregate(s=Sum("points"))["s"] or 0
    )


def rank_of(
    *, member: Member, year: int, scope_code: str | None = None, org_id: int | None = None
) -> int:
    """1 + how many members in the branch (or community) have more points this year."""
    mine = balance(member=member, year=year)
    rows = PointBalance.objects.filter(year=year)
    if scope_code:
        rows = rows.within(scope_code)
    if org_id:
        rows = rows.filter(org_id=org_id)
    ahead = rows.values("member_id").annotate(total=Sum("points")).filter(total__gt=mine).count()
    return ahead + 1


def member_summary(*, member: Member, year: int | None = None) -> dict:
    """What a member sees: balance, rank in the branch and in the community, recent entries."""
    year = year or timezone.localdate().year
    community = at_most(member.scope_code, "community")
    entries = list(entry_list(member=member)[:50])
    return {
        "year": year,
        "balance": balance(member=member, year=year),
        "rank_branch": rank_of(member=member, year=year, org_id=member.org_id),
        "rank_community": rank_of(member=member, year=year, scope_code=community),
        "entries": entries,
        "by_year": entries_by_year(entries),
    }


def entries_by_year(entries: list[PointEntry]) -> list[dict]:
    """Entries (newest first) under the year each happened in (local time), with that year's
    total of what they booked: an entry of last year never shows under this year's heading."""
    groups: list[dict] = []
    for entry in entries:
        year = timezone.localtime(entry.occurred_at).year
        if not groups or groups[-1]["year"] != year:
            groups.append({"year": year, "total": 0, "entries": []})
        groups[-1]["entries"].append(entry)
        groups[-1]["total"] += entry.points
    return groups


def entry_list(*, member: Member) -> QuerySet[PointEntry]:
    return (
        PointEntry.objects.filter(member=member)
        .select_related("rule")
        .order_by("-occurred_at", "-id")
    )


def manual_list(*, user, status: str | None = None) -> QuerySet[ManualEntry]:
    rows = ManualEntry.objects.visible_to(user).select_related(
        "rule", "member", "created_by", "decided_by"
    )
    return rows.filter(status=status) if status else rows


def year_points(*, member_ids: list[int], year: int) -> dict[int, int]:
    """Each member's points of ``year`` (every organization they earned them in), one query;
    a member with none is left out."""
    return dict(
        PointBalance.objects.filter(year=year, member_id__in=member_ids)
        .values("member_id")
        .annotate(total=Sum("points"))
        .values_list("member_id", "total")
    )
