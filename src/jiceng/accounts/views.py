"""Login (with the second factor for administrators), role homes, accounts and roles."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiceng.accounts import selectors, services
from jiceng.accounts.decorators import page
from jiceng.accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    RoleAssignForm,
    TokenForm,
    UserCreateForm,
)
from jiceng.accounts.models import User
from jiceng.accounts.permissions import (
    assignable_units,
    assignable_users,
    grantable_roles,
    grantable_scopes,
    navigation_for,
)
from jiceng.accounts.roles import ROLES
from jiceng.core import registry
from jiceng.core.audit import audit
from jiceng.core.errors import NotFound, UserError
from jiceng.core.forms import submit
from jiceng.core.scope import covers, visible_or_404
from jiceng.geo.codes import parse_code
from jiceng.geo.models import Division

PENDING = "_pending_otp_user"


def home_url(user: User) -> str:
    role = user.home_role
    return reverse(ROLES[role].home) if role else reverse("no_role")


def _next_or_home(request, user: User) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return home_url(user)


def login_view(request):
    if request.user.is_authenticated:
        return redirect(home_url(request.user))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if user.needs_otp:
            # The password was right; the session is not logged in until the second factor is.
            request.session[PENDING] = {
                "id": user.pk,
                "backend": user.backend,
                "next": request.POST.get("next", ""),
            }
            has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            return redirect("accounts:otp" if has_device else "accounts:otp_setup")
        login(request, user)
        audit(actor=user, action="user.login", obj=user, request=request)
        return redirect(_next_or_home(request, user))
    return render(
        request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


def _pending_user(request) -> tuple[User | None, dict]:
    pending = request.session.get(PENDING)
    if not pending:
        return None, {}
    return User.objects.filter(pk=pending["id"], is_active=True).first(), pending


def otp_view(request):
    user, pending = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is None:
            audit(actor=None, action="user.otp_failed", obj=user, request=request)
            form.add_error("token", _("验证码错误或已过期，请重新输入。"))
        else:
            del request.session[PENDING]
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            audit(actor=user, action="user.login", obj=user, request=request, detail={"otp": True})
            request.POST = request.POST.copy()
            request.POST["next"] = pending.get("next", "")
            return redirect(_next_or_home(request, user))
    return render(request, "accounts/otp.html", {"form": form, "pending_user": user})


def otp_setup_view(request):
    """First login of an administrator: bind an authenticator app, then log in with it."""
    user, pending = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:otp")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            del request.session[PENDING]
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            audit(actor=user, action="user.otp_bound", obj=user, request=request)
            return redirect(home_url(user))
        form.add_error("token", _("验证码错误，请确认手机时间准确后重试。"))
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(request, "accounts/otp_setup.html", {"form": form, "qr_svg": qr_svg})


@login_required
def password_change_view(request):
    """The owner's own password; the first page after a login with a one-time password."""
    user = request.user
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST":
        done = submit(
            form,
            lambda data: (
                services.own_password_change(
                    user=user,
                    old_password=data["old_password"],
                    new_password=data["new_password"],
                    confirm=data["confirm"],
                    request=request,
                )
                or True
            ),
        )
        if done:
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。"))
            return redirect(home_url(user))
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "forced": user.must_change_password,
            "rules": password_validators_help_texts(),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit(actor=request.user, action="user.logout", obj=request.user, request=request)
    logout(request)
    return redirect("accounts:login")


def home(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return redirect(home_url(request.user))


@page()
def no_role(request):
    return render(request, "accounts/no_role.html")


def _phone_home(request, home: str, place: dict):
    """A phone home: the place, then the links and cards the apps register for it."""
    user = request.user
    return render(
        request,
        f"accounts/{home}_home.html",
        {
            **place,
            "home_links": registry.home_links(home),
            "todos": registry.todos_for(user, home),
            "home_cards": selectors.home_cards(user=user, home=home, place=place),
        },
    )


@page()
def resident_home(request):
    if not request.user.has_role("resident"):
        raise NotFound(_("页面不存在。"))
    return _phone_home(request, "resident", selectors.resident_home(user=request.user))


@page()
def member_home(request):
    if not request.user.has_role("member"):
        raise NotFound(_("页面不存在。"))
    return _phone_home(request, "member", selectors.member_home(user=request.user))


@page("console")
def console_home(request):
    """The role's to-dos first (what waits for this user, overdue first), then the figures
    of the scope; both from what the apps registered."""
    user = request.user
    scopes = selectors.console_scopes(user=user)
    figures = registry.figures_for(user.roles, scopes) if scopes else []
    values = registry.figure_values(figures, scopes)
    return render(
        request,
        "console/home.html",
        {
            "assignments": user.active_assignments,
            "todos": registry.todos_for(user),
            "home_cards": selectors.home_cards(user=user, home="console", place={"scopes": scopes}),
            "figures": [
                {"label": f.label, "value": v} for f, v in zip(figures, values, strict=True)
            ],
            "actions": [i for i in navigation_for(user) if i.primary],
        },
    )


@page("users")
def users_view(request):
    user = request.user
    q = request.GET.get("q", "").strip()
    users = selectors.user_list(user=user, query=q)
    page_obj = Paginator(users, 50).get_page(request.GET.get("page"))
    selectors.mark_endable(user=user, users=page_obj)
    return render(
        request,
        "accounts/users.html",
        {
            "page_obj": page_obj,
            "q": q,
            "create_form": UserCreateForm(),
            "assign_form": RoleAssignForm(roles=grantable_roles(user)),
            "places": list(selectors.assignable_places(user).order_by("code")),
            "units": list(selectors.assignable_unit_choices(user).order_by("name")),
        },
    )


@page("users")
@require_POST
def user_create_view(request):
    form = UserCreateForm(request.POST)
    if form.is_valid():
        try:
            created = services.user_create(by=request.user, request=request, **form.cleaned_data)
        except UserError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("已创建账号 {username}，请为其分配角色。").format(username=created.username),
            )
    else:
        messages.error(request, _("请填写用户名、姓名和初始密码。"))
    return redirect("accounts:users")


@page("users")
@require_POST
def role_assign_view(request):
    form = RoleAssignForm(request.POST, roles=grantable_roles(request.user))
    if not form.is_valid():
        messages.error(request, _("请选择您可以分配的角色。"))
        return redirect("accounts:users")
    data = form.cleaned_data
    try:
        # Everything the form names is resolved through what this manager may assign: an
        # account, a unit or a place elsewhere reads like one that does not exist.
        target = assignable_users(request.user).filter(username=data["username"].strip()).first()
        if target is None:
            raise UserError(_("用户“{username}”不存在。").format(username=data["username"]))
        division = unit = None
        if data.get("unit_id"):
            unit = visible_or_404(
                assignable_units(request.user, data["role"]),
                _("单位不存在。"),
                pk=data["unit_id"],
            )
        else:
            division = _division_by_code(
                data.get("division_code", ""), grantable_scopes(request.user, data["role"])
            )
        services.role_assign(
            user=target,
            role=data["role"],
            division=division,
            unit=unit,
            by=request.user,
            request=request,
        )
    except UserError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已为 {user} 分配角色。").format(user=target))
    return redirect("accounts:users")


@page("users")
def role_end_view(request, pk: int):
    """Ending a role takes two steps: the first (the users page's link, or a POST without the
    confirmation) shows who loses which role where; only the confirmed POST ends it."""
    assignment = selectors.assignment_for_manager(user=request.user, pk=pk)
    if request.method != "POST" or request.POST.get("confirm") != "1":
        if assignment.ended_at is not None:
            messages.error(request, _("该角色分配已终止。"))
            return redirect("accounts:users")
        return render(request, "accounts/role_end_confirm.html", {"assignment": assignment})
    try:
        services.role_end(assignment=assignment, by=request.user, request=request)
    except UserError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已终止该角色分配。"))
    return redirect("accounts:users")


def _division_by_code(code: str, scopes: list[str]) -> Division:
    """The division a manager names by its code: a code outside the scopes where they may grant
    the role is refused as outside, whether or not it exists; inside, a missing one is named."""
    code = parse_code(code)
    if not covers(scopes, code):
        raise UserError(_("不能在您的管辖范围之外分配该角色。"), status=403)
    division = Division.objects.within(*scopes).filter(code=code).first()
    if division is None:
        raise UserError(_("区划代码 {code} 不存在。").format(code=code), field="division_code")
    return division
