"""Refused input on the register's compound and building pages is explained beside the form, in
the user's language, with what was typed kept, and nothing is written (CONVENTIONS.md "Form
input"). Before, a floor count past the column's range was a server error and a malformed
floor was silently dropped."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jiceng.core.models import AuditEntry
from jiceng.registry.models import Building, Dwelling, Person
from tests.registry.conftest import make_person, valid_id

pytestmark = pytest.mark.django_db


def snapshot():
    return Building.objects.count(), Dwelling.objects.count(), AuditEntry.objects.count()


def errors(page: str) -> str:
    found = re.findall(r'data-testid="form-errors">(.*?)</div>', page)
    assert found, "no errors shown beside the form"
    return " ".join(found)


@pytest.mark.parametrize(
    ("floors", "lon"),
    [("9" * 30, "116.4"), ("-3", "116.4"), ("12", "1e999"), ("12", "东经116")],
    ids=["huge-floors", "negative-floors", "infinite-lon", "words-for-lon"],
)
def test_a_building_with_a_bad_number_is_refused_and_kept(client, cast, home, floors, lon):
    client.force_login(cast["grid_worker"])
    url = reverse("registry:compound", args=[home["building"].compound_id])
    grid = cast["places"]["grid1"].code
    before = snapshot()
    page = client.post(
        url, {"name": "5栋", "grid": grid, "address": "湖滨路12号5栋", "floors": floors, "lon": lon}
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert "层数" in errors(body) or "经度" in errors(body)
    assert 'value="5栋"' in body and 'value="湖滨路12号5栋"' in body
    assert f'value="{floors}"' in body and f'value="{lon}"' in body
    assert f'value="{grid}" selected' in body
    assert snapshot() == before


def test_a_building_the_service_refuses_is_explained_in_english_and_kept(client, cast, home):
    client.force_login(cast["grid_worker"])
    client.cookies["django_language"] = "en"
    url = reverse("registry:compound", args=[home["building"].compound_id])
    before = snapshot()
    page = client.post(url, {"name": "", "grid": cast["places"]["grid1"].code, "floors": "6"})
    assert page.status_code == 400
    assert "Building" in errors(page.content.decode())
    assert 'value="6"' in page.content.decode()
    assert snapshot() == before


def test_a_dwelling_with_a_floor_in_words_is_refused_and_kept(client, cast, home):
    client.force_login(cast["grid_worker"])
    url = reverse("registry:building", args=[home["building"].pk])
    before = snapshot()
    page = client.post(url, {"entrance": "2单元", "number": "301", "floor": "三楼"})
    assert page.status_code == 400
    body = page.content.decode()
    assert "楼层" in errors(body)
    assert 'value="2单元"' in body and 'value="301"' in body and 'value="三楼"' in body
    assert snapshot() == before


def test_a_good_dwelling_still_redirects(client, cast, home):
    client.force_login(cast["grid_worker"])
    url = reverse("registry:building", args=[home["building"].pk])
    done = client.post(url, {"entrance": "2单元", "number": "301", "floor": "3"})
    assert done.status_code == 302
    assert Dwelling.objects.get(number="301").floor == 3


def person_state():

    rows = Person.objects.order_by("pk").values_list("pk", "name", "note", "ethnicity", "version")
    return list(rows), AuditEntry.objects.count()


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"phone": "12345"}, "手机"),
        ({"residence_type": "alien"}, "未知的人口类型"),
        ({"name": "张" * 51}, "姓名"),
        ({"version": "v2"}, "版本"),
    ],
    ids=["bad-phone", "unknown-type", "long-name", "version-in-words"],
)
def test_a_refused_person_edit_is_explained_beside_the_form_and_kept(
    client, cast, places, changes, says
):

    person = make_person(places["grid1"], name="张三")
    client.force_login(cast["grid_worker"])
    url = reverse("registry:person_edit", args=[person.pk])
    before = person_state()
    post = {
        "name": "张三丰",
        "ethnicity": "汉族",
        "residence_type": "registered",
        "note": "独居，常去活动室",
        "version": str(person.version),
        **changes,
    }
    page = client.post(url, post)
    assert page.status_code == 400
    body = page.content.decode()
    assert says in errors(body)
    assert f'value="{post["name"]}"' in body and 'value="独居，常去活动室"' in body
    assert person_state() == before


def test_a_good_person_edit_is_saved(client, cast, places):

    person = make_person(places["grid1"], name="张三")
    client.force_login(cast["grid_worker"])
    url = reverse("registry:person_edit", args=[person.pk])
    done = client.post(
        url,
        {"name": "张三丰", "residence_type": "registered", "version": str(person.version)},
    )
    assert done.status_code == 302
    assert Person.objects.get(pk=person.pk).name == "张三丰"


def test_a_person_refused_on_the_dwelling_page_is_explained_beside_the_form_and_kept(
    client, cast, home
):

    client.force_login(cast["grid_worker"])
    url = f"/console/registry/dwellings/{home['d1'].pk}/"
    before = (Person.objects.count(), AuditEntry.objects.count())
    page = client.post(
        url,
        {
            "name": "王五",
            "phone": "13800138000",
            "residence_type": "registered",
            "note": "新搬来",
            "moved_in": "上个月",
        },
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert "日期格式应为 YYYY-MM-DD。" in errors(body)
    assert 'value="王五"' in body and 'value="新搬来"' in body and 'value="上个月"' in body
    assert (Person.objects.count(), AuditEntry.objects.count()) == before


def test_moving_in_an_unknown_id_number_is_explained_beside_its_form(client, cast, home):

    client.force_login(cast["grid_worker"])
    url = f"/console/registry/dwellings/{home['d1'].pk}/"
    before = (Person.objects.count(), AuditEntry.objects.count())
    number = valid_id()
    page = client.post(url, {"existing_id": number, "moved_in": "2024-05-01"})
    assert page.status_code == 400
    body = page.content.decode()
    move_in = re.search(r'data-testid="person-move-in">(.*?)</form>', body, re.S).group(1)
    assert "没有找到该身份证号的居民" in errors(move_in)
    assert 'value="2024-05-01"' in move_in
    assert (Person.objects.count(), AuditEntry.objects.count()) == before


def test_a_good_person_is_registered_on_the_dwelling_page(client, cast, home):

    client.force_login(cast["grid_worker"])
    url = f"/console/registry/dwellings/{home['d1'].pk}/"
    done = client.post(
        url, {"name": "王五", "residence_type": "registered", "moved_in": "2024-05-01"}
    )
    person = Person.objects.get(name="王五")
    assert done.status_code == 302 and person.dwelling_id == home["d1"].pk


def status_form(page: str, action: str) -> str:
    return re.search(rf'data-testid="status-{action}">(.*?)</form>', page, re.S).group(1)


def person_history():
    return list(
        Person.objects.values_list("pk", "status", "dwelling_id")
    ), AuditEntry.objects.count()


@pytest.mark.parametrize(
    ("action", "post", "says"),
    [
        ("deceased", {"on": "", "note": "家属告知"}, "请填写死亡日期。"),
        ("deceased", {"on": "去年冬天", "note": "家属告知"}, "日期格式应为 YYYY-MM-DD。"),
        ("move_out", {"on": "2999-01-01", "note": "搬去女儿家"}, ""),
    ],
    ids=["death-without-a-day", "death-on-a-day-in-words", "move-out-out-of-range"],
)
def test_a_refused_status_change_is_explained_beside_its_form_and_kept(
    client, cast, places, action, post, says
):
    person = make_person(places["grid1"], name="赵六")
    client.force_login(cast["grid_worker"])
    before = person_history()
    page = client.post(reverse("registry:person_status", args=[person.pk, action]), post)
    assert page.status_code == 400
    form = status_form(page.content.decode(), action)
    assert says in errors(form)
    assert f'value="{post["note"]}"' in form and (not post["on"] or f'value="{post["on"]}"' in form)
    assert person_history() == before


def test_a_good_move_out_is_recorded(client, cast, places):
    person = make_person(places["grid1"], name="赵六")
    client.force_login(cast["grid_worker"])
    done = client.post(
        reverse("registry:person_status", args=[person.pk, "move_out"]), {"note": "搬走"}
    )
    person.refresh_from_db()
    assert done.status_code == 302 and person.status == "moved_out"


def test_an_unknown_care_tag_is_explained_beside_the_tag_form(client, cast, places):
    person = make_person(places["grid1"], name="赵六")
    client.force_login(cast["grid_worker"])
    before = person_history(), person.care_tags.count()
    page = client.post(
        reverse("registry:person_status", args=[person.pk, "tag"]),
        {"tag": "rich", "on_off": "off"},
    )
    assert page.status_code == 400
    form = status_form(page.content.decode(), "tag")
    assert "未知的关爱标签。" in errors(form) and '<option value="off" selected>' in form
    assert (person_history(), person.care_tags.count()) == before
