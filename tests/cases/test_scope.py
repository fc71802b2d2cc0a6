"""Whatever a request names (a case number to follow or merge into, a unit to dispatch or call,
a whistle response, a grid to report in) resolves through what the actor may see or use: the
outsider gets the same answer as for a missing one, and nothing changes."""

from __future__ import annotations

import re

import pytest

from jiceng.cases import escalation, services
from jiceng.cases.models import Case, CaseCategory, CaseEvent, CaseFollower, Whistle
from jiceng.cases.permissions import NO_MERGE_TARGET, NOT_FOLLOWABLE, UNIT_UNAVAILABLE
from jiceng.core.models import AuditEntry
from tests.cases.conftest import make_case
from tests.factories import division, partner, user_with_role

pytestmark = pytest.mark.django_db

MISSING = "2099123199999"


def _page(response) -> str:
    """The page without what differs between two requests (the CSRF token)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


# 1. Following a case


def test_only_a_case_the_user_may_see_can_be_followed(client, cast, category):
    case = make_case(cast, category, status="filed")
    neighbour_of_grid = user_with_role("resident", division=cast["places"]["grid1"])
    url = f"/cases/{case.number}/follow/"
    for who in (cast["resident"], neighbour_of_grid, cast["grid_worker"], cast["secretary"]):
        client.force_login(who)
        followed = client.post(url, follow=True)  # (read the page: its notice is shown)
        assert followed.redirect_chain == [(f"/cases/{case.number}/", 302)], who
        assert CaseFollower.objects.filter(case=case, user=who).exists()
    for who in (cast["neighbour_resident"], cast["outsider"], cast["other_handler"]):
        client.force_login(who)
        outside = client.post(url)
        missing = client.post(f"/cases/{MISSING}/follow/")
        assert outside.status_code == missing.status_code == 404, who
        assert str(NOT_FOLLOWABLE) in outside.content.decode()
        # the same page word for word (but for the address it was asked at)
        assert _page(outside).replace(case.number, MISSING) == _page(missing)
        assert not CaseFollower.objects.filter(user=who).exists()
        # and following did not open the case some other way
        assert client.get(f"/cases/{case.number}/").status_code == 404
        assert client.get(f"/api/cases/{case.number}").status_code == 404
    client.logout()
    anonymous, anonymous_missing = client.post(url), client.post(f"/cases/{MISSING}/follow/")
    assert anonymous.status_code == anonymous_missing.status_code == 302
    assert anonymous["Location"].replace(case.number, MISSING) == anonymous_missing["Location"]
    assert CaseFollower.objects.count() == 4
    assert AuditEntry.objects.filter(action="case.follow").count() == 4


def test_a_private_or_closed_case_of_ones_grid_cannot_be_followed(client, cast, category):
    family = CaseCategory.objects.get(code="2105")  # 家庭矛盾: private
    private = make_case(cast, family, status="filed", triage="private")
    closed = make_case(cast, category, status="closed")
    neighbour_of_grid = user_with_role("resident", division=cast["places"]["grid1"])
    client.force_login(neighbour_of_grid)
    for case in (private, closed):
        response = client.post(f"/cases/{case.number}/follow/")
        assert response.status_code == 404 and str(NOT_FOLLOWABLE) in response.content.decode()
    assert not CaseFollower.objects.exists()
    # The service refuses as the page does.
    with pytest.raises(Exception, match=str(NOT_FOLLOWABLE)):
        escalation.follow(case=private, by=neighbour_of_grid)


def test_a_duplicate_offered_where_the_resident_stands_can_be_followed(client, cast, category):
    """A resident of grid2 reporting in grid1 is offered grid1's open case and may follow it;
    the same resident could not follow it unoffered."""
    first = services.case_report(by=cast["resident"], category=category, description="井盖缺失")
    visitor = user_with_role("resident", division=cast["places"]["grid2"])
    client.force_login(visitor)
    assert client.post(f"/cases/{first.number}/follow/").status_code == 404
    grid1 = cast["places"]["grid1"].code
    body = client.post(
        "/cases/report/", {"category": "0101", "description": "井盖没了", "grid": grid1}
    ).content.decode()
    assert f'data-testid="follow-{first.number}"' in body
    assert client.post(f"/cases/{first.number}/follow/").status_code == 302
    assert CaseFollower.objects.filter(case=first, user=visitor).exists()
    assert client.get(f"/cases/{first.number}/").status_code == 200


def test_a_private_case_is_never_offered_as_a_duplicate(client, cast):
    family = CaseCategory.objects.get(code="2105")
    mine = services.case_report(by=cast["resident"], category=family, description="家里吵架")
    other = user_with_role("resident", division=cast["places"]["grid1"])
    client.force_login(other)
    body = client.post(
        "/cases/report/", {"category": "2105", "description": "家庭矛盾"}
    ).content.decode()
    assert mine.number not in body and "家里吵架" not in body
    assert Case.objects.count() == 2  # no offer, so the report was made
    assert client.post(f"/cases/{mine.number}/follow/").status_code == 404


# 2. Merge target, dispatch unit, whistle units and responses


def test_a_community_cannot_merge_into_a_case_outside_its_scope(client, cast, category):
    ours = make_case(cast, category, status="filed")
    theirs = make_case(
        cast, category, status="reported", triage="", scope_code=cast["places"]["grid_n"].code
    )
    client.force_login(cast["outsider"])
    answers = []
    for into in (ours.number, MISSING):
        response = client.post(
            f"/api/cases/{theirs.number}/actions/merge",
            {"version": 0, "note": "重复", "into": into},
            content_type="application/json",
        )
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1] == (400, {"detail": str(NO_MERGE_TARGET), "field": "into"})
    # the page answers alike
    page = client.post(
        f"/cases/{theirs.number}/act/merge/", {"version": 0, "note": "重复", "into": ours.number}
    )
    assert page.status_code == 400 and str(NO_MERGE_TARGET) in page.content.decode()
    theirs.refresh_from_db()
    assert (theirs.status, theirs.merged_into, theirs.version) == ("reported", None, 0)
    assert not CaseEvent.objects.filter(action="merge").exists()
    # a colleague in scope merges a duplicate of ours into ours
    dup = make_case(cast, category, status="reported", triage="")
    client.force_login(cast["secretary"])
    response = client.post(
        f"/api/cases/{dup.number}/actions/merge",
        {"version": 0, "note": "重复", "into": ours.number},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "merged"
    with pytest.raises(Exception, match=str(NO_MERGE_TARGET)):
        services.case_merge(case=theirs, into=ours, by=cast["outsider"], note="重复")


def test_a_street_dispatches_only_to_the_units_of_its_district(client, cast, category):
    elsewhere = partner("外区城管局", "department", division("360603", "外区"))
    stopped = partner("已撤销单位", "department", cast["places"]["district"])
    stopped.is_active = False
    stopped.save()
    case = make_case(cast, category, status="filed")
    client.force_login(cast["street"])
    answers = set()
    for unit in (elsewhere.pk, stopped.pk, 987654321):
        response = client.post(
            f"/api/cases/{case.number}/actions/dispatch",
            {"version": 0, "to_unit": unit},
            content_type="application/json",
        )
        answers.add((response.status_code, response.json()["detail"]))
    assert answers == {(400, str(UNIT_UNAVAILABLE))}
    # An id no row can have is refused by the API's bounds before any lookup (issue 18, hole 6).
    huge = client.post(
        f"/api/cases/{case.number}/actions/dispatch",
        {"version": 0, "to_unit": 2**63},
        content_type="application/json",
    )
    assert huge.status_code == 422 and "to_unit" in huge.json()["detail"]
    page = client.post(
        f"/cases/{case.number}/act/dispatch/", {"version": 0, "to_unit": elsewhere.pk}
    )
    assert page.status_code == 400 and str(UNIT_UNAVAILABLE) in page.content.decode()
    case.refresh_from_db()
    assert (case.status, case.handler, case.version) == ("filed", None, 0)
    with pytest.raises(Exception, match=str(UNIT_UNAVAILABLE)):
        services.case_dispatch(case=case, by=cast["street"], to_unit=elsewhere)
    # the units the page lists are the ones the service takes
    body = client.get(f"/cases/{case.number}/").content.decode()
    assert f'<option value="{cast["department"].pk}"' in body
    for unit in (elsewhere, stopped):
        assert f'<option value="{unit.pk}"' not in body
        assert f'name="units" value="{unit.pk}"' not in body
    ok = client.post(
        f"/api/cases/{case.number}/actions/dispatch",
        {"version": 0, "to_unit": cast["department"].pk},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["handler"] == cast["department"].name


def test_a_whistle_calls_only_units_of_the_district_and_bad_ids_are_refused(client, cast, category):
    elsewhere = partner("外区水务局", "department", division("360603", "外区"))
    case = make_case(cast, category, status="dispatched")
    client.force_login(cast["street"])
    for units in ([cast["department"].pk, elsewhere.pk], ["abc"], [str(2**64)]):
        response = client.post(
            f"/cases/{case.number}/whistle/", {"units": units, "note": "涉及供水"}
        )
        assert response.status_code == 400, units
        assert str(UNIT_UNAVAILABLE) in response.content.decode()
        assert "涉及供水</textarea>" in response.content.decode()  # nothing written is lost
    assert not Whistle.objects.exists()
    with pytest.raises(Exception, match=str(UNIT_UNAVAILABLE)):
        escalation.whistle(case=case, by=cast["street"], units=[elsewhere], note="涉及供水")
    assert not Whistle.objects.exists()


def test_a_whistle_response_is_found_within_its_case_only(client, cast, category):
    case = make_case(cast, category, status="dispatched")
    other = make_case(cast, category, status="dispatched")
    w = escalation.whistle(case=other, by=cast["street"], units=[cast["other_unit"]], note="x")
    client.force_login(cast["other_handler"])
    mine = w.responses.get()
    escalation.whistle(case=case, by=cast["street"], units=[cast["other_unit"]], note="y")
    for pk in (mine.pk, 2**63, 10**20):
        response = client.post(f"/cases/{case.number}/whistle/{pk}/respond/", {"note": "到场"})
        assert response.status_code == 404, pk
    mine.refresh_from_db()
    assert mine.responded_at is None


# 2. The grid a report names


def test_a_reporter_names_only_a_grid_they_may_report_in(client, cast, category):
    neighbour_grid = cast["places"]["grid_n"].code
    for who, grid, status in (
        (cast["resident"], cast["places"]["grid2"].code, 201),  # their own community
        (cast["resident"], neighbour_grid, 400),  # the neighbouring community
        (cast["grid_worker"], cast["places"]["grid1"].code, 201),  # their grid
        (cast["grid_worker"], cast["places"]["grid2"].code, 400),  # a colleague's grid
    ):
        client.force_login(who)
        before = Case.objects.count()
        response = client.post(
            "/api/cases/",
            {"category": "0101", "description": "井盖缺失", "grid": grid},
            content_type="application/json",
        )
        assert response.status_code == status, (who, grid)
        if status == 400:
            missing = client.post(
                "/api/cases/",
                {"category": "0101", "description": "井盖缺失", "grid": "360602001009001"},
                content_type="application/json",
            )
            assert (
                response.json()
                == missing.json()
                == {
                    "detail": "所选网格不存在，请重新选择。",
                    "field": "grid",
                }
            )
            assert Case.objects.count() == before
        else:
            assert response.json()["scope_code"] == grid
    client.force_login(cast["grid_worker"])
    body = client.get("/cases/report/").content.decode()
    assert f'<option value="{cast["places"]["grid1"].code}"' in body
    assert f'<option value="{cast["places"]["grid2"].code}"' not in body


def test_the_refusals_read_in_english_for_someone_who_chose_it(client, cast, category):
    from django.conf import settings

    case = make_case(cast, category, status="filed")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(cast["neighbour_resident"])
    body = client.post(f"/cases/{case.number}/follow/").content.decode()
    assert "not one you can follow" in body
    client.force_login(cast["street"])
    response = client.post(
        f"/api/cases/{case.number}/actions/dispatch",
        {"version": 0, "to_unit": 987654321},
        content_type="application/json",
    )
    assert response.json()["detail"].startswith("The chosen unit does not exist")
