"""The pages: the permission cast, the query budgets, the forms' refusals (nothing changed),
the public page and the vouchers' folder."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.projects import funds
from jiceng.projects.models import Allocation, Spending
from tests.projects_funds.conftest import make_project, pdf, photo, spend

pytestmark = pytest.mark.django_db


def _get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize(
    "who, status",
    [("street", 200), ("secretary", 200), ("outsider", 404), ("alice", 403), (None, 302)],
)
def test_a_line_page_for_the_cast(client, cast, who, status):
    response = _get(
        client, cast[who] if who else None, reverse("funds:line", args=[cast["line"].pk])
    )
    assert response.status_code == status


def test_the_lines_list_shows_balances_and_hides_the_neighbours(
    client, cast, django_assert_max_num_queries
):
    s = spend(cast, "1234.56")
    funds.spending_approve(by=cast["street"], spending=s)
    client.force_login(cast["secretary"])
    with django_assert_max_num_queries(20):
        html = client.get(reverse("funds:lines")).content.decode()
    assert "公园社区" in html and "1234.56" in html and "198765.44" in html
    client.force_login(cast["outsider"])
    assert "公园社区" not in client.get(reverse("funds:lines")).content.decode()


def test_the_line_page_keeps_its_query_budget_with_many_spendings(
    client, cast, django_assert_max_num_queries
):
    for _ in range(12):
        spend(cast, "10.00", voucher=pdf())
    client.force_login(cast["street"])
    with django_assert_max_num_queries(22):
        response = client.get(reverse("funds:line", args=[cast["line"].pk]))
    assert response.content.decode().count('data-testid="approve-') == 12


def test_recording_spending_through_the_form_and_approving_it(client, cast):
    a = cast["allocation"]
    client.force_login(cast["secretary"])
    response = client.post(
        reverse("funds:spend", args=[a.pk]),
        {
            "amount": "800.00",
            "spent_on": timezone.localdate().isoformat(),
            "purpose": "井道施工",
            "payee": "某公司",
            "voucher": photo(),
        },
    )
    assert response.status_code == 302
    s = Spending.objects.get()
    # the author is shown no approve button; the street is
    html = client.get(reverse("funds:line", args=[cast["line"].pk])).content.decode()
    assert f'data-testid="approve-{s.pk}"' not in html
    client.force_login(cast["street"])
    assert client.post(reverse("funds:decide", args=[s.pk, "approve"])).status_code == 302
    s.refresh_from_db()
    assert s.status == "approved" and s.approved_by == cast["street"]


def test_a_form_above_the_allocation_is_refused_in_place_and_nothing_changes(client, cast):
    client.force_login(cast["secretary"])
    response = client.post(
        reverse("funds:spend", args=[cast["allocation"].pk]),
        {
            "amount": "50000.01",
            "spent_on": timezone.localdate().isoformat(),
            "purpose": "井道施工",
            "payee": "某公司",
            "voucher": photo(),
        },
    )
    assert response.status_code == 400
    assert "50000.00" in response.content.decode()
    assert not Spending.objects.exists()
    response = client.post(
        reverse("funds:spend", args=[cast["allocation"].pk]),
        {"amount": "5", "spent_on": timezone.localdate().isoformat(), "purpose": "x", "payee": "y"},
    )
    assert response.status_code == 400 and "凭证" in response.content.decode()
    assert not Spending.objects.exists()


def test_an_outsider_cannot_reach_an_allocation_or_approve(client, cast):
    s = spend(cast)
    client.force_login(cast["outsider"])
    assert client.get(reverse("funds:spend", args=[cast["allocation"].pk])).status_code == 404
    assert client.post(reverse("funds:decide", args=[s.pk, "approve"])).status_code == 404
    client.force_login(cast["worker"])
    assert client.post(reverse("funds:decide", args=[s.pk, "approve"])).status_code == 403
    s.refresh_from_db()
    assert s.status == "pending"


def test_the_street_allocates_through_the_line_page(client, cast):
    other = make_project(cast["community"], cast["secretary"], title="口袋公园")
    client.force_login(cast["street"])
    url = reverse("funds:line", args=[cast["line"].pk])
    refused = client.post(url, {"project": other.pk, "amount": "150000.01"})
    assert refused.status_code == 400 and "150000.00" in refused.content.decode()
    assert client.post(url, {"project": other.pk, "amount": "150000"}).status_code == 302
    assert Allocation.objects.filter(project=other, amount=Decimal("150000.00")).exists()
    elsewhere = make_project(cast["places"]["neighbour"], cast["outsider"])
    assert client.post(url, {"project": elsewhere.pk, "amount": "1"}).status_code == 404


def test_the_community_cannot_open_the_line_form(client, cast):
    client.force_login(cast["secretary"])
    assert client.get(reverse("funds:line_new")).status_code == 403
    html = client.get(reverse("funds:lines")).content.decode()
    assert reverse("funds:line_new") not in html


def test_vouchers_show_only_to_who_may_see_the_spending(client, cast):
    s = spend(cast)
    url = s.voucher.url
    client.force_login(cast["street"])
    assert client.get(url).status_code == 200
    client.force_login(cast["outsider"])
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code in (302, 404)


def test_the_public_page_shows_where_the_money_went_without_names(
    client, cast, django_assert_max_num_queries
):
    s = spend(cast, "888.00", payee="张三装修队")
    funds.spending_approve(by=cast["street"], spending=s)
    with django_assert_max_num_queries(10):
        html = client.get(reverse("funds_m:public", args=[cast["community"].code])).content.decode()
    assert "888.00" in html and "加装电梯" in html and "199112.00" in html
    assert "张三装修队" not in html and "voucher" not in html
    assert client.get(reverse("funds_m:public", args=["360602001999"])).status_code == 404


def test_the_community_public_page_carries_the_funds_card(client, cast):
    html = client.get(
        reverse("cases:public_metrics", args=[cast["community"].code])
    ).content.decode()
    assert 'data-testid="public-funds"' in html
    assert reverse("funds_m:public", args=[cast["community"].code]) in html


def test_the_projects_public_page_shows_the_money_beside_the_progress(client, cast):
    s = spend(cast, "500.00")
    funds.spending_approve(by=cast["street"], spending=s)
    url = reverse("projects_m:public", args=[cast["community"].code])
    html = client.get(url).content.decode()
    assert 'data-testid="public-funds"' in html and "500.00" in html
    assert reverse("funds_m:public", args=[cast["community"].code]) in html


def test_the_pages_in_english(client, cast):
    client.force_login(cast["street"])
    client.cookies["django_language"] = "en"
    html = client.get(
        reverse("funds:line", args=[cast["line"].pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Allocations" in html and "资金安排" not in html
