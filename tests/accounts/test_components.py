"""One registration per app (issue #11): accounts names no app above it, and a component that
registers itself appears in the navigation, the URLs and the console's to-dos without any
change to accounts, urls.py or api.py."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, clear_url_caches, get_resolver, path, reverse

import jiceng
from jiceng.accounts.decorators import page
from jiceng.accounts.permissions import page_allowed
from jiceng.core import registry
from tests.factories import user_with_role

PACKAGE = Path(jiceng.__file__).resolve().parent
BELOW_ACCOUNTS = {"core", "geo", "partners", "accounts"}
HIGHER_APPS = {"registry", "party", "cases", "services", "community", "venues", "points", "demo"}


def _accounts_sources() -> list[Path]:
    templates = PACKAGE / "templates"
    return [
        *sorted((PACKAGE / "accounts").rglob("*.py")),
        *sorted((templates / "accounts").glob("*.html")),
        templates / "console" / "home.html",
    ]


def _app_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "jiceng" else ""


def _url_names_of_higher_apps() -> set[str]:
    """Every URL name (with its namespace) whose view lives in an app above accounts."""
    names: set[str] = set()

    def walk(resolver: URLResolver, namespace: str) -> None:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                walk(p, namespace + (f"{p.namespace}:" if p.namespace else ""))
            elif isinstance(p, URLPattern) and p.name:
                module = getattr(p.callback, "__module__", "") or ""
                if _app_of(module) not in BELOW_ACCOUNTS and module.startswith("jiceng."):
                    names.add(namespace + p.name)

    walk(get_resolver(), "")
    return names


def test_accounts_imports_no_app_above_it():
    for source in _accounts_sources():
        if source.suffix != ".py":
            continue
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            modules = []
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            for module in modules:
                assert _app_of(module) not in HIGHER_APPS, f"{source.name} imports {module}"


def test_accounts_names_no_url_of_an_app_above_it():
    names = _url_names_of_higher_apps()
    assert {"cases:report", "party:mine", "points:me"} <= names  # the check sees them
    for source in _accounts_sources():
        text = source.read_text(encoding="utf-8")
        quoted = set(re.findall(r"""["']([\w-]+(?::[\w-]+)*)["']""", text))
        assert not quoted & names, f"{source.name} names {sorted(quoted & names)}"
        for app in HIGHER_APPS:
            assert not re.search(rf"\bjiceng\.{app}\b", text), f"{source.name} names {app}"


def test_urls_and_api_list_no_app_by_hand():
    for name in ("urls.py", "api.py"):
        text = (PACKAGE / name).read_text(encoding="utf-8")
        for app in HIGHER_APPS | {"geo", "accounts"}:
            assert not re.search(rf"jiceng\.{app}\b", text), f"{name} names {app}"


def test_every_navigation_item_names_known_roles_and_a_url():
    from jiceng.accounts.roles import Role

    for item in registry.navigation():
        assert item.roles and item.roles <= set(Role.values), item.key
        reverse(item.url_name)
    for home in ("resident", "member"):
        for link in registry.home_links(home):
            reverse(link.url_name)


def test_a_navigation_key_registered_by_two_apps_is_refused():
    item = registry.NavItem("cases", "x", "cases:inbox", frozenset({"grid_worker"}))
    with pytest.raises(ValueError):
        registry.register_component("fake", nav=[item])
    assert "fake" not in {c.name for c in registry.components()}


# --- a fake component ------------------------------------------------------------------------


@page("fake")
def _fake_page(request):
    return HttpResponse("fake page")


def _fake_todos(user):
    if not user.has_role("grid_worker"):
        return []
    return [registry.Todo("假的待办", "/fake/", 3, True)]


def _reload_urls() -> None:
    clear_url_caches()
    importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
    clear_url_caches()


@pytest.fixture
def fake_component():
    registry.register_component(
        "fake",
        nav=[
            registry.NavItem("fake", "假的页面", "fake:home", frozenset({"grid_worker"}), order=35)
        ],
        urls=[registry.Urls("fake/", ([path("", _fake_page, name="home")], "fake"))],
        home_links=[registry.HomeLink("resident", "fake", "假的链接", "fake:home")],
        todos=_fake_todos,
    )
    _reload_urls()
    yield
    registry.unregister_component("fake")
    _reload_urls()


@pytest.mark.django_db
def test_a_registered_component_reaches_navigation_urls_homes_and_to_dos(
    client, places, fake_component
):
    worker = user_with_role("grid_worker", division=places["grid1"])
    secretary = user_with_role("community_secretary", division=places["community"])
    resident = user_with_role("resident", division=places["grid1"])
    assert page_allowed(worker, "fake") and not page_allowed(secretary, "fake")

    client.force_login(worker)
    body = client.get(reverse("console:home")).content.decode()
    nav = re.findall(r'href="([^"]+)" data-nav="([a-z_]+)"', body)
    assert ("/fake/", "fake") in nav
    keys = [key for _, key in nav]
    assert keys.index("cases") < keys.index("fake") < keys.index("divisions")  # its order
    assert '<a href="/fake/" data-testid="todo">假的待办</a>' in body
    assert client.get("/fake/").content == b"fake page"

    client.force_login(secretary)
    body = client.get(reverse("console:home")).content.decode()
    assert 'data-nav="fake"' not in body and "假的待办" not in body
    assert client.get("/fake/").status_code == 403

    client.force_login(resident)
    body = client.get(reverse("resident_home")).content.decode()
    assert 'href="/fake/" data-testid="fake-link">假的链接</a>' in body


@pytest.mark.django_db
def test_without_the_component_its_url_is_gone(client, places):
    client.force_login(user_with_role("grid_worker", division=places["grid1"]))
    assert client.get("/fake/").status_code == 404
    assert "fake" not in {i.key for i in registry.navigation()}


# --- counting in one query ------------------------------------------------------------------


@pytest.mark.django_db
def test_count_all_counts_every_queryset_in_one_query(places, django_assert_num_queries):
    from jiceng.geo.models import Division

    values = [
        Division.objects.filter(level="grid"),
        7,
        Division.objects.none(),
        Division.objects.filter(code__startswith="360602001001"),
        True,
    ]
    with django_assert_num_queries(1):
        assert registry.count_all(values) == [
            3,
            7,
            0,
            3,
            True,
        ]  # three grids; ours and its two grids


@pytest.mark.django_db
def test_the_member_home_shows_the_party_card_that_party_registers(client, places):
    from jiceng.party.models import PartyOrg
    from tests.party.conftest import member_user

    committee = PartyOrg.objects.create(
        name="中共公园社区委员会", kind="committee", division=places["community"]
    )
    branch = PartyOrg.objects.create(
        name="公园社区第1网格党支部", kind="branch", division=places["grid1"], parent=committee
    )
    PartyOrg.objects.create(
        name="公园社区第2网格党支部", kind="branch", division=places["grid2"], parent=committee
    )
    member = member_user(branch, "艾丽")
    client.force_login(member.user)
    body = client.get(reverse("member_home")).content.decode()
    assert 'data-testid="party-org-card"' in body
    # the member's own branch under its committee, top down; not a sibling branch
    card = body[body.index('data-testid="party-org-card"') :]
    card = card[: card.index("</section>")]
    assert re.findall(r"<li[^>]*>(?:<strong>)?([^<]+)", card) == [
        "中共公园社区委员会",
        "公园社区第1网格党支部",
    ]
    assert '<li data-testid="own-org"><strong>公园社区第1网格党支部</strong>' in card
    links = re.findall(r'href="([^"]+)" data-testid="([a-z_]+)-link"', body)
    assert (reverse("party:mine"), "party_mine") in links
    assert (reverse("points:me"), "points") in links
    assert [k for _, k in links][:3] == ["services", "orders", "wishes"]


@pytest.mark.django_db
def test_the_phone_homes_links_read_in_english(client, places):
    from jiceng.party.models import PartyOrg
    from tests.party.conftest import member_user

    branch = PartyOrg.objects.create(name="支部", kind="branch", division=places["grid1"])
    member = member_user(branch, "艾丽")
    resident = user_with_role("resident", division=places["grid1"])
    client.cookies["django_language"] = "en"
    for user, url in ((member.user, reverse("member_home")), (resident, reverse("resident_home"))):
        client.force_login(user)
        body = client.get(url).content.decode()
        labels = re.findall(r'data-testid="[a-z_]+-link">([^<]+)</a>', body)
        assert labels and all(label.isascii() for label in labels), labels
