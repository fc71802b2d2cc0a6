"""Where the register helps a report: a typed address names a building, and so its grid and
point; and the follow-up number an (anonymous) reporter leaves, kept encrypted and shown whole
only to the community's staff who give a reason."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from jiceng.cases import services
from jiceng.cases.models import Case
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.models import AuditEntry
from tests.registry.conftest import make_building

pytestmark = pytest.mark.django_db


def test_a_typed_address_files_the_case_in_the_buildings_grid_at_its_point(cast, category):
    grid2 = cast["places"]["grid2"]
    building = make_building(grid2, name="3栋", address="湖滨路88号")
    building.lon, building.lat = 117.05, 28.24
    building.save()
    case = services.case_report(
        by=cast["resident"],  # registered in grid1
        category=category,
        description="楼道灯坏了",
        address="湖滨路88号2单元",
    )
    assert case.scope_code == grid2.code
    assert (case.lon, case.lat) == (117.05, 28.24)
    assert case.address == "湖滨路88号2单元"


def test_an_address_the_register_does_not_know_falls_back_to_the_reporters_grid(cast, category):
    case = services.case_report(
        by=cast["resident"], category=category, description="x", address="不存在的路1号"
    )
    assert case.scope_code == cast["places"]["grid1"].code and case.lon is None


def test_a_pin_wins_over_an_address(cast, category, monkeypatch):
    make_building(cast["places"]["grid2"], address="湖滨路88号")
    monkeypatch.setattr(services, "locate_or_error", lambda x, y: cast["places"]["grid1"].code)
    case = services.case_report(
        by=cast["resident"],
        category=category,
        description="x",
        lon="117.0",
        lat="28.2",
        address="湖滨路88号",
    )
    assert case.scope_code == cast["places"]["grid1"].code


def test_the_contact_number_is_stored_encrypted_and_shown_masked(cast, category):
    case = services.case_report(
        by=cast["resident"],
        category=category,
        description="x",
        is_anonymous=True,
        contact_phone="138 0013 8000",
    )
    case.refresh_from_db()
    assert case.contact_phone == "13800138000"
    assert case.contact_phone_masked == "138****8000"
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM cases_case WHERE id = %s", [case.pk])
        stored = cursor.fetchone()[0]
    assert "13800138000" not in stored and stored.startswith("gAAAAA")


def test_a_bad_contact_number_is_refused_and_nothing_is_written(cast, category):
    with pytest.raises(UserError) as refused:
        services.case_report(
            by=cast["resident"], category=category, description="x", contact_phone="12345"
        )
    assert "手机号应为 11 位数字" in refused.value.message
    assert not Case.objects.exists()


def test_community_staff_reveal_the_number_with_a_reason_and_it_is_audited(client, cast, category):
    case = services.case_report(
        by=cast["resident"],
        category=category,
        description="x",
        is_anonymous=True,
        contact_phone="13800138000",
    )
    url = reverse("cases:detail", args=[case.number])
    client.force_login(cast["secretary"])
    page = client.get(url).content.decode()
    assert "138****8000" in page and "13800138000" not in page
    no_reason = client.post(reverse("cases:reveal_contact", args=[case.number]), {"reason": ""})
    assert no_reason.status_code == 302
    assert not AuditEntry.objects.filter(action="case.reveal_contact").exists()
    shown = client.post(
        reverse("cases:reveal_contact", args=[case.number]), {"reason": "回访处理结果"}
    )
    assert 'data-testid="contact-whole">13800138000<' in shown.content.decode()
    entry = AuditEntry.objects.get(action="case.reveal_contact")
    assert entry.actor == cast["secretary"] and entry.detail["reason"] == "回访处理结果"


def test_only_the_community_and_grid_may_see_the_whole_number(client, cast, category):
    case = services.case_report(
        by=cast["resident"], category=category, description="x", contact_phone="13800138000"
    )
    for who in ("street", "handler"):
        with pytest.raises(Forbidden):
            services.reveal_contact(by=cast[who], case=case, reason="想看看")
    client.force_login(cast["outsider"])
    response = client.post(
        reverse("cases:reveal_contact", args=[case.number]), {"reason": "想看看"}
    )
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="case.reveal_contact").exists()


def test_the_report_form_takes_an_address_and_a_contact(client, cast, category):
    building = make_building(cast["places"]["grid2"], address="湖滨路99号")
    client.force_login(cast["resident"])
    form = client.get(reverse("cases:report"))
    token = form.context["form"].initial["token"]
    response = client.post(
        reverse("cases:report"),
        {
            "category": category.code,
            "description": "井盖缺失",
            "address": "湖滨路99号",
            "contact_phone": "13900139000",
            "is_anonymous": "on",
            "token": token,
            "confirm_new": "1",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.scope_code == building.grid.code and case.contact_phone == "13900139000"
