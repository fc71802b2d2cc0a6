"""Editing a draft scheme on its page (the district's staff): add a domain, a category and an
item, change a weight, a source and a conversion, remove a node; publishing is refused while the
weights do not add up or an item has no source (nothing changes); a published scheme is read
only; a copy to next year is a new draft. Others never see a scheme (404); English."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from jiceng.assessment.models import Node, Scheme
from jiceng.core.audit import AuditEntry
from tests.assessment.conftest import YEAR


@pytest.fixture
def draft(cast):
    return Scheme.objects.create(
        key="branch_annual",
        name="党支部年度考核",
        subject_kind="branch",
        year=YEAR,
        division=cast["places"]["district"],
    )


def _add(client, scheme, **data):
    data = {"action": "add", "name": "x", "weight": "10", **data}
    return client.post(reverse("assessment:scheme", args=[scheme.pk]), data)


def test_the_district_builds_a_draft_and_publishes_it_once_it_adds_up(client, cast, draft):
    client.force_login(cast["district"])
    url = reverse("assessment:scheme", args=[draft.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="add-form"' in page and 'data-testid="problems"' in page
    assert _add(client, draft, name="组织生活", weight="100").status_code == 302
    domain = draft.nodes.get(level="domain")
    _add(client, draft, parent=domain.pk, name="三会一课", weight="100")
    category = draft.nodes.get(level="category")
    _add(
        client,
        draft,
        parent=category.pk,
        name="出席率",
        weight="60",
        source="indicator",
        indicator="party.attendance_rate",
        conversion="linear",
        low="0.6",
        high="0.95",
    )
    _add(client, draft, parent=category.pk, name="支部自查", weight="30")  # no source yet
    item = draft.nodes.get(name="出席率")
    assert (item.level, item.conversion, item.low, item.high) == ("item", "linear", 0.6, 0.95)
    # an item is no parent (not among the choices); a bad band and an unknown indicator are
    # refused
    assert _add(client, draft, parent=item.pk).status_code == 404
    assert (
        _add(client, draft, parent=category.pk, source="indicator", indicator="no.such").status_code
        == 400
    )
    bad = _add(client, draft, parent=category.pk, conversion="bands", bands="0.9:3")
    assert bad.status_code == 400
    assert draft.nodes.count() == 4

    # publishing refused: 60 + 30 is not 100 and one item has no source; nothing changes
    client.post(url, {"action": "publish"})
    draft.refresh_from_db()
    assert draft.status == "draft"
    page = client.get(url).content.decode()
    assert "没有得分来源" in page and "合计为 90.00" in page

    # fix it on the node's page: a weight, a source and a band conversion
    own = draft.nodes.get(name="支部自查")
    node_url = reverse("assessment:node", args=[draft.pk, own.pk])
    assert client.get(node_url).status_code == 200
    client.post(
        node_url,
        {
            "action": "save",
            "name": "支部自查",
            "weight": "40",
            "source": "indicator",
            "indicator": "party.dues_on_time",
            "conversion": "bands",
            "bands": "0.85:0.8，0.95:1",
        },
    )
    own.refresh_from_db()
    assert own.weight == Decimal(40) and own.bands == [[0.95, 1.0], [0.85, 0.8]]
    # a node added by mistake is removed with what is under it
    _add(client, draft, name="多余", weight="5")
    extra = draft.nodes.get(name="多余")
    client.post(reverse("assessment:node", args=[draft.pk, extra.pk]), {"action": "remove"})
    assert not draft.nodes.filter(name="多余").exists()

    client.post(url, {"action": "publish"})
    draft.refresh_from_db()
    assert draft.status == "published"
    assert AuditEntry.objects.filter(action="assessment.scheme.edit").count() >= 5
    assert AuditEntry.objects.filter(action="assessment.scheme.publish").count() == 1

    # published: read only (no forms; a post changes nothing), copied to next year as a draft
    page = client.get(url).content.decode()
    assert 'data-testid="add-form"' not in page and 'data-testid="copy-form"' in page
    assert _add(client, draft, name="晚了", weight="1").status_code == 400
    node = client.post(node_url, {"action": "save", "name": "改名", "weight": "40"})
    assert node.status_code == 400
    own.refresh_from_db()
    assert own.name == "支部自查" and draft.nodes.count() == 4
    copied = client.post(url, {"action": "copy", "year": YEAR + 1})
    new = Scheme.objects.get(key="branch_annual", year=YEAR + 1)
    assert copied.status_code == 302 and new.editable and new.nodes.count() == 4
    assert client.post(url, {"action": "copy", "year": YEAR + 1}).status_code == 400
    assert Scheme.objects.filter(key="branch_annual").count() == 2


def test_others_never_see_a_scheme_and_the_page_in_english(client, cast, draft):
    Node.objects.create(scheme=draft, level="domain", name="组织生活", weight=Decimal(100))
    node = draft.nodes.get()
    for who in ("street", "secretary", "outsider", "nobody"):
        client.force_login(cast[who])
        assert client.get(reverse("assessment:scheme", args=[draft.pk])).status_code in (403, 404)
        answer = client.post(
            reverse("assessment:node", args=[draft.pk, node.pk]), {"action": "remove"}
        )
        assert answer.status_code in (403, 404)
    assert draft.nodes.count() == 1
    client.force_login(cast["district"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("assessment:scheme", args=[draft.pk])).content.decode()
    assert "Publish the scheme" in page and "发布方案" not in page
    assert "has no item under it" in page or "no items" in page
