"""Points pages: the member's own balance and rank (phone), rankings and manual entries
(console)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import page
from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.core.inputs import check_day
from jiceng.core.scope import visible_or_404
from jiceng.party.permissions import member_of, visible_members, visible_orgs
from jiceng.points import selectors, services
from jiceng.points.models import PointRule


@page()
def me(request):
    member = member_of(request.user)
    if member is None:
        raise Forbidden(_("只有党员有积分。"))
    return render(
        request, "points/me.html", {"member": member, **selectors.member_summary(member=member)}
    )


def _parse_day(value: str | None) -> date | None:
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        raise UserError(_("日期格式应为 YYYY-MM-DD。")) from None
    return check_day(day) if day else None


@page("party")
def ranking(request):
    """A ranking of the viewer's scope or one organization, for a year or any period."""
    scopes = request.user.scope_codes
    org_id = request.GET.get("org") or None
    orgs = visible_orgs(request.user).filter(kind__in=["branch", "general_branch", "committee"])
    if org_id:
        org_id = str(visible_or_404(orgs, _("党组织不存在，或不在您的管辖范围内。"), pk=org_id).pk)
    start, end = _parse_day(request.GET.get("start")), _parse_day(request.GET.get("end"))
    year_text = request.GET.get("year") or str(timezone.localdate().year)
    if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
        raise UserError(_("年度应为四位数字，例如 2026。"))
    year = int(year_text)
    if not org_id and not scopes and request.user.unit_ids:
        # A unit's staff see no place: their ranking is their own unit's organization's.
        own = orgs.order_by("scope_code", "pk").first()
        org_id = str(own.pk) if own else None
    scope = None if org_id else (scopes[0] if scopes else None)
    if scope is None and not org_id and not request.user.unit_ids:
        raise Forbidden(_("您的角色没有管辖范围。"))
    period = {"start": start, "end": end} if start and end else {"year": year}
    if start and end and end <= start:
        raise UserError(_("结束日期应晚于开始日期。"))
    rows = (
        selectors.ranking(scope_code=scope, org_id=int(org_id) if org_id else None, **period)
        if scope or org_id
        else []
    )
    return render(
        request,
        "points/ranking.html",
        {
            "rows": rows,
            "orgs": orgs.order_by("scope_code")[:500],
            "org_id": org_id,
            "year": year,
            "start": start,
            "end": end,
            "whole_scope": bool(scopes),
        },
    )


@page("party")
def manual(request):
    """Manual entries: propose one (with a reason); approve or reject someone else's."""
    if request.method == "POST":
        member = rule = None
        if request.POST.get("member") and request.POST.get("rule"):
            # A member the viewer sees (elsewhere is not found); rules are the district's own.
            member = visible_or_404(
                visible_members(request.user),
                _("党员不存在，或不在您的管辖范围内。"),
                pk=request.POST["member"],
            )
            rule = visible_or_404(PointRule.objects.all(), pk=request.POST["rule"])
        try:
            if member is None or rule is None:
                raise UserError(_("请选择党员和规则。"))
            services.manual_request(
                by=request.user,
                member=member,
                rule=rule,
                points=int(request.POST.get("points") or 0),
                reason=request.POST.get("reason", ""),
            )
        except ValueError:
            messages.error(request, _("分值应为整数。"))
        except UserError as exc:
            if isinstance(exc, Forbidden):
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已提交，待另一人审核后入账。"))
            return redirect("points:manual")
    return render(
        request,
        "points/manual.html",
        {
            "pending": selectors.manual_list(user=request.user, status="pending")[:100],
            "done": selectors.manual_list(user=request.user).exclude(status="pending")[:50],
            "rules": PointRule.objects.filter(is_active=True, source=""),
            "members": visible_members(request.user).filter(is_active=True).order_by("name")[:500],
        },
    )


@page("party")
@require_POST
def manual_decide(request, pk: int):
    request_ = selectors.manual_list(user=request.user).filter(pk=pk).first()
    if request_ is None:
        raise NotFound(_("手工积分不存在，或不在您的管辖范围内。"))
    approve = request.POST.get("approve") == "1"
    try:
        services.manual_decide(
            by=request.user, request=request_, approve=approve, note=request.POST.get("note", "")
        )
    except UserError as exc:
        if isinstance(exc, Forbidden):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已入账。") if approve else _("已驳回。"))
    return redirect("points:manual")
