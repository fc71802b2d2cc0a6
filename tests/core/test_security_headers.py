"""Every page sends a Content-Security-Policy beside the headers it sent before, and no template
holds what that policy would refuse (an inline script or style without the response's nonce, an
inline event handler, a style attribute)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import jiceng

PACKAGE = Path(jiceng.__file__).resolve().parent
TEMPLATES = sorted(PACKAGE.glob("**/templates/**/*.html"))


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    parts = [p.split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def test_pages_send_a_content_security_policy_that_refuses_inline_scripts(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    # The headers sent before stay.
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_an_inline_script_carries_the_nonce_of_its_response(client, places):
    from tests.factories import user_with_role

    secretary = user_with_role("community_secretary", division=places["community"])
    client.force_login(secretary)
    from jiceng.registry.models import ImportJob

    job = ImportJob.objects.create(by=secretary, file_name="a.xlsx", path="-", status="running")
    response = client.get(f"/console/registry/import/{job.pk}/")
    assert response.status_code == 200
    nonces = re.findall(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    assert len(nonces) == 2  # script-src and style-src
    scripts = re.findall(r"<script([^>]*)>", response.content.decode())
    assert scripts and all(
        f'nonce="{nonces[0]}"' in attrs for attrs in scripts if "src=" not in attrs
    )
    # A new response, a new nonce.
    again = client.get(f"/console/registry/import/{job.pk}/")
    assert re.findall(r"'nonce-([^']+)'", again.headers["Content-Security-Policy"])[0] != nonces[0]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_template_holds_what_the_policy_refuses(template):
    text = template.read_text(encoding="utf-8")
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", text):
        assert "src=" in tag or 'nonce="{{ request.csp_nonce }}"' in tag, tag
    assert not re.search(r"\sstyle\s*=", text), "a style attribute: use a class in a stylesheet"
    assert not re.search(r"\son[a-z]+\s*=", text), "an inline event handler: use addEventListener"
    assert "javascript:" not in text
