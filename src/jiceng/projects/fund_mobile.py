"""The residents' page of a community's money, /m/projects/money/<community code>/: where the
money went this year (no login, no personal data: no payee, no voucher, no names)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from jiceng.core.errors import NotFound
from jiceng.geo.codes import parse_code
from jiceng.geo.models import Division
from jiceng.projects.fund_selectors import public_summary, year_of


def money(request, code: str):
    community = Division.objects.filter(code=parse_code(code), level="community").first()
    if community is None:
        raise NotFound(_("社区不存在。"))
    raw = request.GET.get("year", "")
    this = year_of()
    year = int(raw) if raw.isdigit() and this - 10 <= int(raw) <= this else this
    return render(
        request,
        "projects/funds/public.html",
        {
            "summary": public_summary(community=community, year=year),
            "years": range(this, this - 3, -1),
        },
    )
