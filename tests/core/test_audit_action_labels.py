"""The audit page names actions in words in the reader's language (issue 19: its filter listed
38 raw codes such as ``case.accept``); the code stays the filter's value and is shown beside the
words; an action no app has named shows its code."""

from __future__ import annotations

import re

import pytest

from jiceng.core.models import AuditEntry
from tests.accounts.test_admin_separation import as_admin

pytestmark = pytest.mark.django_db


def _options(body: str) -> dict[str, str]:
    select = re.search(r'<select name="action">(.*?)</select>', body, re.S).group(1)
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select))


def test_the_audit_page_names_actions_in_words(client, places):
    as_admin(client, places, "audit_admin")
    for action in ("case.accept", "user.login", "services.wish_claim", "x.unnamed"):
        AuditEntry.objects.create(action=action)
    body = client.get("/console/audit/").content.decode()
    options = _options(body)
    assert options["case.accept"] == "案件：接收"
    assert options["user.login"] == "登录"
    assert options["services.wish_claim"].startswith("微心愿：")
    assert options["x.unnamed"] == "x.unnamed"
    assert '案件：接收 <code class="muted small">case.accept</code>' in body
    # filtering still takes the code
    filtered = client.get("/console/audit/?action=case.accept").content.decode()
    assert "case.accept</code>" in filtered and "x.unnamed</code>" not in filtered

    client.cookies["django_language"] = "en"
    options = _options(client.get("/console/audit/").content.decode())
    assert options["case.accept"] == "Case: Accept"
    assert options["user.login"] == "Log in"
