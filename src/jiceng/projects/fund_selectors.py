"""Who sees which fund lines, allocations and spending, and every read of money: balances are
sums of the rows, never stored, one GROUP BY per table whatever the number of lines.

The community's staff and the street and district above it read the money of their scope; the
street and the district keep the lines (amounts, allocations) and approve spending; the
community's staff record spending of their projects. Residents read a community's summary on
its public page (no login, no personal data: no payee, no voucher, no names)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from jiceng.accounts.roles import MANAGER_ROLES, Role
from jiceng.core.scope import user_covers
from jiceng.projects.models import Allocation, FundLine, Project, Spending

ZERO = Decimal("0.00")
FEN = Decimal("0.01")


def fen(value) -> Decimal:
    """A sum as money: SQLite's sums lose the trailing zeros of the column's two places."""
    return (value or ZERO).quantize(FEN)


READER_ROLES = frozenset(MANAGER_ROLES)
# who keeps lines and allocations and approves spending
KEEPER_ROLES = frozenset({Role.STREET_STAFF, Role.DISTRICT_STAFF})
# who records spending of a project in their scope
SPENDER_ROLES = frozenset(MANAGER_ROLES)
COMMITTED = (Spending.Status.PENDING, Spending.Status.APPROVED)


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _scoped(qs, user, roles) -> QuerySet:
    if not _signed_in(user):
        return qs.none()
    return qs.within(*user.scopes_for(*roles))


def visible_lines(user) -> QuerySet[FundLine]:
    return _scoped(FundLine.objects.all(), user, READER_ROLES)


def visible_allocations(user) -> QuerySet[Allocation]:
    """Allocations of the projects in the reader's scope, and every allocation of the lines
    the reader sees (a street's line given to a community's project)."""
    if not _signed_in(user):
        return Allocation.objects.none()
    codes = user.scopes_for(*READER_ROLES)
    own = Allocation.objects.scope_q(*codes)
    lines = FundLine.objects.scope_q(*codes)
    if own is None:
        return Allocation.objects.none()
    return Allocation.objects.filter(own | Q(line__in=FundLine.objects.filter(lines)))


def visible_spending(user) -> QuerySet[Spending]:
    if not _signed_in(user):
        return Spending.objects.none()
    codes = user.scopes_for(*READER_ROLES)
    own = Spending.objects.scope_q(*codes)
    if own is None:
        return Spending.objects.none()
    return Spending.objects.filter(
        own | Q(line__in=FundLine.objects.filter(FundLine.objects.scope_q(*codes)))
    )


def allocatable_projects(user) -> QuerySet[Project]:
    """The projects a keeper may give money to: those of their scope."""
    return _scoped(Project.objects.all(), user, KEEPER_ROLES).exclude(
        status=Project.Status.CANCELLED
    )


def can_keep(user, line_or_code) -> bool:
    code = getattr(line_or_code, "scope_code", line_or_code)
    return user_covers(user, KEEPER_ROLES, code)


def can_spend(user, allocation: Allocation) -> bool:
    return user_covers(user, SPENDER_ROLES, allocation.scope_code)


def can_approve(user, spending: Spending) -> bool:
    """The street or district above the spending, never its author."""
    return spending.recorded_by_id != getattr(user, "pk", None) and (
        user_covers(user, KEEPER_ROLES, spending.scope_code)
        or user_covers(user, KEEPER_ROLES, spending.line.scope_code)
    )


def waiting_approval(user) -> QuerySet[Spending]:
    """Spending waiting for this user's approval (the keepers' to-do)."""
    if not _signed_in(user) or not user.has_role(*KEEPER_ROLES):
        return Spending.objects.none()
    return (
        _scoped(Spending.objects.all(), user, KEEPER_ROLES)
        .filter(status=Spending.Status.PENDING)
        .exclude(recorded_by=user)
    )


# --- balances ----------------------------------------------------------------------------------


@dataclass
class Balance:
    """One line's or allocation's money by phase: ``amount`` (approved or revised), ``allocated``
    (lines only), ``committed`` (recorded, waiting or approved), ``spent`` (approved)."""

    amount: Decimal = ZERO
    allocated: Decimal = ZERO
    committed: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def unallocated(self) -> Decimal:
        return self.amount - self.allocated

    @property
    def available(self) -> Decimal:
        """What can still be committed (an allocation's amount less its committed spending)."""
        return self.amount - self.committed

    @property
    def balance(self) -> Decimal:
        """What is not yet spent."""
        return self.amount - self.spent

    @property
    def rate(self) -> int | None:
        """Spent as a whole percentage of what is allocated (lines) or revised (allocations)."""
        base = self.allocated or self.amount
        return int(self.spent * 100 / base) if base else None


def _spending_sums(rows: QuerySet[Spending], key: str) -> dict[int, tuple[Decimal, Decimal]]:
    grouped = (
        rows.order_by()
        .values_list(key)
        .annotate(
            c=Sum("amount", filter=Q(status__in=COMMITTED)),
            e=Sum("amount", filter=Q(status=Spending.Status.APPROVED)),
        )
    )
    return {k: (fen(c), fen(e)) for k, c, e in grouped}


def line_balances(lines: QuerySet[FundLine]) -> dict[int, Balance]:
    """The balance of every line of ``lines``: three queries (lines, allocations, spending), one
    GROUP BY each."""
    ids = lines.order_by().values("pk")
    result = {
        pk: Balance(amount=amount) for pk, amount in lines.order_by().values_list("pk", "amount")
    }
    allocated = (
        Allocation.objects.filter(line__in=ids)
        .order_by()
        .values_list("line_id")
        .annotate(s=Sum("amount"))
    )
    for pk, total in allocated:
        result[pk].allocated = fen(total)
    for pk, (committed, spent) in _spending_sums(
        Spending.objects.filter(line__in=ids), "line_id"
    ).items():
        result[pk].committed, result[pk].spent = committed, spent
    return result


def allocation_balances(allocations) -> dict[int, Balance]:
    """The balance of each allocation (a list of them, or a queryset): one GROUP BY."""
    allocations = list(allocations)
    result = {a.pk: Balance(amount=a.amount) for a in allocations}
    if result:
        sums = _spending_sums(Spending.objects.filter(allocation__in=list(result)), "allocation_id")
        for pk, (committed, spent) in sums.items():
            result[pk].committed, result[pk].spent = committed, spent
    return result


def allocation_balance(allocation: Allocation) -> Balance:
    return allocation_balances([allocation])[allocation.pk]


def project_balances(projects) -> dict[int, Balance]:
    """Per project: every allocation to it added up (from any line)."""
    ids = [p.pk for p in projects]
    result = {pk: Balance() for pk in ids}
    if not ids:
        return result
    for pk, total in (
        Allocation.objects.filter(project__in=ids)
        .order_by()
        .values_list("project_id")
        .annotate(s=Sum("amount"))
    ):
        result[pk].amount = fen(total)
    for pk, (committed, spent) in _spending_sums(
        Spending.objects.filter(allocation__project__in=ids), "allocation__project_id"
    ).items():
        result[pk].committed, result[pk].spent = committed, spent
    return result


def lines_page(
    user, *, year: int | None = None, status: str = ""
) -> list[tuple[FundLine, Balance]]:
    rows = visible_lines(user).select_related("kind", "place", "unit")
    if year:
        rows = rows.filter(year=year)
    rows = list(rows)
    balances = line_balances(FundLine.objects.filter(pk__in=[r.pk for r in rows]))
    pairs = [(r, balances[r.pk]) for r in rows]
    if status == "below":
        pairs = [(r, b) for r, b in pairs if below_rule(r)]
    return pairs


def below_rule(line: FundLine) -> bool:
    kind = line.kind
    return (
        kind.minimum is not None
        and (not kind.rule_level or line.place.level == kind.rule_level)
        and line.amount < kind.minimum
    )


# --- the public summary -----------------------------------------------------------------------


@dataclass
class PublicSummary:
    community: object
    year: int
    lines: list = field(default_factory=list)  # (line, Balance)
    projects: list = field(default_factory=list)  # (project, Balance)
    spending: list = field(default_factory=list)  # approved Spending rows, latest first
    total: Balance = field(default_factory=Balance)


def public_summary(*, community, year: int | None = None, latest: int = 20) -> PublicSummary:
    """Where a community's money went in a year: its lines with their balances, its projects
    with what they received and spent, and the latest approved spending (date, project,
    purpose, amount: no payee, no voucher, no names)."""
    year = year or timezone.localdate().year
    lines = FundLine.objects.filter(place=community, year=year).select_related("kind", "unit")
    balances = line_balances(lines)
    summary = PublicSummary(community=community, year=year)
    summary.lines = [(line, balances[line.pk]) for line in lines]
    for _line, b in summary.lines:
        summary.total.amount += b.amount
        summary.total.allocated += b.allocated
        summary.total.committed += b.committed
        summary.total.spent += b.spent
    projects = list(
        Project.objects.filter(
            pk__in=Allocation.objects.within(community.code)
            .filter(line__year=year)
            .values("project_id")
        ).order_by("id")
    )
    per_project = project_balances(projects)
    summary.projects = [(p, per_project[p.pk]) for p in projects]
    summary.spending = list(
        Spending.objects.within(community.code)
        .filter(status=Spending.Status.APPROVED, line__year=year)
        .select_related("allocation__project", "line__kind")
        .only("spent_on", "purpose", "amount", "allocation__project__title", "line__kind__name")
        .order_by("-spent_on", "-id")[:latest]
    )
    return summary


def card_context(community) -> dict | None:
    """The public community page's card: this year's lines, spent and balance (one query)."""
    year = timezone.localdate().year
    spent = (
        Spending.objects.filter(line=OuterRef("pk"), status=Spending.Status.APPROVED)
        .order_by()
        .values("line")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    rows = list(
        FundLine.objects.filter(place=community, year=year)
        .annotate(spent=Coalesce(Subquery(spent), ZERO, output_field=DecimalField()))
        .values_list("kind__name", "amount", "spent")
    )
    if not rows:
        return None
    total = fen(sum((a for _n, a, _s in rows), ZERO))
    used = fen(sum((s for _n, _a, s in rows), ZERO))
    return {
        "community": community,
        "year": year,
        "kinds": sorted({n for n, _a, _s in rows}),
        "total": total,
        "spent": used,
        "balance": total - used,
    }


def spending_list(user, *, status: str = "", line: FundLine | None = None) -> QuerySet[Spending]:
    rows = visible_spending(user).select_related(
        "allocation__project", "line__kind", "line__place", "recorded_by", "approved_by"
    )
    if status in Spending.Status.values:
        rows = rows.filter(status=status)
    if line is not None:
        rows = rows.filter(line=line)
    return rows.order_by("-spent_on", "-id")


def year_of(day: date | None = None) -> int:
    return (day or timezone.localdate()).year
