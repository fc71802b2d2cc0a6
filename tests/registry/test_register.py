"""The register on the ground: people in dwellings, their history, search, protected data."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from jiceng.core.errors import Forbidden, UserError
from jiceng.core.models import AuditEntry
from jiceng.registry import selectors, services
from jiceng.registry.models import CareTag, Person, PersonEvent, Residence
from tests.registry.conftest import make_dwelling, make_person, valid_id

pytestmark = pytest.mark.django_db


def _data(**kw):
    kw.setdefault("name", "李四")
    kw.setdefault("id_number", valid_id("19500305"))
    kw.setdefault("phone", "13912345678")
    return services.PersonData(**kw)


def test_a_grid_worker_registers_a_person_who_is_found_by_id_phone_and_name(cast, home):
    number = valid_id("19500305")
    person = services.person_create(
        data=_data(id_number=number), dwelling=home["d1"], by=cast["grid_worker"]
    )
    assert person.birth_date == date(1950, 3, 5) and person.scope_code == home["d1"].scope_code
    assert person.residences.get().moved_out is None
    assert person.household.dwelling == home["d1"]
    for q in (number, "139 1234 5678", "李"):
        found = selectors.people(user=cast["colleague"], filters=selectors.PeopleFilters(query=q))
        assert list(found) == [person], q
    assert selectors.search_kind(number) == "id_number"
    assert AuditEntry.objects.filter(action="registry.person_create").count() == 1


def test_an_id_number_already_registered_is_refused_and_nothing_changes(cast, home):
    number = valid_id()
    services.person_create(
        data=_data(id_number=number), dwelling=home["d1"], by=cast["grid_worker"]
    )
    before = (Person.objects.count(), Residence.objects.count(), PersonEvent.objects.count())
    with pytest.raises(UserError, match="已登记在册"):
        services.person_create(
            data=_data(name="王五", id_number=number), dwelling=home["d2"], by=cast["grid_worker"]
        )
    assert (
        Person.objects.count(),
        Residence.objects.count(),
        PersonEvent.objects.count(),
    ) == before


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("id_number", "110105194912310021", "校验位"),
        ("id_number", "110105194902300028", "不存在"),
        ("phone", "12345", "11 位"),
        ("name", "  ", "姓名不能为空"),
    ],
)
def test_bad_input_is_refused_with_the_reason_and_nothing_is_written(
    cast, home, field, value, says
):
    audits = AuditEntry.objects.count()
    with pytest.raises(UserError, match=says):
        services.person_create(
            data=_data(**{field: value}), dwelling=home["d1"], by=cast["grid_worker"]
        )
    assert not Person.objects.exists() and AuditEntry.objects.count() == audits


def test_moving_out_and_back_and_death_keep_the_whole_history(cast, home):
    person = make_person(cast["places"]["grid1"], dwelling=home["d1"])
    services.person_move(person=person, to=home["d2"], by=cast["grid_worker"], on=date(2024, 1, 1))
    services.person_move_out(person=person, by=cast["grid_worker"], on=date(2025, 1, 1))
    person.refresh_from_db()
    assert person.status == "moved_out" and person.dwelling is None
    services.person_move(person=person, to=home["d1"], by=cast["grid_worker"], on=date(2025, 6, 1))
    services.person_mark_deceased(person=person, by=cast["colleague"], on=date(2026, 1, 2))
    person.refresh_from_db()
    assert person.status == "deceased" and person.died_on == date(2026, 1, 2)
    stays = list(person.residences.order_by("moved_in").values_list("dwelling_id", "moved_out"))
    assert stays == [
        (home["d1"].pk, date(2024, 1, 1)),
        (home["d2"].pk, date(2025, 1, 1)),
        (home["d1"].pk, date(2026, 1, 2)),
    ]
    actions = list(person.events.order_by("id").values_list("action", flat=True))
    assert actions == ["moved", "moved_out", "moved_in", "deceased"]
    assert Person.objects.filter(pk=person.pk).exists()  # never deleted
    with pytest.raises(UserError, match="已故人员不能迁入"):
        services.person_move(person=person, to=home["d2"], by=cast["grid_worker"])


def test_an_outsider_cannot_move_someone_out_of_our_dwelling(cast, home, places):
    person = make_person(places["grid1"], dwelling=home["d1"])
    theirs = make_dwelling(places["grid_n"])
    with pytest.raises(Forbidden):
        services.person_move(person=person, to=theirs, by=cast["outsider"])
    person.refresh_from_db()
    assert person.dwelling == home["d1"]


def test_edit_records_which_fields_changed_and_keeps_id_when_left_blank(cast, home):
    number = valid_id("19800101")
    person = make_person(cast["places"]["grid1"], dwelling=home["d1"], id_number=number)
    services.person_update(
        person=person,
        data=services.PersonData(name="张三丰", id_number="", phone="13700000000"),
        by=cast["grid_worker"],
        expected_version=1,
    )
    person.refresh_from_db()
    assert (person.name, person.id_number, person.phone) == ("张三丰", number, "13700000000")
    assert person.events.get(action="edited").detail == {"fields": ["name", "phone"]}
    with pytest.raises(UserError, match="已被他人修改"):
        services.person_update(
            person=person,
            data=services.PersonData(name="X"),
            by=cast["grid_worker"],
            expected_version=1,
        )


def test_a_persons_status_reads_in_english(client, cast, home):
    person = make_person(cast["places"]["grid1"], dwelling=home["d1"])
    services.person_move_out(person=person, by=cast["grid_worker"], on=date(2025, 1, 1))
    client.force_login(cast["grid_worker"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("registry:person", args=[person.pk])).content.decode()
    assert "Moved out" in page and "已迁出" not in page


def _login(client, user):
    client.force_login(user)


def test_the_person_page_for_the_cast(client, cast, home):
    person = make_person(cast["places"]["grid1"], dwelling=home["d1"], phone="13800001111")
    url = reverse("registry:person", args=[person.pk])
    assert client.get(url).status_code == 302  # anonymous -> login
    for who, status in [
        ("grid_worker", 200),
        ("colleague", 200),
        ("street", 200),
        ("outsider", 404),
    ]:
        _login(client, cast[who])
        response = client.get(url)
        assert response.status_code == status, who
        if status == 200:
            body = response.content.decode()
            assert "13800001111" not in body and person.id_number not in body
            assert ("138****1111" in body) == (who != "street"), who
            assert "湖滨路12号" in body  # the address, up to the grid
    _login(client, cast["resident"])
    assert client.get(url).status_code == 403


def test_revealing_one_field_needs_a_reason_and_is_audited(client, cast, home):
    person = make_person(cast["places"]["grid1"], dwelling=home["d1"], phone="13800001111")
    url = reverse("registry:person_reveal", args=[person.pk])
    _login(client, cast["grid_worker"])
    response = client.post(url, {"field": "phone", "reason": ""})
    assert response.status_code == 400 and "请填写查看原因" in response.content.decode()
    assert not AuditEntry.objects.filter(action="registry.reveal").exists()
    response = client.post(url, {"field": "phone", "reason": "上门走访联系"})
    body = response.content.decode()
    assert "13800001111" in body and person.id_number not in body  # one field only
    entry = AuditEntry.objects.get(action="registry.reveal")
    assert entry.detail == {"field": "phone", "reason": "上门走访联系"}
    assert entry.actor == cast["grid_worker"]
    _login(client, cast["street"])
    assert client.post(url, {"field": "phone", "reason": "检查"}).status_code == 403
    _login(client, cast["outsider"])
    assert client.post(url, {"field": "phone", "reason": "检查"}).status_code == 404
    assert AuditEntry.objects.filter(action="registry.reveal").count() == 1


def test_care_tags_are_shown_only_to_roles_that_serve(client, cast, home):
    person = make_person(cast["places"]["grid1"], dwelling=home["d1"])
    services.care_tag_set(person=person, tag="elderly_alone", on=True, by=cast["grid_worker"])
    url = reverse("registry:person", args=[person.pk])
    _login(client, cast["colleague"])
    assert "独居老人" in client.get(url).content.decode()
    _login(client, cast["street"])
    assert "独居老人" not in client.get(url).content.decode()
    assert client.get(reverse("registry:home"), {"tag": "elderly_alone"}).status_code == 403
    with pytest.raises(Forbidden):
        services.care_tag_set(person=person, tag="disabled", on=True, by=cast["street"])
    services.care_tag_set(person=person, tag="elderly_alone", on=False, by=cast["grid_worker"])
    assert CareTag.objects.get().ended_at is not None  # ended, not deleted


def test_search_page_lists_people_with_few_queries(
    client, cast, home, django_assert_max_num_queries
):
    for i in range(30):
        p = make_person(cast["places"]["grid1"], name=f"张{i:02d}", dwelling=home["d1"])
        if i % 3 == 0:
            CareTag.objects.create(person=p, tag="disabled", scope_code=p.scope_code)
    _login(client, cast["colleague"])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("registry:home"), {"q": "张"})
    assert response.status_code == 200 and response.content.decode().count("残疾人") >= 10
    _login(client, cast["outsider"])
    assert "张00" not in client.get(reverse("registry:home"), {"q": "张"}).content.decode()


def test_browsing_from_compound_to_person(client, cast, home):
    person = make_person(cast["places"]["grid1"], name="赵六", dwelling=home["d1"])
    _login(client, cast["grid_worker"])
    assert "阳光小区" in client.get(reverse("registry:home")).content.decode()
    page = client.get(reverse("registry:compound", args=[home["building"].compound_id]))
    assert "3栋" in page.content.decode()
    page = client.get(reverse("registry:building", args=[home["building"].pk]))
    assert "赵六" in page.content.decode() and "1单元" in page.content.decode()
    page = client.get(reverse("registry:dwelling", args=[home["d1"].pk]))
    assert reverse("registry:person", args=[person.pk]) in page.content.decode()
    _login(client, cast["outsider"])
    assert client.get(reverse("registry:building", args=[home["building"].pk])).status_code == 404


def test_registering_on_the_dwelling_page_keeps_what_was_typed_on_error(client, cast, home):
    _login(client, cast["grid_worker"])
    url = reverse("registry:dwelling", args=[home["d1"].pk])
    response = client.post(url, {"name": "钱七", "id_number": "110105194912310021", "phone": ""})
    body = response.content.decode()
    assert response.status_code == 400 and "校验位" in body and "钱七" in body
    assert not Person.objects.exists()
    response = client.post(url, {"name": "钱七", "id_number": "11010519491231002X", "phone": ""})
    assert response.status_code == 302 and Person.objects.get().name == "钱七"


def test_address_lookup_finds_the_building_its_grid_and_point(home, places):
    from jiceng.registry.selectors import locate_address

    b = home["building"]
    b.lon, b.lat = 117.07, 28.24
    b.save()
    match = locate_address("湖滨路 １２号 1单元101")
    assert match.building == b and match.grid_code == places["grid1"].code
    assert (match.lon, match.lat) == (117.07, 28.24) and match.how == "address"
    match = locate_address("阳光小区3栋楼下")
    assert match.building == b and match.how == "compound"
    assert locate_address("不存在的路1号") is None
    assert locate_address("湖滨路12号", within=places["neighbour"].code) is None


def test_the_generated_register_is_consistent_and_readable(places):
    from jiceng.geo.services import build_synthetic_district
    from jiceng.registry.generate import generate_register
    from jiceng.registry.models import Building, Household
    from jiceng.registry.services import find_by_id_number

    build_synthetic_district(
        code="990199",
        name="测试区",
        streets=1,
        communities_per_street=2,
        grids_per_community=2,
        seed=3,
    )
    counts = generate_register(district="990199", residents=300, seed=5, log=lambda *_: None)
    assert counts["people"] == Person.objects.filter(scope_code__startswith="990199").count() == 300
    person = Person.objects.filter(status="living").first()
    assert find_by_id_number(person.id_number) == person  # decrypts, and the hash finds it
    assert person.phone is None or len(person.phone) == 11
    assert person.dwelling.scope_code == person.scope_code == person.dwelling.building.grid.code
    assert Residence.objects.filter(person__status="living", moved_out__isnull=True).count() == (
        Person.objects.filter(status="living").count()
    )
    from jiceng.geo.lookup import GridIndex
    from jiceng.geo.models import Division

    index = GridIndex.from_queryset(Division.objects.filter(level="grid"))
    for b in Building.objects.all()[:20]:
        assert index.locate(b.lon, b.lat) == b.scope_code  # each building's point is in its grid
    assert Household.objects.exclude(head=None).exists()
    assert (
        selectors.locate_address(Building.objects.first().address).building
        == Building.objects.first()
    )


def test_the_register_speaks_english_when_chosen(client, cast, home):
    from django.conf import settings

    client.force_login(cast["colleague"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("registry:home")).content.decode()
    assert "Export my area's register" in body
    response = client.post(
        reverse("registry:dwelling", args=[home["d1"].pk]),
        {"name": "钱七", "id_number": "110105194912310021"},
    )
    assert "Wrong check character in the ID number" in response.content.decode()


def test_in_english_a_care_tag_is_added_or_ended_not_cancelled(client, cast, home):
    """取消 is Cancel on other pages (a venue's bookings); on a person's care tags it ends the
    tag, which stays in the history with its end date."""
    person = make_person(cast["places"]["grid1"], dwelling=home["d1"])
    url = reverse("registry:person", args=[person.pk])
    client.force_login(cast["grid_worker"])
    assert '<option value="on">添加</option><option value="off">取消</option>' in (
        client.get(url).content.decode()
    )
    client.cookies["django_language"] = "en"
    body = client.get(url).content.decode()
    assert '<option value="on">Add</option><option value="off">End</option>' in body
    assert "People, dwellings, grids" in body


def test_community_staff_register_a_compound_and_a_building_in_a_grid(client, cast, places):
    from jiceng.registry.models import Building, Compound

    client.force_login(cast["colleague"])
    response = client.post(
        reverse("registry:compound_add"),
        {"community": places["community"].code, "name": "桂花苑", "address": "桂花路1号"},
    )
    compound = Compound.objects.get(name="桂花苑")
    assert response.url == reverse("registry:compound", args=[compound.pk])
    again = client.post(
        reverse("registry:compound_add"), {"community": places["community"].code, "name": "桂花苑"}
    )
    assert again.status_code == 302 and Compound.objects.count() == 1
    url = reverse("registry:compound", args=[compound.pk])
    client.post(url, {"name": "1栋", "grid": places["grid2"].code, "address": "桂花路1号1栋"})
    building = Building.objects.get()
    assert building.scope_code == places["grid2"].code and building.address_key == "桂花路1号1栋"
    client.force_login(cast["street"])  # reads, does not register
    assert client.post(url, {"name": "2栋", "grid": places["grid2"].code}).status_code == 302
    assert Building.objects.count() == 1
    client.force_login(cast["outsider"])
    assert client.post(url, {"name": "2栋", "grid": places["grid_n"].code}).status_code == 404
    assert Building.objects.count() == 1


def test_the_console_shows_the_registers_figures_to_its_roles(client, cast, home):
    from jiceng.core.registry import figures_for

    person = make_person(cast["places"]["grid1"], dwelling=home["d1"])
    CareTag.objects.create(person=person, tag="elderly_alone", scope_code=person.scope_code)
    keys = {f.key: f for f in figures_for({"grid_worker"})}
    assert keys["registry.residents"].compute([cast["places"]["community"].code]) == 1
    assert keys["registry.elderly_alone"].compute([cast["places"]["grid1"].code]) == 1
    assert "registry.elderly_alone" not in {f.key for f in figures_for({"street_staff"})}


def test_a_person_page_names_the_head_of_the_household(client, cast, home):
    head = services.person_create(
        data=_data(name="户主甲", id_number=valid_id("19600101"), relation="head"),
        dwelling=home["d1"],
        by=cast["grid_worker"],
    )
    child = services.person_create(
        data=_data(name="子女乙", id_number=valid_id("19900101"), relation="child"),
        dwelling=home["d1"],
        by=cast["grid_worker"],
    )
    assert child.household == head.household and head.household.head == head
    client.force_login(cast["grid_worker"])
    body = client.get(reverse("registry:person", args=[child.pk])).content.decode()
    assert "户主甲" in body and reverse("registry:person", args=[head.pk]) in body


def test_a_head_who_moves_out_is_no_longer_the_head(cast, home):
    head = services.person_create(
        data=_data(name="户主甲", id_number=valid_id("19600101"), relation="head"),
        dwelling=home["d1"],
        by=cast["grid_worker"],
    )
    household = head.household
    services.person_move_out(person=head, by=cast["grid_worker"])
    household.refresh_from_db()
    assert household.head is None


@pytest.mark.postgres
def test_a_large_generation_builds_the_indexes_again_after_the_load(places, monkeypatch):
    from django.db import connection

    from jiceng.geo.services import build_synthetic_district
    from jiceng.registry import generate

    def indexes():
        with connection.cursor() as c:
            c.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1",
                [list(generate.LOADED_TABLES)],
            )
            return [r[0] for r in c.fetchall()]

    before = indexes()
    build_synthetic_district(
        code="990198",
        name="测试区",
        streets=1,
        communities_per_street=1,
        grids_per_community=2,
        seed=3,
    )
    monkeypatch.setattr(generate, "INDEX_AFTER", 1)
    generate.generate_register(district="990198", residents=100, seed=5, log=lambda *_: None)
    assert indexes() == before
    assert Person.objects.filter(scope_code__startswith="990198").count() == 100


def test_a_person_recorded_by_a_bulk_load_opens_with_the_history_it_has(client, cast, home):
    """The generator and the import write events with no actor (3,000 of the demo's people):
    their page opens, naming who acted where someone did and nothing where nobody did."""
    person = make_person(cast["places"]["grid1"], name="批量甲", dwelling=home["d1"])
    PersonEvent.objects.create(
        person=person, action="created", note="批量登记", scope_code=person.scope_code
    )
    client.force_login(cast["grid_worker"])
    response = client.get(reverse("registry:person", args=[person.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "批量甲" in body and "批量登记" in body
