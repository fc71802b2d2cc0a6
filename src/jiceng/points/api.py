"""The points JSON API: a member's own balance and entries; rankings for staff."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from jiceng.core.errors import Forbidden, UserError
from jiceng.core.inputs import Day, Id, Year
from jiceng.core.scope import visible_or_404
from jiceng.party.permissions import member_of, visible_orgs
from jiceng.points import selectors

router = Router(tags=["points"])


class EntryOut(Schema):
    rule: str
    points: int
    offered: int
    kind: str
    occurred_at: datetime

    @staticmethod
    def resolve_rule(obj) -> str:
        return obj.rule.label


class MyPointsOut(Schema):
    year: int
    balance: int
    rank_branch: int
    rank_community: int
    entries: list[EntryOut]


class RankOut(Schema):
    member_id: int
    name: str
    points: int
    rank: int


@router.get("/me", response=MyPointsOut)
def me(request, year: Year | None = None):
    member = member_of(request.user)
    if member is None:
        raise Forbidden(_("只有党员有积分。"))
    summary = selectors.member_summary(member=member, year=year)
    summary["entries"] = list(summary["entries"])
    return summary


@router.get("/ranking", response=list[RankOut])
def ranking(
    request,
    org: Id | None = None,
    year: Year | None = None,
    start: Day | None = None,
    end: Day | None = None,
    limit: Annotated[int, Field(ge=1, le=500)] = 100,
):
    if not request.user.scope_codes and not request.user.unit_ids:
        raise Forbidden(_("您的角色没有管辖范围。"))
    if org is not None:
        visible_or_404(
            visible_orgs(request.user), _("党组织不存在，或不在您的管辖范围内。"), pk=org
        )
    elif not request.user.scope_codes:
        # Partner staff see their unit's organizations: a ranking needs one of them named.
        raise UserError(_("请指定党组织（org）。"), field="org")
    if (start is None) != (end is None) or (start and end and end <= start):
        raise UserError(_("请同时给出开始和结束日期，且结束晚于开始。"))
    period = {"start": start, "end": end} if start else {"year": year or date.today().year}
    scope = None if org else request.user.scope_codes[0]
    return selectors.ranking(scope_code=scope, org_id=org, limit=min(limit, 500), **period)
