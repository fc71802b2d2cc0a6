"""Writes on users and role assignments: validated, audited, one transaction each."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jiceng.accounts.models import RoleAssignment, User
from jiceng.accounts.permissions import grantable_scopes
from jiceng.accounts.roles import ADMIN_ROLES, ROLES, Role
from jiceng.core.audit import audit, entry_values
from jiceng.core.bulk import audit_many, bulk_insert
from jiceng.core.errors import UserError
from jiceng.core.scope import covers
from jiceng.geo.models import Division, Level
from jiceng.partners.models import Partner


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        separator = pgettext("between sentences", "；")
        raise UserError(separator.join(exc.messages), field="password") from exc


@transaction.atomic
def user_create(
    *, username: str, full_name: str, password: str, by: User | None, request: Any = None
) -> User:
    """A new account; the password must pass the password rules."""
    username = username.strip()
    if not username:
        raise UserError(_("请填写用户名。"), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise UserError(
            _("用户名“{username}”已被使用。").format(username=username), field="username"
        )
    user = User(username=username, full_name=full_name.strip())
    _check_password(password, user)
    user.set_password(password)
    user.save()
    audit(actor=by, action="user.create", obj=user, request=request)
    return user


@transaction.atomic
def password_change(*, user: User, new_password: str, by: User, request: Any = None) -> None:
    """Set a new password that passes the password rules (and ends a one-time password)."""
    _check_password(new_password, user)
    if user.must_change_password and user.check_password(new_password):
        raise UserError(_("新密码不能与一次性密码相同。"), field="new_password")
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit(actor=by, action="user.password_change", obj=user, request=request)


@transaction.atomic
def own_password_change(
    *, user: User, old_password: str, new_password: str, confirm: str, request: Any = None
) -> None:
    """The owner changes their own password: the current one first, the new one twice."""
    if not user.check_password(old_password):
        raise UserError(_("当前密码不正确。"), field="old_password")
    if new_password != confirm:
        raise UserError(_("两次输入的新密码不一致。"), field="confirm")
    password_change(user=user, new_password=new_password, by=user, request=request)


@transaction.atomic
def role_assign(
    *,
    user: User,
    role: str,
    by: User | None,
    division: Division | None = None,
    unit: Partner | None = None,
    request: Any = None,
) -> RoleAssignment:
    """Give ``user`` a role in a division or unit, inside the granting user's own scope.

    ``by=None`` is the system itself (the demo builder, the first administrator); every other
    grant needs a granting role whose scope contains the new assignment's scope.
    """
    if role not in ROLES:
        raise UserError(_("未知角色：{role}").format(role=role), field="role")
    info = ROLES[role]
    label = Role(role).label
    if info.unit_kinds:
        if unit is None or division is not None:
            raise UserError(_("“{role}”须指定所属单位。").format(role=label), field="unit")
        if unit.kind not in info.unit_kinds:
            raise UserError(
                _("“{role}”不能分配到“{kind}”类单位。").format(
                    role=label, kind=unit.get_kind_display()
                ),
                field="unit",
            )
        scope_code = unit.scope_code
    else:
        if division is None or unit is not None:
            raise UserError(_("“{role}”须指定区划。").format(role=label), field="division")
        if division.level not in info.levels:
            raise UserError(
                _("“{role}”只能分配到{levels}，不能分配到{level}。").format(
                    role=label,
                    levels=pgettext("list separator", "、").join(_level_names(info.levels)),
                    level=division.get_level_display(),
                ),
                field="division",
            )
        scope_code = division.code

    if by is not None:
        if not covers(grantable_scopes(by, role), scope_code):
            raise UserError(_("不能在您的管辖范围之外分配该角色。"), status=403)
        if role in ADMIN_ROLES and by.pk == user.pk:
            raise UserError(_("不能给自己分配管理员角色。"), status=403)

    # Lock the user row so that two grants at once cannot both pass the separation check.
    User.objects.select_for_update().filter(pk=user.pk).first()
    current = set(RoleAssignment.objects.active().filter(user=user).values_list("role", flat=True))
    if role in ADMIN_ROLES and (current & ADMIN_ROLES) - {role}:
        held = pgettext("list separator", "、").join(
            str(Role(r).label) for r in sorted(current & ADMIN_ROLES)
        )
        raise UserError(
            _("三员分立：该用户已是{held}，不能再兼任{role}。").format(held=held, role=label),
            field="role",
        )
    duplicate = RoleAssignment.objects.active().filter(user=user, role=role)
    duplicate = (
        duplicate.filter(unit=unit) if unit else duplicate.filter(scope_code=scope_code, unit=None)
    )
    if duplicate.exists():
        raise UserError(_("该用户在此范围内已是{role}。").format(role=label), field="role")

    assignment = RoleAssignment.objects.create(
        user=user, role=role, division=division, unit=unit, scope_code=scope_code, granted_by=by
    )
    user.__dict__.pop("active_assignments", None)
    audit(
        actor=by,
        action="role.assign",
        obj=assignment,
        scope_code=scope_code,
        request=request,
        detail={"role": role, "user": user.username},
    )
    return assignment


@transaction.atomic
def staff_import(*, by: User, rows: list[dict], note: str = "") -> tuple[int, int]:
    """Staff accounts and their roles at once, as a district's going-live workbook brings them;
    returns (assignments created, unchanged).

    Each row: ``username``, ``full_name``, ``password`` (hashed; "" leaves the account without
    one until the security administrator sets it), ``role``, ``division_id`` or ``unit_id`` and
    the ``scope_code`` they give. An account that exists is reused; a role already held there is
    left alone. The rules are ``role_assign``'s that a row can break (a staff role, not an
    administrator's; inside what ``by`` may grant); every account created and every role given
    gets the audit entry the users page writes (``user.create``, ``role.assign``), in bulk."""
    for row in rows:
        if row["role"] not in ROLES or row["role"] in ADMIN_ROLES or not ROLES[row["role"]].staff:
            raise UserError(_("未知角色：{role}").format(role=row["role"]), field="role")
        if not covers(grantable_scopes(by, row["role"]), row["scope_code"]):
            raise UserError(_("不能在您的管辖范围之外分配该角色。"), status=403)
    users = {
        u.username.lower(): u
        for u in User.objects.alias(key=Lower("username")).filter(
            key__in={r["username"].lower() for r in rows}
        )
    }
    # A first password is hashed at the production cost (it is one a person chose, typed into a
    # sheet), but once per distinct password of the chunk, not once per account: a district
    # that gives 2,000 accounts the same first password pays 0.3 s, not ten minutes. Accounts
    # sharing one hash share a password the sheet already gives them all; each must change it
    # at the first login (CONVENTIONS.md, "First passwords of imported accounts").
    hashed: dict[str, str] = {}
    new_users = []
    for row in rows:
        key = row["username"].lower()
        if key in users:
            continue
        user = User(username=row["username"], full_name=row["full_name"])
        password = row["password"]
        if password:
            if password not in hashed:
                hashed[password] = make_password(password)
            user.password = hashed[password]
        else:
            user.set_unusable_password()  # costs nothing; the security administrator sets one
        user.must_change_password = bool(password)
        users[key] = user
        new_users.append(user)
    bulk_insert(User, new_users)
    if new_users and new_users[0].pk is None:
        ids = dict(
            User.objects.filter(username__in=[u.username for u in new_users]).values_list(
                "username", "pk"
            )
        )
        for u in new_users:
            u.pk = ids[u.username]
    entries = [
        entry_values(actor=by, action="user.create", obj=u, detail={"via": note}) for u in new_users
    ]
    active = set(
        RoleAssignment.objects.filter(
            user_id__in=[u.pk for u in users.values()], ended_at__isnull=True
        ).values_list("user_id", "role", "scope_code")
    )
    # The places and units the roles are given in, read once: an assignment's audit entry names
    # its account and place (its ``str``), which would otherwise cost two queries a row.
    divisions = Division.objects.in_bulk({r["division_id"] for r in rows if r["division_id"]})
    units = Partner.objects.in_bulk({r["unit_id"] for r in rows if r["unit_id"]})
    assignments = []
    unchanged = 0
    for row in rows:
        user = users[row["username"].lower()]
        if (user.pk, row["role"], row["scope_code"]) in active:
            unchanged += 1
            continue
        active.add((user.pk, row["role"], row["scope_code"]))
        assignments.append(
            RoleAssignment(user=user, role=row["role"], division=divisions.get(row["division_id"]),
                           unit=units.get(row["unit_id"]), scope_code=row["scope_code"],
                           granted_by=by)
        )  # fmt: skip
    bulk_insert(RoleAssignment, assignments)
    entries += [
        entry_values(actor=by, action="role.assign", obj=a, scope_code=a.scope_code,
                     detail={"role": a.role, "user": a.user.username, "via": note})
        for a in assignments
    ]  # fmt: skip
    audit_many(entries)
    return len(assignments), unchanged


@transaction.atomic
def role_end(*, assignment: RoleAssignment, by: User, request: Any = None) -> RoleAssignment:
    """End an assignment (kept with its history, never deleted)."""
    if assignment.ended_at is not None:
        raise UserError(_("该角色分配已终止。"))
    if not covers(grantable_scopes(by, assignment.role), assignment.scope_code):
        raise UserError(_("不能终止您管辖范围之外的角色分配。"), status=403)
    assignment.ended_at = timezone.now()
    assignment.ended_by = by
    assignment.save(update_fields=["ended_at", "ended_by", "updated_at"])
    audit(
        actor=by,
        action="role.end",
        obj=assignment,
        scope_code=assignment.scope_code,
        request=request,
        detail={"role": assignment.role, "user": assignment.user.username},
    )
    return assignment


def _level_names(levels: tuple[str, ...]) -> list[str]:
    return [str(Level(level).label) for level in levels]
