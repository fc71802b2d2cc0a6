"""Early warnings of party life: a branch whose period is about to end without the meetings the
2018 branch regulations ask, and a member three months behind with dues (the constitution's
limit is six). Declared as warning sources in manifest.py; the warning centre (dashboard) runs
them, records each warning and tells the community's staff once (the member behind with dues
too). ``WarningNotice`` keeps the keys told before the centre existed, so that they are not told
again."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.roles import Role
from jiceng.core.registry import SEVERE, WARNING, Alert
from jiceng.party import selectors
from jiceng.party.models import Member, PartyOrg, WarningNotice

STAFF_ROLES = frozenset({Role.COMMUNITY_SECRETARY, Role.COMMUNITY_WORKER})


def _told_before(keys: list[str]) -> set[str]:
    return set(WarningNotice.objects.filter(key__in=keys).values_list("key", flat=True))


def meeting_alerts(today: date | None = None) -> list[Alert]:
    """Each branch behind on a kind of meeting with its period ending soon."""
    today = today or timezone.localdate()
    orgs = PartyOrg.objects.filter(is_active=True)
    states = [
        s
        for s in selectors.frequency_status(user=None, today=today, orgs=orgs)
        if s.state == "warning"
    ]
    legacy = {id(s): f"meetings:{s.org.pk}:{s.frequency.kind}:{s.start:%Y-%m-%d}" for s in states}
    told = _told_before(list(legacy.values()))
    return [
        Alert(
            key=f"party.{legacy[id(s)]}",
            scope_code=s.org.scope_code,
            title=f"组织生活预警：{s.org.name}（{s.frequency.get_kind_display()}）",
            since=s.start,
            url=reverse("party:org", args=[s.org.pk]),
            severity=SEVERE if (s.end - today).days <= 3 else WARNING,
            body=(
                f"{s.frequency.get_kind_display()}本期（{s.start:%Y-%m-%d} 至 "
                f"{s.end:%Y-%m-%d}）要求 {s.frequency.times} 次，已开 {s.held} 次，"
                f"还剩 {(s.end - today).days} 天。"
            ),
            told=legacy[id(s)] in told,
        )
        for s in states
    ]


def dues_alerts(today: date | None = None) -> list[Alert]:
    """Each member three months or more behind with dues (severe from five: at six the
    constitution counts them as having left)."""
    today = today or timezone.localdate()
    members = Member.objects.filter(is_active=True).select_related("org", "user")
    rows = [a for a in selectors.dues_arrears(user=None, today=today, members=members) if a.warning]
    legacy = {
        a.member.pk: f"dues:{a.member.pk}:{a.last_paid or a.member.dues_from:%Y-%m}" for a in rows
    }
    told = _told_before(list(legacy.values()))
    alerts = []
    for a in rows:
        member = a.member
        since = a.last_paid or member.dues_from
        alerts.append(
            Alert(
                key=f"party.{legacy[member.pk]}",
                scope_code=member.scope_code,
                title=f"党费预警：{member.name}",
                since=since,
                url=reverse("party:member", args=[member.pk]),
                severity=SEVERE if a.unpaid_months >= 5 else WARNING,
                body=f"{member.name}（{member.org.name}）已连续 {a.unpaid_months} 个月未交纳党费。",
                also_tell=(
                    [member.user] if member.user_id else [],
                    "请及时交纳党费",
                    (
                        f"您已连续 {a.unpaid_months} 个月未交纳党费。按党章第九条，连续六个月"
                        "不交纳党费的，被认为自行脱党。请向所在支部交纳。"
                    ),
                    reverse("party:mine"),
                ),
                told=legacy[member.pk] in told,
            )
        )
    return alerts
