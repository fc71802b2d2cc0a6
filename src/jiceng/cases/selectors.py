"""Scoped reads of cases: the inbox, a case with its history, a resident's own cases."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice

from django.db.models import Count, Q, QuerySet
from django.db.models.query import ValuesListIterable
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.cases.metrics import period
from jiceng.cases.models import (
    Case,
    CaseCategory,
    StreetDefaultUnit,
    WhistleResponse,
    category_labels,
)
from jiceng.cases.permissions import (
    UNIT_ROLES,
    dispatchable_units,
    visible_cases,
    visible_cases_q,
)
from jiceng.cases.workflow import OPEN, Status
from jiceng.core import paging
from jiceng.core.errors import NotFound, UserError
from jiceng.core.paging import TOTAL
from jiceng.core.scope import street_of


@dataclass
class InboxFilters:
    status: str = ""
    overdue: bool = False
    category: str = ""
    query: str = ""
    # a unit's id: the cases that unit was called to by a whistle and has not reported on
    whistle: int | None = None
    # a unit's id: the cases it handled (an assessment's records of a handling unit)
    handler: int | None = None
    # the days the cases were reported in (both included), as the indicators count them
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_params(cls, params) -> InboxFilters:
        status = params.get("status", "")
        if status and status not in Status.values and status not in ("open", ALL):
            raise UserError(_("未知的阶段：{status}").format(status=status))
        whistle, handler = _unit_id(params, "whistle"), _unit_id(params, "handler")
        since, until = params.get("since", ""), params.get("until", "")
        if since or until:
            period(since or until, until or since)  # refused: a bad date, the end first
        return cls(
            status=status,
            overdue=params.get("overdue") in ("1", "true", "on"),
            category=params.get("category", "").strip(),
            query=params.get("q", "").strip(),
            whistle=whistle,
            handler=handler,
            since=date.fromisoformat(since) if since else None,
            until=date.fromisoformat(until) if until else None,
        )

    @property
    def reported(self) -> tuple[datetime, datetime] | None:
        """The reporting period as aware datetimes [since, until + 1 day)."""
        if self.since is None and self.until is None:
            return None
        return period(self.since or self.until, self.until or self.since)


ALL = "all"  # every stage, closed ones included


def _unit_id(params, name: str) -> int | None:
    value = params.get(name, "")
    if value and not (value.isdigit() and len(value) < 12):
        raise UserError(_("未知的单位：{unit}").format(unit=value[:20]))
    return int(value) if value else None


# The columns the inbox page and the API's list show (and the light needs), read as plain rows:
# a list of 50 turned into 50 cases, 50 categories and their partners cost more than the query
# at 100,000 cases (issue 17); a ``CaseRow`` costs a tuple.
# The category's code and name come from ``category_labels`` (a memo), so that the list's count
# joins nothing: joined to the categories, the count of a community's overdue cases took 2.9 ms
# where it takes 0.6. (The handler's outer join PostgreSQL drops from the count by itself.)
LIST_FIELDS = (
    "pk", "number", "status", "triage", "needs_review", "scope_code", "deadline_at", "warn_at",
    "created_at", "version", "category_id", "handler_id", "handler__name",
)  # fmt: skip


class _Named:
    """The category or the handler of a ``CaseRow``: what the list shows of it."""

    __slots__ = ("code", "name")

    def __init__(self, code: str, name: str):
        self.code, self.name = code, name

    def __str__(self) -> str:
        return self.name


class CaseRow:
    """One case of a list, as the list shows it: the attributes a ``Case`` has for those columns
    (``category.name``, ``handler.name``, ``get_status_display``), built from a row."""

    __slots__ = (
        "pk", "number", "status", "triage", "needs_review", "scope_code", "deadline_at",
        "warn_at", "created_at", "version", "category", "handler_id", "handler", TOTAL,
    )  # fmt: skip

    def __init__(self, row: tuple, categories: dict):
        (self.pk, self.number, self.status, self.triage, self.needs_review, self.scope_code,
         self.deadline_at, self.warn_at, self.created_at, self.version, category,
         self.handler_id, handler, *total) = row  # fmt: skip
        # a page read with its list's total (``core.paging``) has it as one more column
        setattr(self, TOTAL, total[0] if total else None)
        self.category = categories[category]
        self.handler = _Named("", handler) if self.handler_id else None

    @property
    def id(self) -> int:
        return self.pk

    def get_status_display(self) -> str:
        return str(_STATUS_LABELS.get(self.status, self.status))

    def get_triage_display(self) -> str:
        return str(_TRIAGE_LABELS.get(self.triage, self.triage))

    def __repr__(self) -> str:
        return f"<CaseRow {self.number}>"


_STATUS_LABELS = dict(Case._meta.get_field("status").flatchoices)
_TRIAGE_LABELS = dict(Case._meta.get_field("triage").flatchoices)


CATEGORY = LIST_FIELDS.index("category_id")


class _CaseRows(ValuesListIterable):
    """A list query's rows as ``CaseRow``s (``inbox``'s queryset keeps every other use: count,
    filter, ``values``)."""

    PIECE = 200

    def __iter__(self):
        rows = super().__iter__()
        while piece := list(islice(rows, self.PIECE)):
            ids = {row[CATEGORY] for row in piece}
            labels = category_labels.get()
            if not ids <= labels.keys():  # a category added since the last read
                category_labels.forget()
                labels = category_labels.get()
            categories = {pk: _Named(*labels[pk]) for pk in ids}
            for row in piece:
                yield CaseRow(row, categories)


@functools.cache
def _list_base(status: str = "open", total: bool = False) -> QuerySet[Case]:
    """A list of the cases at ``status`` ("open": every open case and those waiting for a
    review; ``ALL``: every case) with its columns, joins and order, set up once per process and stage (they cost
    more to set up than the rest: issue 17); each list clones it with the user's scope and its
    own filters and never reads it."""
    if status == ALL:
        at = Q()
    elif status == "open":
        at = Q(status__in=OPEN) | Q(needs_review=True)
    else:
        at = Q(status=status)
    cases = Case.objects.filter(at).order_by("deadline_at", "id").values_list(*LIST_FIELDS)
    if total:  # a page's rows carry the list's total (``core.paging``)
        cases = paging.with_total(cases)
    cases._iterable_class = _CaseRows
    return cases


def inbox(*, user, filters: InboxFilters, with_total: bool = False) -> QuerySet[Case]:
    """Cases the user may see, most urgent first, with what the list shows in one query; the
    rows come as ``CaseRow``s. ``with_total``: for a page of the list (``core.paging``), each
    row also carries how many cases the list has."""
    status = filters.status or "open"
    if status not in ("open", ALL) and status not in Status.values:  # no such stage: no case
        return _list_base().none()
    base = _list_base(status, with_total)  # one per stage: the cache stays small
    visible = visible_cases_q(user)
    if visible is None:
        return base.none()
    conditions = [visible]
    if filters.handler is not None:
        conditions.append(Q(handler_id=filters.handler))
    if (reported := filters.reported) is not None:
        conditions.append(
            Q(tally__reported_at__gte=reported[0], tally__reported_at__lt=reported[1])
        )
    if filters.overdue:
        conditions.append(Q(deadline_at__lt=timezone.now()))
    if filters.category:
        conditions.append(Q(category__code__startswith=filters.category))
    if filters.query:
        conditions.append(
            Q(number__startswith=filters.query) | Q(description__icontains=filters.query)
        )
    if filters.whistle is not None:
        called = open_calls().filter(unit_id=filters.whistle).values("whistle__case_id")
        conditions.append(Q(pk__in=called))
    return base.filter(*conditions)


def open_calls() -> QuerySet[WhistleResponse]:
    """Every unit's duty to report on a whistle that it has not yet met."""
    return WhistleResponse.objects.filter(responded_at__isnull=True)


def calls_by_unit(*, user) -> list[dict]:
    """For the street and the district: the open cases of their scope whose whistles some unit
    has not reported on, counted per unit (late: past the unit's time limit), most first; each
    count is what the inbox's ``?whistle=<unit>`` filter lists."""
    cases = inbox(user=user, filters=InboxFilters()).values("pk")
    now = timezone.now()
    return list(
        open_calls()
        .filter(whistle__case_id__in=cases)
        .values("unit_id", "unit__name")
        .annotate(
            cases=Count("whistle__case_id", distinct=True),
            late=Count("whistle__case_id", distinct=True, filter=Q(deadline_at__lt=now)),
        )
        .order_by("-late", "-cases", "unit__name")[:20]
    )


def case_for(*, user, number: str) -> Case:
    """One case the user may open: what ``visible_cases`` shows, and also a case the user
    follows (a resident who followed it instead of reporting it again) or one their unit was
    called to by a whistle. (Those two widen only this page, never the lists.)"""
    related = ("category", "handler", "reporter", "merged_into")
    case = visible_cases(user).select_related(*related).filter(number=number).first()
    cases = Case.objects.select_related(*related)
    if case is None and user.is_authenticated:
        units = [a.unit_id for a in user.active_assignments if a.role in UNIT_ROLES and a.unit_id]
        called = Q(whistles__responses__unit_id__in=units) if units else Q(pk__in=[])
        case = (
            cases.filter(number=number).filter(Q(followers__user=user) | called).distinct().first()
        )
    if case is None:
        raise NotFound(_("案件不存在，或不在您的管辖范围内。"))
    return case


# What "我的诉求" may be narrowed to: those still being handled, those waiting for my rating.
MINE_SHOWS = {"open": Q(status__in=OPEN), "rate": Q(status=Status.CLOSED)}


def own_cases(*, user, show: str = "") -> QuerySet[Case]:
    cases = Case.objects.filter(reporter=user).select_related("category")
    if show in MINE_SHOWS:
        cases = cases.filter(MINE_SHOWS[show])
    return cases.order_by("-created_at")


def followed_cases(*, user) -> QuerySet[Case]:
    """Cases the user follows without having reported them (a duplicate they chose to follow)."""
    return (
        Case.objects.filter(followers__user=user)
        .exclude(reporter=user)
        .select_related("category")
        .order_by("-created_at")
    )


def light(case: Case, now=None) -> str:
    """'red' past the stage's limit, 'yellow' past 80% of it, '' otherwise."""
    now = now or timezone.now()
    if case.status not in OPEN or case.deadline_at is None:
        return ""
    if now > case.deadline_at:
        return "red"
    if case.warn_at and now >= case.warn_at:
        return "yellow"
    return ""


def unit_calls(*, user) -> QuerySet[WhistleResponse]:
    """The calls to report (吹哨) still open for the user's units."""
    units = [a.unit_id for a in user.active_assignments if a.role in UNIT_ROLES and a.unit_id]
    return open_calls().filter(unit_id__in=units) if units else WhistleResponse.objects.none()


def pending_whistles(*, user) -> list:
    """The calls to report still open for the user's units, oldest deadline first (all of
    them: the home's to-do counts the same rows and links here)."""
    return list(
        unit_calls(user=user)
        .select_related("whistle__case__category", "unit")
        .order_by("deadline_at")[:500]
    )


def default_unit_id(case: Case) -> int | None:
    """The unit the dispatch form preselects: the street's default for the case's category (or
    for its parent category), else the category's district-wide default; None when nobody has
    set one, or the unit is no longer available (the form then asks to choose)."""
    category = case.category
    chain = [category.pk] + ([category.parent_id] if category.parent_id else [])
    rows = dict(
        StreetDefaultUnit.objects.filter(
            street__code=street_of(case.scope_code), category_id__in=chain
        ).values_list("category_id", "unit_id")
    )
    candidates = [rows.get(pk) for pk in chain]
    parent = (
        CaseCategory.objects.filter(pk=category.parent_id).first() if category.parent_id else None
    )
    candidates += [category.default_handler_id, parent.default_handler_id if parent else None]
    wanted = [pk for pk in candidates if pk is not None]
    if not wanted:
        return None
    available = set(dispatchable_units(case).filter(pk__in=wanted).values_list("pk", flat=True))
    return next((pk for pk in wanted if pk in available), None)


def street_defaults(street) -> tuple[list[CaseCategory], dict[int, int]]:
    """The active categories (parents before their children) and the street's default unit of
    each that has one (category id → unit id)."""
    categories = list(CaseCategory.objects.filter(is_active=True).order_by("code"))
    chosen = dict(
        StreetDefaultUnit.objects.filter(street=street).values_list("category_id", "unit_id")
    )
    return categories, chosen
