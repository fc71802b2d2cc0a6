"""A district going live: Yuehu's streets, communities and generated grids, its system
administrator, and a workbook builder."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_otp import DEVICE_ID_SESSION_KEY
from openpyxl import Workbook

from jiceng.geo.services import load_real_district
from jiceng.imports.sheets import BY_NAME
from tests.factories import totp_device, user_with_role


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def yuehu(db):
    return load_real_district(code="360602")


@pytest.fixture
def sysadmin(yuehu):
    return user_with_role("system_admin", division=yuehu)


@pytest.fixture
def secadmin(yuehu):
    """The security administrator: accounts and roles (the staff sheet) are theirs."""
    return user_with_role("security_admin", division=yuehu)


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """{sheet name: rows} -> an .xlsx with each sheet's template header first."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(BY_NAME[name].headers if name in BY_NAME else ["x"])
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(data: bytes, name: str = "golive.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def verified(client, user):
    """Logged in as an administrator who gave the second factor."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()
    return client
