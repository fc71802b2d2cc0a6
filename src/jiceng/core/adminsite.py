"""The Django admin of the three administrators (三员分立), and the audit of every change in it.

Each registered model is configured by one administrator role (``configured_by`` on its
ModelAdmin, or ``site.configure(model, role)`` for a package's own admin): the administrator
sees and changes only those models, whatever else their account is; a model nobody configures
is seen by nobody. Business records (cases, people, members, bookings) are not registered at
all: business roles read them through their pages. Every add, change, delete and action done
here writes an audit entry, like every other write, in the admin's own transaction.

The site knows roles only as the names the admins declare (``user.has_role``): ``core`` does not
import ``accounts``.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

from jiceng.core.audit import audit


def _holds(user: Any, role: str) -> bool:
    return bool(role) and user.is_active and hasattr(user, "has_role") and user.has_role(role)


def _plain(message: Any) -> Any:
    """The admin's change message, made storable as JSON (labels may be lazy strings)."""
    if not message:
        return ""
    return json.loads(json.dumps(message, default=str))


class RoleGatedAdmin:
    """Mixed in front of every ModelAdmin the site registers: the role gate, then the audit."""

    #: The administrator role that configures this model in the admin.
    configured_by: str = ""

    def role_allows(self, request) -> bool:
        return _holds(request.user, self.configured_by)

    # --- who may see and change ----------------------------------------------------------
    def has_module_permission(self, request):
        return self.role_allows(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.role_allows(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self.role_allows(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self.role_allows(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.role_allows(request) and super().has_delete_permission(request, obj)

    # --- every change is audited ----------------------------------------------------------
    def _audit(self, request, action: str, obj, **detail: Any) -> None:
        audit(
            actor=request.user,
            action=action,
            obj=obj,
            request=request,
            detail={"model": self.model._meta.label_lower, **detail},
        )

    def log_addition(self, request, obj, message):
        self._audit(request, "admin.add", obj, changes=_plain(message))
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, "admin.change", obj, changes=_plain(message))
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, "admin.delete", obj)
        return super().log_deletions(request, queryset)

    def get_actions(self, request):
        actions = super().get_actions(request)
        return {
            name: (self._audited_action(func, name), name, description)
            for name, (func, name, description) in actions.items()
        }

    def _audited_action(self, func, name: str):
        if func is delete_selected:
            return func  # audited per object by log_deletions, once confirmed

        @functools.wraps(func)
        def run(modeladmin, request, queryset):
            ids = [str(pk) for pk in queryset.values_list("pk", flat=True)[:1000]]
            audit(
                actor=request.user,
                action="admin.action",
                request=request,
                detail={"model": self.model._meta.label_lower, "action": name, "ids": ids},
            )
            return func(modeladmin, request, queryset)

        return run


class JicengAdminSite(OTPAdminSite):
    """Second factor required (OTPAdminSite); each administrator sees their own models only."""

    site_header = _("基层治理平台 · 管理后台")
    site_title = _("管理后台")
    index_title = _("管理后台")

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, RoleGatedAdmin):
            admin_class = type(
                admin_class.__name__,
                (RoleGatedAdmin, admin_class),
                {
                    "__module__": admin_class.__module__,
                    # the gate comes first in the MRO: keep the admin's own declaration
                    "configured_by": getattr(admin_class, "configured_by", ""),
                },
            )
        super().register(model_or_iterable, admin_class, **options)

    def configure(self, model, role: str) -> None:
        """Name the administrator role that configures a model registered by another package."""
        self._registry[model].configured_by = role

    def roles_for(self, model) -> set[str]:
        """The roles that configure ``model`` here, itself or as an inline of another model."""
        roles = set()
        for registered, model_admin in self._registry.items():
            if registered is model or any(i.model is model for i in model_admin.inlines):
                roles.add(model_admin.configured_by)
        return roles - {""}

    def has_permission(self, request):
        user = request.user
        if not (user.is_active and user.is_authenticated and user.is_verified()):
            return False
        return any(_holds(user, m.configured_by) for m in self._registry.values())

    def login(self, request, extra_context=None):
        # One login for everyone: the platform's, with its lockout and second factor.
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


class AdminRoleBackend:
    """Django's model permissions for the admin, derived from the administrator roles.

    Authenticates nobody; answers ``has_perm("app.change_model")`` with "does the user hold the
    role that configures this model in the admin", so that the admin's own checks and the
    ModelAdmins' overrides (read-only, no delete) work on top of the role.
    """

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        if not user_obj.is_active or "." not in perm:
            return False
        app_label, codename = perm.split(".", 1)
        action, _, model_name = codename.partition("_")
        if action not in {"view", "add", "change", "delete"}:
            return False
        from django.apps import apps

        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            return False
        return any(_holds(user_obj, role) for role in admin.site.roles_for(model))

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        if not user_obj.is_active:
            return False
        return any(
            _holds(user_obj, m.configured_by)
            for model, m in admin.site._registry.items()
            if model._meta.app_label == app_label
        )
