"""core's page guard: the pages of core and geo are guarded by accounts' rule without
importing accounts (DESIGN.md, "Layers"); accounts installs the rule when Django starts."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory

from jiceng.accounts.decorators import check_page
from jiceng.accounts.decorators import page as accounts_page
from jiceng.core import pages
from tests.factories import user_with_role


def test_accounts_installs_its_rule_when_django_starts():
    assert pages._check is check_page
    assert accounts_page is pages.page  # one guard for every app's pages


def test_without_a_rule_installed_a_guarded_page_refuses(monkeypatch):
    monkeypatch.setattr(pages, "_check", None)
    view = pages.page("audit")(lambda request: HttpResponse("the audit log"))
    with pytest.raises(ImproperlyConfigured):
        view(RequestFactory().get("/console/audit/"))


def test_the_installed_rule_decides_and_can_answer_in_the_page_s_place(monkeypatch):
    seen = []

    def rule(request, key):
        seen.append(key)
        return HttpResponse("refused", status=418) if key == "closed" else None

    monkeypatch.setattr(pages, "_check", rule)
    open_view = pages.page("open")(lambda request: HttpResponse("page"))
    closed_view = pages.page("closed")(lambda request: HttpResponse("page"))
    request = RequestFactory().get("/")
    assert open_view(request).content == b"page"
    assert closed_view(request).status_code == 418
    assert seen == ["open", "closed"]


@pytest.mark.django_db
def test_core_and_geo_pages_keep_accounts_rule(client, places):
    assert client.get("/console/audit/").status_code == 302  # anonymous: to the login page
    assert client.get("/console/geo/").status_code == 302
    client.force_login(user_with_role("grid_worker", division=places["grid1"]))
    assert client.get("/console/audit/").status_code == 403  # not the audit administrator
    assert client.get("/console/geo/").status_code == 200
    assert client.get("/console/calendar/").status_code == 200
