"""Scoped reads of the deliberation pages and the API, with what each list shows joined in."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jiceng.accounts.roles import MANAGER_ROLES
from jiceng.community.permissions import home_communities
from jiceng.core.scope import visible_or_404
from jiceng.deliberation import workflow
from jiceng.deliberation.models import Issue, Matter, Meeting, MeetingKind
from jiceng.deliberation.permissions import (
    staff_issues,
    staff_meetings,
    visible_issues,
    visible_matters,
    visible_meetings,
)
from jiceng.geo.models import Division


def _counted(rows: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return rows.select_related("kind", "community").annotate(
        invited=Count("participants", filter=Q(participants__invited=True), distinct=True),
        present=Count("participants", filter=Q(participants__present=True), distinct=True),
        approved=Count(
            "participants", filter=Q(participants__approved_at__isnull=False), distinct=True
        ),
    )


def meeting_list(*, user, kind: str = "", status: str = "", minutes: str = "") -> QuerySet:
    """The console's meetings, newest first; ``minutes="pending"``: held meetings whose minutes
    not every present participant has approved."""
    rows = staff_meetings(user)
    if kind:
        rows = rows.filter(kind__code=kind)
    if status in Meeting.Status.values:
        rows = rows.filter(status=status)
    if minutes == "pending":
        rows = minutes_waiting(rows)
    return _counted(rows).order_by("-starts_at", "-id")


def minutes_waiting(rows: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return rows.filter(
        minutes_published_at__isnull=False,
        participants__present=True,
        participants__user__isnull=False,
        participants__approved_at__isnull=True,
    ).distinct()


def meeting_for(*, user, pk) -> Meeting:
    return visible_or_404(
        visible_meetings(user).select_related("kind", "community", "booking"), pk=pk
    )


def upcoming_for_resident(*, user) -> QuerySet[Meeting]:
    """The meetings of the resident's community still to come (and today's), soonest first."""
    since = timezone.now() - timezone.timedelta(hours=12)
    return (
        visible_meetings(user)
        .filter(ends_at__gte=since)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("kind", "community")
        .order_by("starts_at")
    )


def recent_for_resident(*, user) -> QuerySet[Meeting]:
    """Held meetings with published minutes of the resident's community (the last ones)."""
    return (
        visible_meetings(user)
        .filter(status=Meeting.Status.HELD, minutes_published_at__isnull=False)
        .select_related("kind", "community")
        .order_by("-starts_at")
    )


def kinds() -> QuerySet[MeetingKind]:
    return MeetingKind.objects.filter(is_active=True)


def managed_communities(*, user) -> QuerySet[Division]:
    scopes = user.scopes_for(*MANAGER_ROLES) if user.is_authenticated else []
    return Division.objects.within(*scopes).filter(level="community").order_by("code")


def issue_list(
    *, user, status: str = "", source: str = "", community: str = "", waiting: bool = False
) -> QuerySet[Issue]:
    rows = staff_issues(user)
    if status in Issue.Status.values:
        rows = rows.filter(status=status)
    if waiting:
        rows = rows.filter(status=Issue.Status.COLLECTED)
    if source in Issue.Source.values:
        rows = rows.filter(source=source)
    if community:
        rows = rows.filter(community__code=community)
    return rows.select_related("community", "meeting", "raised_by", "case", "need").order_by(
        "-created_at", "-id"
    )


def issue_for(*, user, pk) -> Issue:
    return visible_or_404(
        visible_issues(user).select_related(
            "community", "meeting", "raised_at", "raised_by", "case", "need"
        ),
        pk=pk,
    )


def my_issues(*, user) -> QuerySet[Issue]:
    return (
        Issue.objects.filter(raised_by=user)
        .select_related("community", "meeting")
        .order_by("-created_at", "-id")
    )


def matter_list(*, user, status: str = "", open_only: bool = False) -> QuerySet[Matter]:
    rows = visible_matters(user)
    if status in Matter.Status.values:
        rows = rows.filter(status=status)
    if open_only:
        rows = rows.exclude(status__in=[Matter.Status.DONE, Matter.Status.WITHDRAWN])
    return rows.select_related("community").order_by("-created_at", "-id")


def matter_for(*, user, pk) -> Matter:
    return visible_or_404(visible_matters(user).select_related("community", "issue"), pk=pk)


def public_matters(*, community: Division) -> QuerySet[Matter]:
    """A community's matters for its public page (no personal data): every one not withdrawn."""
    return (
        Matter.objects.filter(scope_code=community.code)
        .exclude(status=Matter.Status.WITHDRAWN)
        .order_by("-created_at", "-id")
    )


def resident_communities(*, user) -> QuerySet[Division]:
    return Division.objects.filter(code__in=home_communities(user), level="community")


def public_context(*, community: Division) -> dict:
    """What a community's public page shows of its matters: each with the steps it reached."""
    rows = list(public_matters(community=community)[:50])
    return {
        "matters": rows,
        "step_labels": [label for _n, label, _a in workflow.STEPS],
        "positions": {m.pk: STEP_REACHED[m.status] for m in rows},
    }


# How far each stage of a matter has come in the five steps (5 needs both publications).
STEP_REACHED = {
    Matter.Status.PROPOSED: 1,
    Matter.Status.CONSULTED: 2,
    Matter.Status.REVIEWED: 3,
    Matter.Status.RESOLVED: 4,
    Matter.Status.PUBLISHED: 5,
    Matter.Status.DONE: 5,
    Matter.Status.WITHDRAWN: 0,
}
