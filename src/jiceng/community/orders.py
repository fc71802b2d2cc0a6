"""Service orders (社区派单、党员接单、群众评单): dispatch, then one service per transition of
workflow.TRANSITIONS. Each locks the order row, checks status, actor and version, writes one
ServiceOrderEvent and one audit entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from jiceng.accounts.models import RoleAssignment
from jiceng.community import scoring, workflow
from jiceng.community.checks import _text
from jiceng.community.models import Need, ServiceOrder, ServiceOrderEvent, TeamMember, VolunteerTeam
from jiceng.community.permissions import can_act_on_order, can_manage
from jiceng.community.workflow import OrderStatus
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.notify import notify
from jiceng.core.scope import covers, street_of
from jiceng.core.workflow import Machine
from jiceng.party.models import Member


def _assignee_users(order: ServiceOrder) -> list[Any]:
    if order.member_id is not None:
        return [order.member.user] if order.member.user_id else []
    leaders = TeamMember.objects.filter(
        team_id=order.team_id, is_leader=True, left_on__isnull=True
    ).select_related("user")
    return [row.user for row in leaders]


def _check_assignee(order_scope: str, member: Member | None, team: VolunteerTeam | None) -> None:
    if (member is None) == (team is None):
        raise UserError(_("请选择接单的党员或服务队（二选一）。"), field="assignee")
    if member is not None:
        if not member.is_active or member.user_id is None:
            raise UserError(_("该党员没有可用的账号，无法接单。"), field="assignee")
        if not covers([street_of(order_scope)], member.scope_code):
            raise UserError(_("只能派给本街道的党员。"), field="assignee")
    if team is not None and (team.scope_code != order_scope or not team.is_active):
        raise UserError(_("只能派给本社区在册的服务队。"), field="assignee")


@transaction.atomic
def order_dispatch(
    *,
    by,
    need: Need | None = None,
    community=None,
    title: str = "",
    description: str = "",
    address: str = "",
    resident=None,
    member: Member | None = None,
    team: VolunteerTeam | None = None,
    due_at: datetime | None = None,
    request: Any = None,
) -> ServiceOrder:
    """The community dispatches an order, usually from an accepted need, to a member or team."""
    if need is not None:
        need = Need.objects.select_related("community", "posted_by").get(pk=need.pk)
        if need.status != Need.Status.ACCEPTED:
            raise UserError(_("只能从已列入清单的需求派单。"), field="need")
        community = need.community
        title = title or need.title
        description = description or need.description
        resident = resident if resident is not None else need.posted_by
    if community is None:
        raise UserError(_("请选择社区。"), field="community")
    if not can_manage(by, community):
        raise Forbidden(_("您无权在该社区派单。"))
    _check_assignee(community.code, member, team)
    if due_at is None:
        raise UserError(_("请填写服务时间。"), field="due_at")
    if due_at <= timezone.now():
        raise UserError(_("服务时间应在现在之后。"), field="due_at")
    order = ServiceOrder.objects.create(
        community=community,
        scope_code=community.code,
        need=need,
        title=_text(title, _("服务事项"), "title"),
        description=_text(
            description, pgettext("description", "说明"), "description", required=False, limit=2000
        ),
        address=_text(address, _("服务地点"), "address", required=False, limit=200),
        resident=resident,
        member=member,
        team=team,
        due_at=due_at,
    )
    MACHINE.write_event(order, action="dispatch", by=by, previous="")
    audit(actor=by, action="services.order_dispatch", obj=order, request=request)
    notify(
        users=_assignee_users(order),
        title=f"新的服务工单：{order.title[:40]}",
        body=f"请在 {timezone.localtime(due_at):%m月%d日 %H:%M} 前接单",
        url="/m/services/orders/",
    )
    return order


MACHINE = Machine(
    model=ServiceOrder,
    event_model=ServiceOrderEvent,
    event_owner="order",
    transitions=workflow.TRANSITIONS,
    may_act=can_act_on_order,
    audit_prefix="services.order_",
    entity=gettext_lazy("服务工单"),
    wrong_stage=gettext_lazy("工单当前为“{status}”，不能{action}。"),
    forbidden=gettext_lazy("您无权对该工单执行此操作。"),
    stale=gettext_lazy("工单已被他人处理，请刷新后再试。"),
    related=("member",),
    version_field="version",
    note_limit=1000,
    audit_note=True,
)


def _transition(
    *,
    by,
    order: ServiceOrder,
    action: str,
    note: str = "",
    version: int | None = None,
    request: Any = None,
    **changes: Any,
) -> ServiceOrder:
    """The one place that moves an order: ``MACHINE`` (actor, version, status, note; event,
    audit with the note)."""
    return MACHINE.run(
        record=order,
        action=action,
        by=by,
        note=note,
        version=version,
        changes=changes,
        request=request,
    )


def order_accept(*, by, order: ServiceOrder, version: int | None = None) -> ServiceOrder:
    """The member (or a leader of the team) takes the order (接单)."""
    return _transition(by=by, order=order, action="accept", version=version, accepted_by=by)


def order_decline(*, by, order: ServiceOrder, reason: str, version: int | None = None):
    """The member or team cannot take it; the community sees the reason and redispatches."""
    with transaction.atomic():
        order = _transition(by=by, order=order, action="decline", note=reason, version=version)
        staff = _community_staff(order)
        notify(
            users=staff,
            title=f"工单被拒：{order.title[:40]}",
            body=reason,
            url=f"/console/services/orders/{order.pk}/",
        )
    return order


def order_report_done(*, by, order: ServiceOrder, result: str, version: int | None = None):
    """The work is done: what was done, for the resident to rate."""
    with transaction.atomic():
        order = _transition(
            by=by,
            order=order,
            action="report_done",
            note=result,
            version=version,
            result=(result or "").strip()[:1000],
        )
        if order.resident_id:
            notify(
                users=[order.resident],
                title=f"服务已完成，请评价：{order.title[:40]}",
                url="/m/services/orders/",
            )
    return order


def order_rate(
    *, by, order: ServiceOrder, rating: Any, comment: str = "", version: int | None = None
) -> ServiceOrder:
    """The resident rates the service (评单); the member who did it earns points."""
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        raise UserError(_("请选择 1 至 5 星。"), field="rating") from None
    if not 1 <= rating <= 5:
        raise UserError(_("请选择 1 至 5 星。"), field="rating")
    comment = _text(comment, pgettext("field label", "评价"), "comment", required=False, limit=500)
    with transaction.atomic():
        order = _transition(
            by=by,
            order=order,
            action="rate",
            note=comment,
            version=version,
            rating=rating,
            rating_comment=comment,
        )
        member = Member.objects.filter(user_id=order.accepted_by_id, is_active=True).first()
        if member is not None:
            scoring.earned(
                source=scoring.ORDER_RATED,
                source_key=f"svc-order:{order.pk}",
                member=member,
                occurred_at=timezone.now(),
                by=by,
            )
    return order


def order_redispatch(
    *,
    by,
    order: ServiceOrder,
    member: Member | None = None,
    team: VolunteerTeam | None = None,
    due_at: datetime | None = None,
    version: int | None = None,
) -> ServiceOrder:
    """A declined order goes to someone else (改派)."""
    _check_assignee(order.scope_code, member, team)
    due = due_at or order.due_at
    if due <= timezone.now():
        raise UserError(_("服务时间应在现在之后。"), field="due_at")
    who = member.name if member else team.name
    with transaction.atomic():
        order = _transition(
            by=by,
            order=order,
            action="redispatch",
            note=f"改派给 {who}",
            version=version,
            member=member,
            team=team,
            due_at=due,
            accepted_by=None,
            late_notified_at=None,
        )
        notify(
            users=_assignee_users(order),
            title=f"新的服务工单：{order.title[:40]}",
            url="/m/services/orders/",
        )
    return order


def order_cancel(*, by, order: ServiceOrder, reason: str, version: int | None = None):
    """The community withdraws the order, with a reason."""
    return _transition(by=by, order=order, action="cancel", note=reason, version=version)


def _community_staff(order: ServiceOrder) -> list[Any]:
    rows = RoleAssignment.objects.filter(
        role__in=["community_worker", "community_secretary"],
        scope_code=order.scope_code,
        ended_at__isnull=True,
    ).select_related("user")
    return [r.user for r in rows]


ACTIONS = {
    "accept": order_accept,
    "decline": order_decline,
    "report_done": order_report_done,
    "rate": order_rate,
    "redispatch": order_redispatch,
    "cancel": order_cancel,
}


def order_act(*, by, order: ServiceOrder, action: str, **fields: Any) -> ServiceOrder:
    """One entry point for pages and the API: the named transition with its fields."""
    if action not in ACTIONS:
        raise UserError(_("未知的操作。"), field="action")
    return ACTIONS[action](by=by, order=order, **fields)


def is_late(order: ServiceOrder, now: datetime | None = None) -> bool:
    """Flagged: dispatched, nobody accepted it, and its time has passed."""
    return order.status == OrderStatus.DISPATCHED and order.due_at < (now or timezone.now())


def flag_late_orders(*, now: datetime | None = None) -> int:
    """Tell each community's staff, once, about dispatched orders nobody accepted by their time;
    returns how many were flagged. Run every few minutes by the task worker."""
    now = now or timezone.now()
    flagged = 0
    late = ServiceOrder.objects.filter(
        status=OrderStatus.DISPATCHED, due_at__lt=now, late_notified_at__isnull=True
    ).values_list("pk", flat=True)[:500]
    for pk in list(late):
        with transaction.atomic():
            order = (
                ServiceOrder.objects.select_for_update()
                .filter(pk=pk, status=OrderStatus.DISPATCHED, late_notified_at__isnull=True)
                .first()
            )
            if order is None:
                continue
            order.late_notified_at = now
            order.save(update_fields=["late_notified_at", "updated_at"])
            notify(
                users=_community_staff(order) + _assignee_users(order),
                title=f"工单超时未接：{order.title[:40]}",
                body=f"服务时间 {timezone.localtime(order.due_at):%m月%d日 %H:%M}，请改派或撤销",
                url=f"/console/services/orders/{order.pk}/",
            )
            flagged += 1
    return flagged
