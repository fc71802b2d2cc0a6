"""The warning centre: a source's conditions become warnings told to their owners once across
runs; a condition that ends clears its warning, one that comes back opens it again untold; the
staff acknowledge, close with a note and add follow-up notes, each with an event and an audit
entry; everyone sees the warnings of their own place only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiceng.core.models import AuditEntry, Notification
from jiceng.dashboard.models import Warning, WarningEvent
from jiceng.dashboard.warnings import run_sources

pytestmark = pytest.mark.django_db

OURS = "360602001001001"  # grid 1 of our community
NEIGHBOURS = "360602001002001"


def run():
    return run_sources(kinds=["test.fake"])


def test_a_warning_is_told_to_its_owners_once_across_runs(cast, source):
    source["a"] = (OURS, "warning")
    first = run()
    assert first.opened == 1 and first.told == 1
    w = Warning.objects.get(key="a")
    # the nearest place with holders of the source's roles: our community (not the grid)
    assert w.owner_code == "360602001001" and w.state == "open" and w.notified_at
    told = set(Notification.objects.filter(title="测试预警 a").values_list("user_id", flat=True))
    assert told == {cast["secretary"].pk, cast["colleague"].pk}
    assert run().told == 0 and run().opened == 0
    assert Notification.objects.filter(title="测试预警 a").count() == 2
    assert list(w.events.values_list("action", flat=True)) == ["open"]


def test_a_condition_that_ends_clears_its_warning_and_one_that_returns_is_not_told_again(
    cast, source
):
    source["a"] = (OURS, "warning")
    run()
    source.clear()
    assert run().cleared == 1
    w = Warning.objects.get(key="a")
    assert w.state == "cleared" and w.resolved_at is not None
    source["a"] = (OURS, "severe")
    assert run().reopened == 1
    w.refresh_from_db()
    assert w.state == "open" and w.severity == "severe"
    assert list(w.events.values_list("action", flat=True)) == ["open", "clear", "reopen"]
    assert Notification.objects.filter(title="测试预警 a").count() == 2  # told once only
    assert AuditEntry.objects.filter(action="warning.run").count() == 3


def test_a_closed_warning_stays_closed_while_its_condition_holds(cast, source):
    source["a"] = (OURS, "warning")
    run()
    w = Warning.objects.get(key="a")
    client_post(cast["secretary"], w, "close", note="已督促支部本周召开")
    run()
    w.refresh_from_db()
    assert w.state == "closed"


def client_post(user, warning, action, **data):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.post(reverse("warnings:act", args=[warning.pk, action]), data)


def test_acknowledge_note_and_close_each_leave_an_event_and_an_audit_entry(cast, source):
    source["a"] = (OURS, "warning")
    run()
    w = Warning.objects.get(key="a")
    r = client_post(cast["colleague"], w, "acknowledge", version=w.version)
    assert r.status_code == 302
    w.refresh_from_db()
    assert w.state == "acknowledged"
    r = client_post(cast["colleague"], w, "note", note="已电话联系支部书记")
    assert r.status_code == 302
    w.refresh_from_db()
    assert w.state == "acknowledged"
    r = client_post(cast["secretary"], w, "close", note="支部已召开主题党日", version=w.version)
    assert r.status_code == 302
    w.refresh_from_db()
    assert w.state == "closed" and w.note == "支部已召开主题党日" and w.resolved_at
    events = list(WarningEvent.objects.filter(warning=w).values_list("action", "note"))
    assert events == [
        ("open", ""),
        ("acknowledge", ""),
        ("note", "已电话联系支部书记"),
        ("close", "支部已召开主题党日"),
    ]
    actions = list(
        AuditEntry.objects.filter(object_id=str(w.pk), action__startswith="warning.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["warning.acknowledge", "warning.note", "warning.close"]


def test_closing_without_a_note_is_refused_and_changes_nothing(cast, source):
    source["a"] = (OURS, "warning")
    run()
    w = Warning.objects.get(key="a")
    r = client_post(cast["secretary"], w, "close", note="  ", version=w.version)
    assert r.status_code == 400
    assert "请填写办结说明" in r.content.decode()
    w.refresh_from_db()
    assert w.state == "open" and w.events.count() == 1
    assert not AuditEntry.objects.filter(action="warning.close").exists()
    r = client_post(cast["secretary"], w, "acknowledge", version=w.version)
    r = client_post(cast["secretary"], w, "acknowledge", version=w.version + 1)
    assert r.status_code == 400 and "无需签收" in r.content.decode()


def test_each_sees_the_warnings_of_their_own_place(client, cast, source):
    source["ours"] = (OURS, "severe")
    source["theirs"] = (NEIGHBOURS, "warning")
    run()
    ours, theirs = Warning.objects.get(key="ours"), Warning.objects.get(key="theirs")
    url = reverse("warnings:list")
    for who, sees in [
        ("district_staff", {"ours", "theirs"}),
        ("street_staff", {"ours", "theirs"}),
        ("secretary", {"ours"}),
        ("outsider", {"theirs"}),
    ]:
        client.force_login(cast[who])
        html = client.get(url).content.decode()
        assert {k for k in ("ours", "theirs") if f"测试预警 {k}" in html} == sees, who
    client.force_login(cast["outsider"])
    assert client.get(reverse("warnings:detail", args=[ours.pk])).status_code == 404
    assert client_post(cast["outsider"], ours, "acknowledge").status_code == 404
    assert client.get(url, {"place": "360602001001"}).status_code == 404
    assert client.get(reverse("warnings:detail", args=[theirs.pk])).status_code == 200
    client.force_login(cast["resident"])
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_the_list_filters_and_counts_by_community_for_the_street(client, cast, source):
    source.update({"a": (OURS, "severe"), "b": (OURS, "warning"), "c": (NEIGHBOURS, "warning")})
    run()
    client.force_login(cast["street_staff"])
    html = client.get(reverse("warnings:list")).content.decode()
    assert 'data-code="360602001001"' in html and 'data-code="360602001002"' in html
    r = client.get(reverse("warnings:list"), {"severity": "severe"})
    assert r.context["total"] == 1
    r = client.get(reverse("warnings:list"), {"place": "360602001002"})
    assert [w.key for w in r.context["warnings"]] == ["c"]
    r = client.get(reverse("warnings:list"), {"state": "nonsense"})
    assert r.status_code == 400


def test_the_list_and_the_api_stay_within_a_query_budget(
    client, cast, source, django_assert_max_num_queries
):
    for i in range(40):
        source[f"k{i}"] = (OURS if i % 2 else NEIGHBOURS, "severe" if i % 3 else "warning")
    run()
    client.force_login(cast["district_staff"])
    with django_assert_max_num_queries(14):
        r = client.get(reverse("warnings:list"), {"state": "all"})
    assert r.status_code == 200 and r.context["total"] == 40
    with django_assert_max_num_queries(10):
        r = client.get("/api/warnings/?limit=100")
    assert r.status_code == 200 and r.json()["count"] == 40


def test_the_api_is_scoped(client, cast, source):
    source.update({"ours": (OURS, "severe"), "theirs": (NEIGHBOURS, "warning")})
    run()
    ours = Warning.objects.get(key="ours")
    client.force_login(cast["outsider"])
    body = client.get("/api/warnings/").json()
    assert [w["key"] for w in body["items"]] == ["theirs"]
    assert client.get(f"/api/warnings/{ours.pk}").status_code == 404
    assert client.get("/api/warnings/", {"place": "360602001001"}).status_code == 404
    client.force_login(cast["secretary"])
    detail = client.get(f"/api/warnings/{ours.pk}").json()
    assert detail["events"][0]["action"] == "open" and detail["owner_code"] == "360602001001"
    client.logout()
    assert client.get("/api/warnings/").status_code == 401


def test_the_console_todo_counts_what_the_list_shows(client, cast, source):
    from jiceng.core.registry import todos_for

    source.update({"a": (OURS, "severe"), "b": (OURS, "warning"), "c": (NEIGHBOURS, "warning")})
    run()
    lines = [t for t in todos_for(cast["secretary"]) if t.url == reverse("warnings:list")]
    assert len(lines) == 1 and lines[0].count == 2 and lines[0].overdue
    client.force_login(cast["secretary"])
    assert client.get(lines[0].url).context["total"] == 2


def test_the_street_sees_a_todo_line_per_community_counting_what_its_list_shows(
    client, cast, source
):
    from jiceng.core.registry import todos_for

    source.update({"a": (OURS, "severe"), "b": (OURS, "warning"), "c": (NEIGHBOURS, "warning")})
    run()
    lines = {t.url: t for t in todos_for(cast["street_staff"]) if "/console/warnings/" in t.url}
    base = reverse("warnings:list")
    assert lines[base].count == 3
    ours, theirs = lines[f"{base}?place=360602001001"], lines[f"{base}?place=360602001002"]
    assert (ours.count, ours.overdue, theirs.count, theirs.overdue) == (2, True, 1, False)
    assert "公园社区" in str(ours.label)
    client.force_login(cast["street_staff"])
    assert client.get(ours.url).context["total"] == 2


def test_the_warning_centre_speaks_english(client, cast, source):
    source["a"] = (OURS, "severe")
    run()
    w = Warning.objects.get(key="a")
    client.force_login(cast["secretary"])
    client.cookies["django_language"] = "en"
    html = client.get(reverse("warnings:list")).content.decode()
    assert "Warning centre" in html and "By grid" in html and "Severe" in html
    r = client_post_with(client, w, "close", note="")
    assert r.status_code == 400 and "Write a closing note" in r.content.decode()
    html = client.get(reverse("warnings:detail", args=[w.pk])).content.decode()
    assert "Acknowledge" in html and "History" in html


def client_post_with(client, warning, action, **data):
    return client.post(reverse("warnings:act", args=[warning.pk, action]), data)
