"""The onboarding page: what the district has loaded and what is still missing, each line with
where to fix it (the lines come from every app's ``register_onboarding_check``)."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from jiceng.accounts.decorators import page
from jiceng.accounts.roles import Role
from jiceng.core import registry
from jiceng.core.errors import NotFound
from jiceng.geo.models import Division


def _fixes(check: registry.OnboardingCheck, roles: set[str]) -> list[dict[str, str]]:
    links = []
    for fix in registry.onboarding_fixes(check):
        if not fix.roles & roles:
            continue
        try:
            url = reverse(fix.url_name, args=fix.args)
        except NoReverseMatch:  # an optional app that is not installed
            continue
        links.append({"label": str(fix.label), "url": url})
    return links


def _others(check: registry.OnboardingCheck, roles: set[str]) -> list[str]:
    """Who else fixes what this viewer cannot (the security administrator's accounts)."""
    names = {r for fix in registry.onboarding_fixes(check) for r in fix.roles if r not in roles}
    return [str(Role(r).label) for r in sorted(names) if r in Role.values]


@page("onboarding")
def onboarding_view(request):
    user = request.user
    codes = user.scopes_for(Role.SYSTEM_ADMIN)
    district = Division.objects.filter(code__in=codes, level="district").order_by("code").first()
    if district is None:
        raise NotFound(_("页面不存在。"))
    checks = registry.onboarding_checks()
    values = registry.count_all(
        [
            v
            for c in checks
            for v in (c.loaded(district.code) if c.loaded else None, c.missing(district.code))
        ]
    )
    roles = user.roles
    lines = []
    for check, loaded, missing in zip(checks, values[::2], values[1::2], strict=True):
        # nothing missing of nothing loaded (no grids, so no grid without a worker) is not done
        state = "missing" if missing else ("empty" if loaded == 0 else "done")
        lines.append(
            {
                "key": check.key,
                "state": state,
                "label": check.label,
                "loaded": loaded,
                "missing": int(missing or 0),
                "missing_label": check.missing_label,
                "fixes": _fixes(check, roles) if missing else [],
                "others": _others(check, roles) if missing else [],
            }
        )
    done = sum(1 for line in lines if line["state"] == "done")
    return render(
        request,
        "onboarding/page.html",
        {"district": district, "lines": lines, "done": done, "total": len(lines)},
    )
