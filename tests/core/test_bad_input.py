"""Bad input answers 4xx with a clear message in the user's language, and changes nothing: numbers
past what the database holds, dates at year 9999 or 0001, NUL bytes and lone surrogates. Each of
these answered 500 before (issue 18, hole 6)."""

from __future__ import annotations

import html
import json

import pytest

from jiceng.cases.models import Case
from jiceng.community.models import Need
from jiceng.core.inputs import INT_MAX, MAX_LIMIT
from jiceng.core.models import AuditEntry
from jiceng.venues import services as venue_services
from tests.conftest import restore_starter_categories
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

HUGE = 2**63  # one past the largest BIGINT
UNSTORABLE = "输入中含有无法保存的字符（空字符或不成对的代理字符），请删除后重试。"
DAY_RANGE = "日期须在 1900-01-01 至 2100-12-31 之间。"


@pytest.fixture
def cast(places):
    restore_starter_categories()
    secretary = user_with_role("community_secretary", division=places["community"])
    venue = venue_services.venue_create(
        by=secretary,
        division=places["community"],
        name="公园社区党群服务中心",
        address="公园路 1 号",
        capacity=40,
        windows={d: "09:00-21:00" for d in range(7)},
        approval_required=False,
    )
    return {
        "places": places,
        "secretary": secretary,
        "resident": user_with_role("resident", division=places["grid1"]),
        "district": user_with_role("district_staff", division=places["district"]),
        "venue": venue,
    }


def _counts():
    return (Case.objects.count(), Need.objects.count(), AuditEntry.objects.count())


def _paginated_lists(client) -> list[str]:
    schema = client.get("/api/openapi.json").json()
    return [
        path
        for path, operations in schema["paths"].items()
        if {"limit", "offset"}
        <= {p["name"] for p in operations.get("get", {}).get("parameters", [])}
    ]


@pytest.mark.parametrize("parameter", ["limit", "offset"])
def test_every_paginated_list_refuses_a_page_past_what_the_database_holds(client, cast, parameter):
    client.force_login(cast["district"])
    lists = _paginated_lists(client)
    assert len(lists) >= 10  # cases, people, compounds, members, meetings, wishes, orders, ...
    for path in lists:
        response = client.get(path, {parameter: HUGE})
        assert response.status_code == 422, (path, response.content)
        body = response.json()
        assert body["field"] == parameter
        assert body["detail"] == (
            f"limit 不能大于 {MAX_LIMIT}。"
            if parameter == "limit"
            else "offset 不能大于 10000000。"
        )
    assert client.get("/api/cases/", {"limit": MAX_LIMIT, "offset": 10}).status_code == 200


def test_an_integer_filter_past_the_database_is_refused_with_the_bound(client, cast):
    client.force_login(cast["district"])
    for path in ("/api/party/members", "/api/party/meetings", "/api/points/ranking"):
        low = client.get(path, {"org": -(2**63) - 1})
        assert low.status_code == 422, (path, low.content)
        assert low.json()["detail"] == "org 不能小于 1。"
        high = client.get(path, {"org": HUGE})
        assert high.status_code == 422 and high.json()["detail"] == f"org 不能大于 {INT_MAX}。"
    path_id = client.get(f"/api/registry/people/{HUGE}")
    assert path_id.status_code == 422 and path_id.json()["field"] == "pk"


def test_a_number_in_a_json_body_past_the_database_is_refused_and_changes_nothing(client, cast):
    client.force_login(cast["resident"])
    before = _counts()
    response = client.post(
        f"/api/venues/venues/{cast['venue'].pk}/bookings",
        {
            "starts_at": "2026-06-01T10:00:00+08:00",
            "ends_at": "2026-06-01T11:00:00+08:00",
            "title": "合唱",
            "attendees": 10,
            "organization_id": HUGE,
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["field"] == "organization_id"
    assert _counts() == before


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_week_or_month_at_year_9999_or_0001_is_refused_on_every_calendar(client, cast, day):
    client.force_login(cast["secretary"])
    venue = cast["venue"].pk
    api_week = client.get(f"/api/venues/venues/{venue}/week", {"start": day})
    assert api_week.status_code == 422 and api_week.json()["detail"] == DAY_RANGE
    console_week = client.get(f"/console/venues/{venue}/", {"week": day})
    assert console_week.status_code == 400 and DAY_RANGE in console_week.content.decode()
    metrics = client.get("/cases/metrics/", {"start": day, "end": day})
    assert metrics.status_code in (200, 400) and DAY_RANGE in metrics.content.decode()
    month = day[:7]
    community = cast["places"]["community"].code
    api_month = client.get("/api/services/activities", {"community": community, "month": month})
    assert api_month.status_code == 400 and api_month.json()["detail"] == DAY_RANGE
    client.force_login(cast["resident"])
    phone_week = client.get(f"/m/venues/{venue}/", {"week": day})
    assert phone_week.status_code == 400 and DAY_RANGE in phone_week.content.decode()
    calendar = client.get("/m/services/calendar/", {"month": month})
    assert calendar.status_code == 400 and DAY_RANGE in calendar.content.decode()
    open311 = client.get(
        "/open311/v2/requests.json", {"start_date": f"{day}T00:00:00+08:00", "end_date": ""}
    )
    assert open311.status_code == 400


@pytest.mark.parametrize("bad", ["\ud800", "\udfff", "\x00"], ids=["surrogate", "low", "nul"])
def test_a_lone_surrogate_or_nul_in_a_json_description_is_refused_and_changes_nothing(
    client, cast, bad
):
    client.force_login(cast["resident"])
    before = _counts()
    for path, body in [
        ("/api/cases/", {"category": "0101", "description": f"井盖缺失{bad}"}),
        ("/api/services/needs", {"title": "助餐", "description": f"每天午饭{bad}"}),
    ]:
        # json.dumps writes the surrogate as the escape \ud800, as a client would send it
        response = client.post(path, json.dumps(body), content_type="application/json")
        assert response.status_code == 400, (path, response.content)
        assert response.json()["detail"] == UNSTORABLE
        # the API reads a body as JSON whatever type it declares
        undeclared = client.post(path, json.dumps(body), content_type="text/plain")
        assert undeclared.status_code == 400, (path, undeclared.content)
    assert _counts() == before


def test_a_nul_in_a_form_or_a_query_string_is_refused_on_pages_too(client, cast):
    client.force_login(cast["resident"])
    before = _counts()
    form = client.post("/cases/report/", {"category": "0101", "description": "井盖\x00缺失"})
    assert form.status_code == 400 and UNSTORABLE in html.unescape(form.content.decode())
    client.force_login(cast["secretary"])
    search = client.get("/cases/inbox/", {"q": "井盖\x00"})
    assert search.status_code == 400
    api_search = client.get("/api/cases/", {"q": "\x00"})
    assert api_search.status_code == 400 and api_search.json()["detail"] == UNSTORABLE
    assert _counts() == before


def test_refused_input_is_explained_in_english_to_who_chose_it(client, cast):
    client.force_login(cast["secretary"])
    client.cookies["django_language"] = "en"
    page = client.get("/api/cases/", {"limit": HUGE})
    assert page.json()["detail"] == f"limit cannot be greater than {MAX_LIMIT}."
    week = client.get(f"/api/venues/venues/{cast['venue'].pk}/week", {"start": "9999-01-01"})
    assert week.json()["detail"] == "Dates must lie between 1900-01-01 and 2100-12-31."
    kind = client.get("/api/cases/", {"limit": "many"})
    assert kind.json()["detail"] == "limit should be an integer."
    nul = client.get("/api/cases/", {"q": "\x00"})
    assert nul.json()["detail"] == (
        "The input contains characters that cannot be stored (a NUL or an unpaired surrogate); "
        "please remove them and try again."
    )


def _integers(schema: dict, components: dict, where: str):
    """Every integer in a (request) schema, with where it is."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        yield from _integers(components[name], components, f"{where}<{name}>")
        return
    if schema.get("type") == "integer":
        yield where, schema
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            yield from _integers(sub, components, where)
    for name, sub in schema.get("properties", {}).items():
        yield from _integers(sub, components, f"{where}.{name}")
    if "items" in schema:
        yield from _integers(schema["items"], components, f"{where}[]")


def test_every_integer_the_api_takes_is_bounded_by_its_schema(client):
    """A new endpoint that takes a bare ``int`` fails here: use ``core.inputs.Id``/``Count``/...
    so that the database never sees a number it cannot hold."""
    schema = client.get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    unbounded = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            label = f"{method.upper()} {path}"
            found = [
                (f"{label} {p['name']}", s)
                for p in operation.get("parameters", [])
                for _, s in _integers(p["schema"], components, "")
            ]
            for content in operation.get("requestBody", {}).get("content", {}).values():
                found += list(_integers(content["schema"], components, label))
            unbounded += [
                where
                for where, s in found
                if not (s.get("maximum", HUGE) <= INT_MAX and s.get("minimum", -HUGE - 1) >= -HUGE)
            ]
    assert not unbounded, unbounded


def _response_properties(schema: dict, path: str, method: str = "get") -> set[str]:
    responses = schema["paths"][path][method]["responses"]
    body = next(r for code, r in responses.items() if code.startswith("2"))
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    return set(schema["components"]["schemas"][ref]["properties"])


def test_each_operation_documents_the_answer_it_gives(client):
    """Two apps' schemas of the same name (MeOut, CheckinOut, EventOut) overwrote each other in
    the OpenAPI document, so that /api/accounts/me was documented as a points balance."""
    schema = client.get("/api/openapi.json").json()
    assert "username" in _response_properties(schema, "/api/accounts/me")
    assert "balance" in _response_properties(schema, "/api/points/me")
    assert "meeting_id" in _response_properties(schema, "/api/party/checkin", "post")
    assert "activity_id" in _response_properties(schema, "/api/services/checkin", "post")
    events = schema["components"]["schemas"]["EventOut"]["properties"]
    assert "from_status" in events  # a case's event; a person's event is PersonEventOut
