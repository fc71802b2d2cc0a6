"""Community compacts (社区公约) and lists of conduct to avoid (道德负面清单): versioned, each
version adopted by a residents' vote (a yes/no poll) and then published; the version it
replaces is kept, marked superseded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.roles import MANAGER_ROLES
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.scope import user_covers
from jiceng.deliberation.models import Compact, CompactVersion, Poll
from jiceng.deliberation.polls import AFTER_CLOSE, poll_create, poll_open, resident_communities
from jiceng.geo.models import Division


def visible_compacts(user) -> QuerySet[Compact]:
    return Compact.objects.visible_to(user)


def resident_compacts(user) -> QuerySet[Compact]:
    codes = resident_communities(user)
    if not codes:
        return Compact.objects.none()
    return (
        Compact.objects.within(*codes)
        .filter(versions__status=CompactVersion.Status.ADOPTED)
        .distinct()
    )


def require_manage(user, compact: Compact) -> None:
    if not user_covers(user, MANAGER_ROLES, compact.scope_code):
        raise Forbidden(_("只有本社区的工作人员可以修订公约。"))


def compact_create(
    *, by, division: Division, title: str, kind: str, text: str, request=None
) -> Compact:
    """A compact with its first draft."""
    if division.level != "community" or not user_covers(by, MANAGER_ROLES, division.code):
        raise Forbidden(_("只有本社区的工作人员可以修订公约。"))
    if kind not in Compact.Kind.values:
        raise UserError(_("请选择类别。"), field="kind")
    if not text.strip():
        raise UserError(_("请填写条文。"), field="text")
    with transaction.atomic():
        compact = Compact.objects.create(division=division, title=title.strip(), kind=kind)
        CompactVersion.objects.create(compact=compact, number=1, text=text.strip(), created_by=by)
        audit(actor=by, action="compact.create", obj=compact, request=request)
    return compact


def version_draft(*, compact: Compact, by, text: str, request=None) -> CompactVersion:
    """A new draft (the next number); the adopted version stays in force until it passes."""
    require_manage(by, compact)
    if not text.strip():
        raise UserError(_("请填写条文。"), field="text")
    with transaction.atomic():
        Compact.objects.select_for_update().get(pk=compact.pk)
        if compact.versions.filter(
            status__in=[CompactVersion.Status.DRAFT, CompactVersion.Status.VOTING]
        ).exists():
            raise UserError(_("已有待表决的草案。"), status=409)
        number = (
            compact.versions.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        version = CompactVersion.objects.create(
            compact=compact, number=number, text=text.strip(), created_by=by
        )
        audit(
            actor=by,
            action="compact.draft",
            obj=compact,
            request=request,
            detail={"version": number},
        )
    return version


def version_to_vote(
    *, version: CompactVersion, by, closes_at: datetime, electorate: str, request=None
) -> Poll:
    """Put a draft to the residents: a yes/no poll opened now."""
    compact = version.compact
    require_manage(by, compact)
    if version.status != CompactVersion.Status.DRAFT:
        raise UserError(_("只有草案可以提交表决。"), status=409)
    with transaction.atomic():
        poll = poll_create(
            by=by,
            division=compact.division,
            title=_("表决：%(title)s（第%(n)d版）") % {"title": compact.title, "n": version.number},
            description=version.text,
            kind=Poll.Kind.YES_NO,
            electorate=electorate,
            closes_at=closes_at,
            purpose=Poll.Purpose.COMPACT,
            request=request,
        )
        poll_open(poll=poll, by=by, request=request)
        version.poll, version.status = poll, CompactVersion.Status.VOTING
        version.save(update_fields=["poll", "status", "updated_at"])
        audit(
            actor=by, action="compact.vote", obj=compact, request=request, detail={"poll": poll.pk}
        )
    return poll


def _after_close(poll: Poll, result: Any, by) -> None:
    """The vote on a version closed: adopted and published (the old one superseded), or not."""
    version = CompactVersion.objects.filter(poll=poll).select_related("compact").first()
    if version is None:
        return
    if result.passed:
        version.compact.versions.filter(status=CompactVersion.Status.ADOPTED).update(
            status=CompactVersion.Status.SUPERSEDED, updated_at=timezone.now()
        )
        version.status, version.adopted_at = CompactVersion.Status.ADOPTED, timezone.now()
    else:
        version.status = CompactVersion.Status.REJECTED
    version.save(update_fields=["status", "adopted_at", "updated_at"])
    audit(
        actor=by,
        action="compact.adopt" if result.passed else "compact.reject",
        obj=version.compact,
        detail={"version": version.number, "poll": poll.pk},
    )


AFTER_CLOSE[Poll.Purpose.COMPACT] = _after_close


def in_force(compact: Compact) -> CompactVersion | None:
    return compact.versions.filter(status=CompactVersion.Status.ADOPTED).first()
