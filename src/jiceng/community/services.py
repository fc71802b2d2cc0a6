"""Every write of volunteer teams, the offers list and the month's projects: keyword-only
functions, one transaction each, audited. The needs list is in needs.py, activities and
sign-ups in activities.py, orders in orders.py, micro-wishes in wishes.py; this module offers
the services of needs.py and activities.py to its callers too."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jiceng.community.activities import (  # noqa: F401 (one import for callers)
    CHECKIN_EARLY,
    CHECKIN_LATE,
    CHECKIN_MAX_AGE,
    CHECKIN_REFRESH,
    CHECKIN_SALT,
    CHECKOUT_LATE,
    activity_cancel,
    activity_checkin,
    activity_create,
    activity_rate,
    checked_already,
    checkin_code,
    signup,
    signup_cancel,
    waiting_position,
)
from jiceng.community.checks import (  # noqa: F401
    MAX_TEXT,
    _community,
    _require_manager,
    _text,
    first_of_month,
)
from jiceng.community.models import Need, Offer, Project, TeamMember, VolunteerTeam
from jiceng.community.needs import need_accept, need_decline, need_merge, need_post  # noqa: F401
from jiceng.community.permissions import member_of
from jiceng.core.audit import audit
from jiceng.core.errors import UserError
from jiceng.geo.models import Division

# --- teams ------------------------------------------------------------------------------------


@transaction.atomic
def team_create(
    *, by, community: Division | str, name: str, description: str = "", partner=None
) -> VolunteerTeam:
    """A volunteer team of the community."""
    place = _community(community)
    _require_manager(by, place)
    name = _text(name, _("服务队名称"), "name")
    if VolunteerTeam.objects.filter(community=place, name=name).exists():
        raise UserError(_("本社区已有同名服务队。"), field="name")
    team = VolunteerTeam.objects.create(
        community=place,
        scope_code=place.code,
        name=name,
        description=_text(
            description, pgettext("field label", "简介"), "description", required=False, limit=500
        ),
        partner=partner,
    )
    audit(actor=by, action="services.team_create", obj=team)
    return team


def _kind_of(user) -> str:
    if member_of(user) is not None:
        return TeamMember.Kind.MEMBER
    if user.has_role("partner_staff"):
        return TeamMember.Kind.PARTNER_STAFF
    return TeamMember.Kind.RESIDENT


@transaction.atomic
def team_join(*, by, team: VolunteerTeam, user, leader: bool = False) -> TeamMember:
    """Add a person to a team (staff); the kind (resident, member, partner staff) follows the
    person's records."""
    _require_manager(by, team)
    if not team.is_active:
        raise UserError(_("该服务队已撤销。"))
    if TeamMember.objects.filter(team=team, user=user, left_on__isnull=True).exists():
        raise UserError(_("此人已在该服务队中。"), status=409)
    row = TeamMember.objects.create(
        team=team, user=user, kind=_kind_of(user), is_leader=leader, joined_on=timezone.localdate()
    )
    audit(
        actor=by, action="services.team_join", obj=team, detail={"user": user.pk, "leader": leader}
    )
    return row


@transaction.atomic
def team_set_leader(*, by, row: TeamMember, leader: bool) -> TeamMember:
    _require_manager(by, row.team)
    row.is_leader = leader
    row.save(update_fields=["is_leader", "updated_at"])
    audit(
        actor=by,
        action="services.team_leader",
        obj=row.team,
        detail={"user": row.user_id, "leader": leader},
    )
    return row


@transaction.atomic
def team_leave(*, by, row: TeamMember) -> TeamMember:
    """A person leaves the team; their hours stay in the record."""
    own = row.user_id == getattr(by, "pk", None)
    if not own:
        _require_manager(by, row.team)
    if row.left_on is not None:
        raise UserError(_("已退出该服务队。"))
    row.left_on = timezone.localdate()
    row.is_leader = False
    row.save(update_fields=["left_on", "is_leader", "updated_at"])
    audit(actor=by, action="services.team_leave", obj=row.team, detail={"user": row.user_id})
    return row


# --- offers and projects ----------------------------------------------------------------------


@transaction.atomic
def offer_create(
    *,
    by,
    community: Division | str,
    title: str,
    kind: str,
    capacity: Any,
    when: str,
    where: str,
    partner=None,
    team: VolunteerTeam | None = None,
    member=None,
) -> Offer:
    """An entry on the offers list: what a partner unit, a team or a member offers."""
    place = _community(community)
    _require_manager(by, place)
    if kind not in Offer.Kind.values:
        raise UserError(_("请选择服务类别。"), field="kind")
    if sum(x is not None for x in (partner, team, member)) != 1:
        raise UserError(_("请选择一个提供方：共建单位、服务队或党员。"), field="provider")
    if team is not None and team.scope_code != place.code:
        raise UserError(_("服务队不属于本社区。"), field="provider")
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        raise UserError(_("可服务人数应为正整数。"), field="capacity") from None
    if capacity <= 0:
        raise UserError(_("可服务人数应为正整数。"), field="capacity")
    offer = Offer.objects.create(
        community=place,
        scope_code=place.code,
        title=_text(title, _("服务内容"), "title"),
        kind=kind,
        capacity=capacity,
        when=_text(when, _("服务时间"), "when"),
        where=_text(where, _("服务地点"), "where"),
        partner=partner,
        team=team,
        member=member,
    )
    audit(actor=by, action="services.offer_create", obj=offer)
    return offer


@transaction.atomic
def project_create(
    *,
    by,
    community: Division | str,
    month: date,
    title: str,
    needs: list[Need],
    offers: list[Offer],
    responsible=None,
    responsible_team: VolunteerTeam | None = None,
    description: str = "",
) -> Project:
    """A month's project that answers accepted needs with offers, under a responsible unit."""
    place = _community(community)
    _require_manager(by, place)
    if responsible is None and responsible_team is None:
        raise UserError(_("请指定责任单位。"), field="responsible")
    # Read again: the caller's objects may be stale (reviewed since they were loaded).
    needs = list(Need.objects.filter(pk__in=[getattr(n, "pk", n) for n in needs or []]))
    offers = list(Offer.objects.filter(pk__in=[getattr(o, "pk", o) for o in offers or []]))
    if not needs:
        raise UserError(_("请选择项目对应的需求。"), field="needs")
    if not offers:
        raise UserError(_("请选择项目对应的服务。"), field="offers")
    for need in needs:
        if need.scope_code != place.code or need.status != Need.Status.ACCEPTED:
            raise UserError(
                _("需求“{title}”不是本社区已列入清单的需求。").format(title=need.title),
                field="needs",
            )
    for offer in offers:
        if offer.scope_code != place.code or not offer.is_active:
            raise UserError(
                _("服务“{title}”不是本社区有效的服务。").format(title=offer.title), field="offers"
            )
    project = Project.objects.create(
        community=place,
        scope_code=place.code,
        month=first_of_month(month),
        title=_text(title, _("项目名称"), "title"),
        description=_text(description, _("内容"), "description", required=False, limit=MAX_TEXT),
        responsible=responsible,
        responsible_team=responsible_team,
    )
    project.needs.set(needs)
    project.offers.set(offers)
    audit(actor=by, action="services.project_create", obj=project)
    return project


@transaction.atomic
def project_publish(*, by, project: Project) -> Project:
    """Publish the project with its activities (at the start of its month, or before)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require_manager(by, project)
    if project.status == Project.Status.PUBLISHED:
        raise UserError(_("项目已发布。"), status=409)
    if project.month < first_of_month(timezone.localdate()):
        raise UserError(_("不能发布已过去月份的项目。"))
    project.status = Project.Status.PUBLISHED
    project.published_at = timezone.now()
    project.save(update_fields=["status", "published_at", "updated_at"])
    audit(actor=by, action="services.project_publish", obj=project)
    return project


@transaction.atomic
def month_publish(*, by, community: Division | str, month: date) -> int:
    """Publish every draft project of a community's month at once (the start-of-month notice);
    returns how many were published."""
    place = _community(community)
    _require_manager(by, place)
    drafts = list(
        Project.objects.select_for_update().filter(
            scope_code=place.code, month=first_of_month(month), status=Project.Status.DRAFT
        )
    )
    for project in drafts:
        project_publish(by=by, project=project)
    return len(drafts)
