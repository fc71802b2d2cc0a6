"""Factories and small builders for tests: each test builds only what it needs."""

from __future__ import annotations

import factory
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiceng.accounts.models import User
from jiceng.accounts.services import role_assign
from jiceng.geo.models import Division
from jiceng.partners.models import Partner

PASSWORD = "Jiceng@2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="zh_CN")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


def division(code: str, name: str | None = None, parent: Division | None = None) -> Division:
    """A division with the level its code length says."""
    level = {6: "district", 9: "street", 12: "community", 15: "grid"}[len(code)]
    kind = {"district": "district", "street": "street", "community": "community", "grid": "grid"}[
        level
    ]
    if parent is None and len(code) > 6:
        parent = Division.objects.filter(code=code[: {9: 6, 12: 9, 15: 12}[len(code)]]).first()
    return Division.objects.create(
        code=code, name=name or f"区划{code}", level=level, kind=kind, parent=parent
    )


def user_with_role(
    role: str, *, division: Division | None = None, unit: Partner | None = None, **kwargs
) -> User:
    user = UserFactory(**kwargs)
    role_assign(user=user, role=role, division=division, unit=unit, by=None)
    return User.objects.get(pk=user.pk)


def partner(name: str, kind: str, where: Division) -> Partner:
    return Partner.objects.create(name=name, kind=kind, division=where)


def totp_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def current_token(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
