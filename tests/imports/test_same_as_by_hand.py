"""A record imported and a record entered by hand are indistinguishable in rules and audit: each
row kind goes through its app's (bulk) service, which applies the page's rules and writes the
page's audit entry for every record it creates or changes."""

from __future__ import annotations

from collections import Counter

import pytest

from jiceng.core.models import AuditEntry
from jiceng.party.models import PartyOrg
from jiceng.venues.models import Venue
from tests.imports.test_unit_import import COMMUNITY, full_book, run, split, units_first

pytestmark = pytest.mark.django_db


def actions(**filters) -> Counter:
    return Counter(AuditEntry.objects.filter(**filters).values_list("action", flat=True))


def test_every_record_imported_has_the_pages_audit_entry(sysadmin, secadmin):
    staff, rest = split(full_book())
    units_first(sysadmin)
    assert run(secadmin, staff).status == "done"
    assert actions(actor=secadmin) >= Counter({"user.create": 3, "role.assign": 3})
    assigned = AuditEntry.objects.filter(action="role.assign", detail__user="wangwg").get()
    assert assigned.scope_code == "360602001001001" and assigned.detail["role"] == "grid_worker"
    assert run(sysadmin, rest).status == "done"
    mine = actions(actor=sysadmin)
    assert mine["party.org_create"] == 4 and mine["party.member_create"] == 3
    assert mine["venue.create"] == 1
    venue = Venue.objects.get()
    assert AuditEntry.objects.get(action="venue.create").object_id == str(venue.pk)
    orgs = set(AuditEntry.objects.filter(action="party.org_create").values_list("object_id"))
    assert orgs == {(str(pk),) for pk in PartyOrg.objects.values_list("pk", flat=True)}

    # a change is audited as the page's update; the same file again writes no entry
    book = split(full_book())[1]
    book["场地"][0][4] = 60
    book["党组织"][1][5] = 12
    before = AuditEntry.objects.count()
    job = run(sysadmin, book)
    assert job.updated == 2
    assert AuditEntry.objects.count() == before + 2 + 2  # two updates, the submit and the run
    assert AuditEntry.objects.filter(action="venue.update").get().detail["before"]["capacity"] == 40
    assert AuditEntry.objects.filter(action="party.org_update").get().detail["fields"] == [
        "theme_day"
    ]
    count = AuditEntry.objects.count()
    assert run(sysadmin, book).unchanged == job.unchanged + job.updated
    assert AuditEntry.objects.count() == count + 2  # the import's own two (submit, run)


def test_the_pages_rules_are_checked_per_row_before_anything_is_written(sysadmin):
    """A branch in another street than its committee, a partner's venue outside its street:
    the page refuses them, so does the import, by row."""
    book = split(full_book())[1]
    book["单位"].append(["河东物业", "物业服务企业", "360602002001", ""])
    book["党组织"].append(["外街支部", "党支部", "中共公园社区委员会", "360602002001", "", ""])
    book["场地"].append(
        ["河东活动室", "", COMMUNITY, "公园路 2 号", 20, "周一 09:00-12:00", "", "河东物业", ""]
    )
    job = run(sysadmin, book)
    assert job.status == "failed" and not PartyOrg.objects.exists()
    reasons = {e["column"]: e["reason"] for e in job.errors}
    assert "同一街道" in reasons["党组织 · 上级党组织"]
    assert "所在街道之内" in reasons["场地 · 所属单位"]
