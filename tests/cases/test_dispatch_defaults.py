"""Each street names the unit a category's cases go to (issue 19): the dispatch form preselects it
instead of the first unit of the list (a middle school for a pothole)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jiceng.cases.models import CaseCategory, StreetDefaultUnit
from jiceng.core.models import AuditEntry
from tests.cases.conftest import make_case
from tests.factories import division, partner, user_with_role

pytestmark = pytest.mark.django_db

URL = reverse("cases:dispatch_defaults")


@pytest.fixture
def units(cast):
    places = cast["places"]
    other_street = division("360602002", "湖东街道", places["district"])
    return {
        # First in the list by kind and name, as the middle school was.
        "school": partner("白露中学", "agency", places["street"]),
        "roads": cast["department"],  # 城市管理局, the district's
        "elsewhere": partner("湖东物业", "property_company", other_street),
        "other_street": other_street,
    }


def selected_unit(html: str) -> str | None:
    select = re.search(r'<select name="to_unit".*?</select>', html, re.S).group(0)
    chosen = re.search(r'<option value="(\d*)" selected>', select)
    return chosen.group(1) if chosen else None


def test_a_street_sets_a_default_unit_and_the_dispatch_form_preselects_it(
    client, cast, category, units
):
    case = make_case(cast, category, status="filed")
    client.force_login(cast["street"])
    # Nobody has set one yet: the form asks to choose, it does not pick the first unit.
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert selected_unit(page) is None
    assert "请选择处置单位" in page

    response = client.post(URL, {f"unit_{category.pk}": units["roads"].pk})
    assert response.status_code == 302
    row = StreetDefaultUnit.objects.get(category=category, street=cast["places"]["street"])
    assert row.unit == units["roads"]
    entry = AuditEntry.objects.get(action="case.default_unit")
    assert entry.detail == {"category": "0101", "from": None, "to": units["roads"].pk}

    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert selected_unit(page) == str(units["roads"].pk)


def test_a_subcategory_takes_its_parent_categorys_default(client, cast, category, units):
    parent = CaseCategory.objects.get(code="01")
    StreetDefaultUnit.objects.create(
        category=parent, street=cast["places"]["street"], unit=units["roads"]
    )
    case = make_case(cast, category, status="filed")
    client.force_login(cast["street"])
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert selected_unit(page) == str(units["roads"].pk)


def test_another_streets_default_does_not_apply(client, cast, category, units):
    StreetDefaultUnit.objects.create(
        category=category, street=units["other_street"], unit=units["elsewhere"]
    )
    case = make_case(cast, category, status="filed")
    client.force_login(cast["street"])
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert selected_unit(page) is None


def test_the_page_offers_the_district_departments_and_the_streets_own_units_only(
    client, cast, category, units
):
    client.force_login(cast["street"])
    page = client.get(URL).content.decode()
    assert "城市管理局" in page and "白露中学" in page
    assert "湖东物业" not in page  # another street's
    # Sending another street's unit anyway is refused and nothing is written.
    response = client.post(URL, {f"unit_{category.pk}": units["elsewhere"].pk})
    assert response.status_code == 400
    assert "所选单位不存在或不可选" in response.content.decode()
    assert not StreetDefaultUnit.objects.exists()


def test_the_district_picks_the_street_and_a_street_cannot_reach_another(
    client, cast, category, units
):
    district = user_with_role("district_staff", division=cast["places"]["district"])
    client.force_login(district)
    page = client.get(URL).content.decode()
    assert 'data-testid="street-picker"' in page and "湖东街道" in page
    response = client.post(
        f"{URL}?street={units['other_street'].code}", {f"unit_{category.pk}": units["roads"].pk}
    )
    assert response.status_code == 302
    assert StreetDefaultUnit.objects.get(street=units["other_street"]).unit == units["roads"]

    client.force_login(cast["street"])
    assert client.get(f"{URL}?street={units['other_street'].code}").status_code == 404
    for role in ("secretary", "handler", "resident"):
        client.force_login(cast[role])
        assert client.get(URL).status_code == 403


def test_clearing_a_default_goes_back_to_choosing(client, cast, category, units):
    StreetDefaultUnit.objects.create(
        category=category, street=cast["places"]["street"], unit=units["roads"]
    )
    client.force_login(cast["street"])
    assert client.post(URL, {f"unit_{category.pk}": ""}).status_code == 302
    assert not StreetDefaultUnit.objects.exists()
    assert AuditEntry.objects.get(action="case.default_unit").detail["to"] is None


def test_the_page_reads_in_english(client, cast, units):
    client.force_login(cast["street"])
    client.cookies["django_language"] = "en"
    page = client.get(URL).content.decode()
    assert "Default handling units" in page and "类别默认处置单位" not in page


def test_the_page_answers_in_a_bounded_number_of_queries(
    client, cast, units, django_assert_max_num_queries
):
    client.force_login(cast["street"])
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200


def test_the_report_forms_category_prompt_reads_in_english(client, cast):
    """The category's empty choice said 请选择 on the English page."""
    client.force_login(cast["resident"])
    client.cookies["django_language"] = "en"
    body = client.get(reverse("cases:report")).content.decode()
    assert '<option value="" selected>Please choose</option>' in body or (
        '<option value="">Please choose</option>' in body
    )
    assert "请选择" not in body
