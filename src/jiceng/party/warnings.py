"""Early warnings of party life, sent once: a branch whose period is about to end without the
meetings the 2018 branch regulations ask, and a member three months behind with dues (the
constitution's limit is six). The community's staff are told, and the member themselves."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.models import RoleAssignment
from jiceng.accounts.roles import Role
from jiceng.core.notify import notify
from jiceng.core.scope import community_of
from jiceng.party import selectors
from jiceng.party.models import Member, PartyOrg, WarningNotice

STAFF_ROLES = (Role.COMMUNITY_SECRETARY, Role.COMMUNITY_WORKER)


def _first_time(key: str) -> bool:
    try:
        with transaction.atomic():
            WarningNotice.objects.create(key=key)
    except IntegrityError:
        return False
    return True


def _staff_by_community() -> dict[str, list]:
    """The active community staff of every community, read once per run (not per warning)."""
    staff: dict[str, list] = {}
    rows = RoleAssignment.objects.filter(
        role__in=STAFF_ROLES, ended_at__isnull=True, user__is_active=True
    ).select_related("user")
    for row in rows:
        staff.setdefault(row.scope_code, []).append(row.user)
    return staff


def send_warnings(*, today: date | None = None) -> dict[str, int]:
    """Tell whom it concerns of each warning not told before; returns how many were sent."""
    today = today or timezone.localdate()
    sent = {"meetings": 0, "dues": 0}
    staff = _staff_by_community()
    orgs = PartyOrg.objects.filter(is_active=True)
    for state in selectors.frequency_status(user=None, today=today, orgs=orgs):
        if state.state != "warning":
            continue
        key = f"meetings:{state.org.pk}:{state.frequency.kind}:{state.start:%Y-%m-%d}"
        with transaction.atomic():
            if not _first_time(key):
                continue
            notify(
                users=staff.get(community_of(state.org.scope_code), []),
                title=f"组织生活预警：{state.org.name}",
                body=(
                    f"{state.frequency.get_kind_display()}本期（{state.start:%Y-%m-%d} 至 "
                    f"{state.end:%Y-%m-%d}）要求 {state.frequency.times} 次，已开 {state.held} 次，"
                    f"还剩 {(state.end - today).days} 天。"
                ),
                url=reverse("party:org", args=[state.org.pk]),
            )
        sent["meetings"] += 1
    members = Member.objects.filter(is_active=True).select_related("org", "user")
    for arrears in selectors.dues_arrears(user=None, today=today, members=members):
        if not arrears.warning:
            continue
        member = arrears.member
        key = f"dues:{member.pk}:{arrears.last_paid or member.dues_from:%Y-%m}"
        with transaction.atomic():
            if not _first_time(key):
                continue
            notify(
                users=staff.get(community_of(member.scope_code), []),
                title=f"党费预警：{member.name}",
                body=f"{member.name}（{member.org.name}）已连续 {arrears.unpaid_months} 个月未交纳党费。",
                url=reverse("party:member", args=[member.pk]),
            )
            notify(
                users=[member.user],
                title="请及时交纳党费",
                body=(
                    f"您已连续 {arrears.unpaid_months} 个月未交纳党费。按党章第九条，连续六个月"
                    "不交纳党费的，被认为自行脱党。请向所在支部交纳。"
                ),
                url=reverse("party:mine"),
            )
        sent["dues"] += 1
    return sent
