"""Setting up a district for a real deployment (`jiceng setup`): its streets and communities
from the shipped national division data, and its three administrators (三员) with one-time
passwords and a second factor to enrol at first login."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import match_token

from jiceng.accounts import services as accounts
from jiceng.accounts.models import RoleAssignment, User
from jiceng.accounts.roles import Role
from jiceng.core.audit import audit
from jiceng.core.errors import UserError
from jiceng.geo.divisions import DistrictData, district_data, load_district
from jiceng.geo.models import Division, Level
from jiceng.onboarding.export import ExportResult, write_export

# The three administrators and the usernames they get (those of the demo).
ADMINS: tuple[tuple[str, str], ...] = (
    (Role.SYSTEM_ADMIN, "sysadmin"),
    (Role.SECURITY_ADMIN, "secadmin"),
    (Role.AUDIT_ADMIN, "auditor"),
)


@dataclass
class AdminLogin:
    role: str
    username: str
    password: str = ""  # the one-time password, shown once; "" when the account was kept
    created: bool = False


@dataclass
class SetupResult:
    data: DistrictData
    district: Division
    streets_added: int
    communities_added: int
    renamed: int
    admins: list[AdminLogin] = field(default_factory=list)
    first_time: bool = True


def one_time_password(length: int = 16) -> str:
    """A random password that passes the password rules (four character classes)."""
    alphabet = string.ascii_letters + string.digits + "#%+=@"
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
            and any(c in "#%+=@" for c in password)
        ):
            return password


def other_districts(code: str) -> list[Division]:
    """Districts already set up in this database other than ``code`` (the benchmarks'
    synthetic district of province 99 does not count)."""
    return list(
        Division.objects.filter(level=Level.DISTRICT)
        .exclude(code=code)
        .exclude(code__startswith="99")
        .order_by("code")
    )


@transaction.atomic
def setup_district(*, code: str, force: bool = False, new_passwords: bool = False) -> SetupResult:
    """Load the district ``code`` and create its three administrators.

    Refuses a district already set up (or a database that holds another district) unless
    ``force``; with ``force`` it adds what is missing and changes nothing already entered, so
    that running it again is harmless. ``new_passwords``: issue new one-time passwords to the
    administrators who have not logged in yet (a lost printout).
    """
    data = district_data(code)
    existing = Division.objects.filter(code=data.code).first()
    if not force:
        if existing is not None:
            raise UserError(
                _(
                    "区县 {name}（{code}）已经建立。再次运行会补齐缺少的街道、社区和管理员，"
                    "不改动已录入的数据：请加 --force。"
                ).format(name=existing.name, code=data.code),
                field="code",
            )
        others = other_districts(data.code)
        if others:
            raise UserError(
                _(
                    "本数据库已有区县 {names}；一套部署服务一个区县。确需再建立 {code}，请加 --force。"
                ).format(names="、".join(str(d) for d in others), code=data.code),
                field="code",
            )
    loaded = load_district(data)
    district = loaded.district
    admins = [_admin(district, role, username, new_passwords) for role, username in ADMINS]
    result = SetupResult(
        data=data,
        district=district,
        streets_added=loaded.streets_added,
        communities_added=loaded.communities_added,
        renamed=loaded.renamed,
        admins=admins,
        first_time=existing is None,
    )
    audit(
        actor=None,
        action="system.setup",
        obj=district,
        detail={
            "edition": "2023",
            "streets": len(data.streets),
            "communities": len(data.communities) - data.villages,
            "villages": data.villages,
            "streets_added": loaded.streets_added,
            "communities_added": loaded.communities_added,
            "renamed": loaded.renamed,
            "admins_created": [a.username for a in admins if a.created],
            "passwords_issued": [a.username for a in admins if a.password],
            "force": force,
        },
    )
    return result


def _admin(district: Division, role: str, username: str, new_password: bool) -> AdminLogin:
    """The district's administrator of ``role``: kept when one exists, otherwise a new account
    with a one-time password (changed at first login; the second factor is enrolled then)."""
    held = (
        RoleAssignment.objects.active()
        .filter(role=role, scope_code=district.code)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if held is not None:
        user = held.user
        login = AdminLogin(role, user.username)
        if new_password and user.last_login is None:
            login.password = one_time_password()
            user.set_password(login.password)
            user.must_change_password = True
            user.save(update_fields=["password", "must_change_password"])
            audit(actor=None, action="user.one_time_password", obj=user)
        return login
    name = username
    number = 1
    while User.objects.filter(username__iexact=name).exists():
        number += 1
        name = f"{username}{number}"
    password = one_time_password()
    user = accounts.user_create(
        username=name, full_name=str(Role(role).label), password=password, by=None
    )
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    accounts.role_assign(user=user, role=role, division=district, by=None)
    return AdminLogin(role, name, password, created=True)


def deployed_district(code: str = "") -> Division:
    """The district this deployment serves (``code`` where the database holds several)."""
    districts = other_districts("")
    if code:
        chosen = [d for d in districts if d.code == code]
        if not chosen:
            raise UserError(_("本数据库没有区县 {code}。").format(code=code), field="code")
        return chosen[0]
    if not districts:
        raise UserError(_("本数据库还没有区县：请先运行 jiceng setup。"))
    if len(districts) > 1:
        raise UserError(
            _("本数据库有多个区县（{names}）：请用 --district 指定。").format(
                names="、".join(d.code for d in districts)
            )
        )
    return districts[0]


def security_admin_for(*, district: Division, username: str, token: str) -> User:
    """The district's security administrator, confirmed by their current second-factor code:
    what a whole export (personal numbers in clear) needs."""
    user = User.objects.filter(username=username, is_active=True).first()
    if (
        user is None
        or not RoleAssignment.objects.active()
        .filter(user=user, role=Role.SECURITY_ADMIN, scope_code=district.code)
        .exists()
    ):
        raise UserError(
            _("“{username}”不是本区县的安全管理员。").format(username=username),
            field="security_admin",
        )
    if not token or match_token(user, token.strip()) is None:
        audit(actor=None, action="user.otp_failed", obj=user, scope_code=district.code)
        raise UserError(_("安全管理员的动态验证码错误或已过期。"), field="otp")
    return user


def export_district(
    *,
    district: Division,
    output: Path,
    whole: bool = False,
    security_admin: User | None = None,
) -> ExportResult:
    """Write the district's archive (masked, or whole with its security administrator) and
    audit it."""
    if whole and security_admin is None:
        raise UserError(_("完整导出（含完整证件号码和电话）须由安全管理员确认。"))
    if output.suffix != ".zip":
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        kind = "whole" if whole else "masked"
        output = output / f"jiceng-export-{district.code}-{kind}-{stamp}.zip"
    if output.exists():
        raise UserError(_("文件已存在：{path}").format(path=output))
    result = write_export(district=district.code, path=output, whole=whole)
    audit(
        actor=security_admin,
        action="system.export",
        obj=district,
        detail={
            "file": output.name,
            "personal_numbers": "whole" if whole else "masked",
            "rows": {name: f["rows"] for name, f in result.files.items() if f["rows"]},
        },
    )
    return result
