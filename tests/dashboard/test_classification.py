"""The classification the district edits: the starter tree (5 domains, 23 categories), each
indicator under its app's suggested category until the district files it elsewhere, and the
admin form that files it offers the registered indicators only."""

from __future__ import annotations

import pytest

from jiceng.dashboard import classification
from jiceng.dashboard.admin import FilingForm
from jiceng.dashboard.models import Category, Domain, IndicatorFiling

pytestmark = pytest.mark.django_db


def where(key: str) -> tuple[str, str]:
    for domain in classification.tree():
        for group in domain.categories:
            if any(f.indicator.key == key for f in group.items):
                return domain.key, group.key
    raise AssertionError(key)


def test_the_starter_tree_has_five_domains_and_23_categories():
    assert Domain.objects.count() == 5
    assert Category.objects.count() == 23
    assert where("cases.rework_rate") == ("governance", "rework")


def test_filing_an_indicator_elsewhere_moves_it_and_can_make_it_public():
    assert "cases.rework_rate" not in {i.key for i in classification.public_indicators()}
    IndicatorFiling.objects.create(
        indicator="cases.rework_rate",
        category=Category.objects.get(key="satisfaction"),
        public=True,
    )
    assert where("cases.rework_rate") == ("governance", "satisfaction")
    assert "cases.rework_rate" in {i.key for i in classification.public_indicators()}


def test_the_filing_form_offers_only_registered_indicators():
    category = Category.objects.get(key="rework")
    bad = FilingForm(data={"indicator": "nope.nothing", "category": category.pk, "order": 1})
    assert not bad.is_valid() and "indicator" in bad.errors
    good = FilingForm(data={"indicator": "party.orgs", "category": category.pk, "order": 1})
    assert good.is_valid(), good.errors
