"""The case page's timeline (issue 19): each event once, with a clear label; never a stage
followed by its own action ("已上报 上报", "已立案 立案")."""

from __future__ import annotations

import re
from html import unescape

import pytest

from jiceng.cases import escalation, services

pytestmark = pytest.mark.django_db


def timeline(client, case) -> list[str]:
    """The timeline's lines as a reader sees them (tags dropped, spaces collapsed)."""
    body = client.get(f"/cases/{case.number}/").content.decode()
    ol = re.search(r'<ol class="timeline" data-testid="timeline">(.*?)</ol>', body, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", ol, re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", item)).split()) for item in items]


def test_each_event_shows_once_with_its_stage_and_only_what_the_stage_does_not_say(
    client, cast, category
):
    case = services.case_report(by=cast["resident"], category=category, description="井盖缺失")
    case = services.case_file(case=case, by=cast["secretary"])
    case = services.case_triage(case=case, by=cast["secretary"], triage="major")
    escalation.whistle(case=case, by=cast["street"], units=[cast["other_unit"]], note="请到场")
    case = services.case_dispatch(case=case, by=cast["street"], to_unit=cast["department"])
    case = services.case_accept(case=case, by=cast["handler"])
    for who in (cast["resident"], cast["secretary"]):
        client.force_login(who)
        lines = timeline(client, case)
        assert len(lines) == 6
        assert lines[0].startswith("已上报") and "上报 上报" not in lines[0]
        assert lines[0].count("上报") == 1
        assert lines[1].startswith("已立案") and lines[1].count("立案") == 1
        assert lines[2].startswith("已立案 · 分流为大事，待街道派遣")
        assert "三事分流" not in lines[2]
        assert lines[3].startswith("街道吹哨") and "已立案" not in lines[3]
        assert lines[4].startswith(f"已派遣 · 处置单位：{cast['department'].name}")
        assert lines[4].count("派遣") == 1
        assert lines[5].startswith("处置中") and "接收" not in lines[5]


def test_a_minor_matter_reads_as_the_community_coordinating_it(client, cast, category):
    case = services.case_report(by=cast["resident"], category=category, description="井盖缺失")
    case = services.case_file(case=case, by=cast["secretary"])
    case = services.case_triage(case=case, by=cast["secretary"], triage="minor")
    client.force_login(cast["resident"])
    assert timeline(client, case)[-1].startswith("社区协调中 · 分流为小事")


def test_the_timeline_reads_in_english_too(client, cast, category):
    case = services.case_report(by=cast["resident"], category=category, description="井盖缺失")
    case = services.case_file(case=case, by=cast["secretary"])
    case = services.case_triage(case=case, by=cast["secretary"], triage="minor")
    client.force_login(cast["resident"])
    client.cookies["django_language"] = "en"
    lines = timeline(client, case)
    assert "Triaged as minor" in lines[-1] and "Reported" in lines[0]
    assert all("分流" not in line and "三事" not in line for line in lines)
