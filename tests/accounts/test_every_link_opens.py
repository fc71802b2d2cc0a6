"""Every link a role is shown opens for that role (issue 19: department staff got 403 on the
handling metrics they were shown, partners on the points ranking). For each demo login: its home,
every page its navigation and home link to, and every link on those pages: no 403, no 404, no
server error."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django_otp import DEVICE_ID_SESSION_KEY

from jiceng.accounts.models import User
from jiceng.accounts.roles import ROLES
from tests.conftest import restore_starter_categories
from tests.demo_snapshot import demo_logins
from tests.factories import totp_device

pytestmark = pytest.mark.django_db

# Links that act or leave rather than open a page of the role.
SKIP = re.compile(r"^/(accounts/logout|i18n/|static/|files/|admin/logout|api/|open311/)")
LINK = re.compile(r'<a\s[^>]*href="([^"#?][^"]*|\?[^"]*)"')


def links(body: str, here: str) -> set[str]:
    found = set()
    for href in LINK.findall(body):
        href = href.replace("&amp;", "&")
        if href.startswith("?"):
            href = here + href
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if not SKIP.match(parts.path):
            found.add(href)
    return found


def log_in(client, user: User) -> None:
    client.force_login(user)
    if ROLES[next(iter(user.roles))].admin:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
        session.save()


def broken_links(client, user: User) -> list[str]:
    """What the user's home and the pages it links to link to, that does not open."""
    log_in(client, user)
    response = client.get("/", follow=True)
    home = response.request["PATH_INFO"]
    if response.status_code != 200:
        return [f"{home} {response.status_code}"]
    first = links(response.content.decode(), home) | {home}
    seen, broken = set(first), []
    for url in sorted(first):
        page = client.get(url)
        if page.status_code >= 400:
            broken.append(f"{url} {page.status_code}")
            continue
        if page.status_code == 200 and "text/html" in page.get("Content-Type", ""):
            for deeper in sorted(links(page.content.decode(), urlsplit(url).path) - seen):
                seen.add(deeper)
                answer = client.get(deeper)
                if answer.status_code >= 400:
                    broken.append(f"{deeper} {answer.status_code} (from {url})")
    client.logout()
    return broken


def test_every_link_each_role_is_shown_opens(client):
    """One demo for the 13 roles (built once: the walk is the cost, not the data)."""
    restore_starter_categories()
    logins = demo_logins(residents=40)
    assert {x.role for x in logins} == set(ROLES)
    broken = {
        x.role: found
        for x in logins
        if (found := broken_links(client, User.objects.get(username=x.username)))
    }
    assert not broken, "\n".join(f"{role}: {'; '.join(b)}" for role, b in broken.items())
