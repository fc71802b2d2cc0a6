"""Dues by the 2008 regulations' brackets (rows of DuesRule), payments, arrears and warnings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from jiceng.core.errors import Forbidden, UserError
from jiceng.core.models import AuditEntry
from jiceng.party import selectors, services
from jiceng.party.dues import monthly_dues
from jiceng.party.models import DuesPayment, DuesRule
from jiceng.points.models import PointEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "base", "expected"),
    [
        # The regulation's own examples: the rate applies to the whole base.
        ("wage", "4000", "40.00"),
        ("wage", "3000", "15.00"),
        ("wage", "3000.01", "30.00"),
        ("wage", "2000", "10.00"),
        ("wage", "5000", "50.00"),
        ("wage", "5001", "75.02"),
        ("wage", "10000", "150.00"),
        ("wage", "12000", "240.00"),
        ("wage", "0", "0.00"),
        ("retired", "5000", "25.00"),
        ("retired", "6000", "60.00"),
        ("retired", "3000", "15.00"),
        ("student", "0", "0.20"),
        ("no_income", "0", "0.20"),
        ("farmer", "800", "0.20"),
    ],
)
def test_monthly_dues_follow_the_2008_brackets(kind, base, expected):
    assert monthly_dues(income_kind=kind, base=Decimal(base)) == Decimal(expected)


def test_the_brackets_are_data_with_the_regulation_named():
    rules = DuesRule.objects.all()
    assert rules.count() == 9
    assert all("2008" in r.regulation for r in rules)


def test_a_district_changes_a_bracket_in_the_data_not_the_code():
    DuesRule.objects.filter(income_kind="farmer").update(fixed_amount=Decimal("1.00"))
    assert monthly_dues(income_kind="farmer", base=Decimal("0")) == Decimal("1.00")


def test_paying_records_the_due_amount_and_scores_when_on_time(party):
    alice = party["alice"]
    now = timezone.now()
    month = timezone.localdate().replace(day=1)
    payment = services.dues_pay(by=party["secretary"], member=alice, month=month, paid_at=now)
    assert payment.due == Decimal("40.00") and payment.amount == Decimal("40.00")
    assert PointEntry.objects.filter(member=alice, rule__code="dues_on_time").count() == 1
    assert AuditEntry.objects.filter(action="party.dues_pay").count() == 1


def test_a_late_payment_is_recorded_but_does_not_score(party):
    alice = party["alice"]
    services.dues_pay(
        by=party["secretary"],
        member=alice,
        month=date(2025, 1, 1),
        paid_at=timezone.make_aware(datetime(2025, 3, 5, 10)),
    )
    assert DuesPayment.objects.filter(member=alice).count() == 1
    assert not PointEntry.objects.filter(member=alice).exists()


def test_dues_for_a_month_already_paid_are_refused_and_nothing_changes(party):
    alice = party["alice"]
    month = date(2025, 5, 1)
    services.dues_pay(by=party["secretary"], member=alice, month=month)
    audits = AuditEntry.objects.count()
    with pytest.raises(UserError, match="已交纳"):
        services.dues_pay(by=party["secretary"], member=alice, month=date(2025, 5, 20))
    assert DuesPayment.objects.filter(member=alice).count() == 1
    assert AuditEntry.objects.count() == audits


def test_paying_less_than_due_is_refused(party):
    with pytest.raises(UserError, match="不足"):
        services.dues_pay(
            by=party["secretary"], member=party["alice"], month=date(2025, 5, 1), amount=10
        )
    assert not DuesPayment.objects.exists()


def test_paying_before_dues_start_is_refused(party):
    alice = party["alice"]
    alice.dues_from = date(2024, 6, 15)
    alice.save()
    with pytest.raises(UserError, match="无需交纳"):
        services.dues_pay(by=party["secretary"], member=alice, month=date(2024, 5, 1))
    services.dues_pay(by=party["secretary"], member=alice, month=date(2024, 6, 1))


def test_an_approved_reduction_replaces_the_computed_amount(party):
    alice = party["alice"]
    services.member_set_income(
        by=party["secretary"],
        member=alice,
        income_kind="wage",
        dues_base=Decimal("4000"),
        dues_override=Decimal("5.00"),
    )
    payment = services.dues_pay(by=party["secretary"], member=alice, month=date(2025, 5, 1))
    assert payment.amount == Decimal("5.00")


def test_outsiders_and_grid_chiefs_cannot_record_dues(party):
    for who in ("outsider", "grid_chief", "nobody"):
        with pytest.raises(Forbidden):
            services.dues_pay(by=party[who], member=party["alice"], month=date(2025, 5, 1))
    assert not DuesPayment.objects.exists()


def test_arrears_warn_at_three_unpaid_months_in_a_row(party):
    alice, bob = party["alice"], party["bob"]
    today = date(2025, 6, 15)
    for m in (1, 2, 3, 4, 5):
        services.dues_pay(by=party["secretary"], member=bob, month=date(2025, m, 1))
    services.dues_pay(by=party["secretary"], member=alice, month=date(2025, 2, 1))
    alice.dues_from = date(2025, 1, 1)
    alice.save()
    bob.dues_from = date(2025, 1, 1)
    bob.save()
    arrears = {
        a.member.name: a for a in selectors.dues_arrears(user=party["secretary"], today=today)
    }
    assert arrears["艾丽"].unpaid_months == 3  # March, April, May (June is not late yet)
    assert arrears["艾丽"].warning
    assert "鲍勃" not in arrears


def test_arrears_list_is_one_query(party, django_assert_max_num_queries):
    secretary = party["secretary"]
    secretary.active_assignments  # noqa: B018 - the roles are read once per request
    with django_assert_max_num_queries(1):
        selectors.dues_arrears(user=secretary, today=date(2025, 6, 1))
