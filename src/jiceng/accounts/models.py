"""Users and their role assignments, each scoped to a division or to a unit."""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import ADMIN_ROLES, HOME_ORDER, ROLES, Role
from jiceng.core.models import ScopedModel, ScopedQuerySet, TimeStampedModel


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=64, blank=True)
    # A one-time password (the first administrators of `jiceng setup`): every page leads to the
    # password form until the owner has chosen their own (accounts.middleware).
    must_change_password = models.BooleanField(_("须修改密码"), default=False, db_default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return f"{self.full_name}（{self.username}）" if self.full_name else self.username

    @cached_property
    def active_assignments(self) -> list[RoleAssignment]:
        if not self.pk:
            return []
        return list(
            self.role_assignments.filter(ended_at__isnull=True).select_related("division", "unit")
        )

    @property
    def roles(self) -> set[str]:
        return {a.role for a in self.active_assignments}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    def scopes_for(self, *roles: str) -> list[str]:
        """Division codes of the user's active assignments of these roles."""
        return [a.scope_code for a in self.active_assignments if a.role in roles and a.division_id]

    @property
    def scope_codes(self) -> list[str]:
        """What the shared scoping queryset filters by: the scopes of the staff roles that see."""
        return self.scopes_for(*[r for r, info in ROLES.items() if info.sees_scope])

    @property
    def unit_ids(self) -> list[int]:
        return [a.unit_id for a in self.active_assignments if a.unit_id]

    @property
    def is_staff_role(self) -> bool:
        return any(ROLES[r].staff for r in self.roles)

    @property
    def needs_otp(self) -> bool:
        return bool(self.roles & ADMIN_ROLES)

    @property
    def home_role(self) -> str | None:
        roles = self.roles
        return next((r for r in HOME_ORDER if r in roles), None)


class RoleAssignmentQuerySet(ScopedQuerySet):
    def active(self) -> RoleAssignmentQuerySet:
        return self.filter(ended_at__isnull=True)


class RoleAssignment(TimeStampedModel, ScopedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, db_index=True)
    division = models.ForeignKey(
        "geo.Division",
        verbose_name=_("区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("授予人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("终止人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        ordering = ["user_id", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(division__isnull=False, unit__isnull=True)
                | Q(division__isnull=True, unit__isnull=False),
                name="assignment_division_xor_unit",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "scope_code"],
                condition=Q(ended_at__isnull=True, unit__isnull=True),
                name="assignment_unique_active_division",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=Q(ended_at__isnull=True, unit__isnull=False),
                name="assignment_unique_active_unit",
            ),
        ]
        indexes = [models.Index(fields=["role", "scope_code"], name="assignment_role_scope")]

    def __str__(self) -> str:
        where = self.unit.name if self.unit_id else (self.division.name if self.division_id else "")
        return f"{self.user} · {self.get_role_display()} · {where}"
