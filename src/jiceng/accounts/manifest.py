"""What accounts gives the shared surfaces: the console home and the pages of accounts and of
core in the navigation, its URLs and API, and how many people hold roles in a scope."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.models import RoleAssignment
from jiceng.accounts.permissions import STAFF
from jiceng.accounts.roles import ADMIN_ROLES, GRANTS, Role
from jiceng.core.models import AuditEntry
from jiceng.core.registry import (
    Api,
    Fix,
    HomeCard,
    NavItem,
    OnboardingCheck,
    Todo,
    Urls,
    register_audit_actions,
    register_component,
    register_figure,
    register_onboarding_check,
)
from jiceng.core.selectors import audit_list
from jiceng.core.workdays import WorkingCalendar
from jiceng.geo.models import Division


def _count(role: str, scopes: list[str]):
    return RoleAssignment.objects.active().within(*scopes).filter(role=role)


register_figure("accounts.residents", _("居民账号"), lambda scopes: _count(Role.RESIDENT, scopes))
register_figure(
    "accounts.grid_workers", _("网格员"), lambda scopes: _count(Role.GRID_WORKER, scopes)
)

# A backup older than this is a to-do of the system administrator's (the README asks for a
# nightly one; a week without is a week of data at risk).
BACKUP_DUE = timedelta(days=7)
# What the audit administrator reads each day: configuration changes, roles given, failed
# second factors (each a filter of the audit page).
AUDIT_DAILY = (
    ("admin.change", _("今日系统配置修改")),
    ("role.assign", _("今日分配的角色")),
    ("user.otp_failed", _("今日双因素验证失败")),
)


def _todos(user):
    """The administrators' lines: the security administrator's locked logins (the lockout
    list filtered to them), the audit administrator's entries of the day to read."""
    lines = []
    if user.has_role(Role.SECURITY_ADMIN):
        limit = settings.AXES_FAILURE_LIMIT
        locked = AccessAttempt.objects.filter(failures_since_start__gte=limit)
        url = reverse("admin:axes_accessattempt_changelist") + f"?failures_since_start__gte={limit}"
        lines.append(Todo(_("被锁定的登录"), url, locked))
    if user.has_role(Role.AUDIT_ADMIN):
        today = timezone.localdate().isoformat()
        scopes = user.scopes_for(Role.AUDIT_ADMIN)
        for action, label in AUDIT_DAILY:
            filters = {"action": action, "since": today}
            entries, _error = audit_list(scopes=scopes, filters=filters)
            lines.append(Todo(label, reverse("core:audit") + "?" + urlencode(filters), entries))
    return lines


def _system_card(user, place):
    """The system administrator's state of the deployment: the last backup (late after a
    week) and whether a key rotation is under way (old keys still configured). One query."""
    if not user.has_role(Role.SYSTEM_ADMIN):
        return None
    last = AuditEntry.objects.filter(action="system.backup").order_by("-at").only("at").first()
    return {
        "last_backup": last.at if last else None,
        "backup_late": last is None or timezone.now() - last.at > BACKUP_DUE,
        "rotating": bool(settings.FIELD_KEY_FALLBACKS or settings.HASH_KEY_FALLBACKS),
    }


register_component(
    "accounts",
    nav=[
        NavItem("console", _("工作台"), "console:home", STAFF | ADMIN_ROLES, order=20),
        NavItem("users", _("账号与角色"), "accounts:users", frozenset(GRANTS), order=900),
        # core's pages (core sits below the roles, so accounts declares who sees them)
        NavItem("audit", _("审计日志"), "core:audit", frozenset({Role.AUDIT_ADMIN}), order=910),
        NavItem("calendar", _("工作日历"), "core:calendar", STAFF | {Role.SYSTEM_ADMIN}, order=920),
        NavItem("admin", _("系统配置"), "admin:index", frozenset({Role.SYSTEM_ADMIN}), order=930),
    ],
    urls=[Urls("", "jiceng.accounts.urls")],
    api=[Api("/accounts", "jiceng.accounts.api.router")],
    home_cards=[HomeCard("console", "system", "accounts/home_system_card.html", _system_card)],
    todos=_todos,
)

# The audit page shows these actions in words (core's own and the accounts').
register_audit_actions(
    {
        "user.login": _("登录"),
        "user.logout": _("退出登录"),
        "user.otp_failed": _("双因素验证失败"),
        "user.otp_bound": _("绑定双因素验证"),
        "user.create": _("创建账号"),
        "user.password_change": _("修改密码"),
        "role.assign": _("分配角色"),
        "role.end": _("终止角色"),
        "admin.action": _("系统配置修改"),
        "system.backup": _("备份"),
        "system.restore": _("恢复备份"),
    }
)


# Onboarding (a district going live): who is missing where, and the calendar's next year.
_ACCOUNTS = (Fix(_("账号与角色"), "accounts:users", frozenset({Role.SECURITY_ADMIN})),)


def _without(role: str, level: str):
    """Places of ``level`` in the district where nobody holds ``role``."""

    def missing(code: str):
        held = RoleAssignment.objects.active().within(code).filter(role=role)
        return (
            Division.objects.within(code)
            .filter(level=level, is_active=True)
            .exclude(code__in=held.values("scope_code"))
        )

    return missing


def _calendar_next_year(code: str) -> int:
    year = timezone.localdate().year + 1
    return len(WorkingCalendar.load().years_without_data([year]))


register_onboarding_check(
    OnboardingCheck(
        "accounts.grid_workers",
        _("网格员"),
        loaded=lambda code: (
            RoleAssignment.objects.active().within(code).filter(role=Role.GRID_WORKER)
        ),
        missing=_without(Role.GRID_WORKER, "grid"),
        missing_label=_("个网格没有网格员"),
        fixes=_ACCOUNTS,
        order=40,
    )
)
register_onboarding_check(
    OnboardingCheck(
        "accounts.secretaries",
        _("社区党委书记"),
        loaded=lambda code: (
            RoleAssignment.objects.active().within(code).filter(role=Role.COMMUNITY_SECRETARY)
        ),
        missing=_without(Role.COMMUNITY_SECRETARY, "community"),
        missing_label=_("个社区或村没有书记"),
        fixes=_ACCOUNTS,
        order=50,
    )
)
register_onboarding_check(
    OnboardingCheck(
        "core.calendar",
        _("下一年的工作日历"),
        missing=_calendar_next_year,
        missing_label=_("个年份的法定节假日尚未录入"),
        fixes=(
            Fix(_("日历调整"), "admin:core_calendarday_changelist", frozenset({Role.SYSTEM_ADMIN})),
            Fix(_("工作日历"), "core:calendar", frozenset({Role.SYSTEM_ADMIN})),
        ),
        order=90,
    )
)
