"""Shared fixtures: a small place tree and the permission cast (owner, colleague, outsider)."""

from __future__ import annotations

import re

import pytest

from tests.factories import division


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords and not settings.IS_POSTGRES:
            item.add_marker(skip_pg)


@pytest.fixture(autouse=True)
def _fresh_reference_tables():
    """Each test reads the calendar overrides and the case categories of its own database."""
    from jiceng.core.memo import forget_all

    forget_all()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Production hashing is slow on purpose; tests check rules, not the hash's cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _figures_counted_live(settings):
    """The homes' figures are counted on every request in tests (each test its own data);
    tests/core/test_figures_cache.py checks the cache itself."""
    settings.JICENG_FIGURES_TTL = 0


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings):
    """Background tasks run at once inside tests."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture
def places(db):
    """District 360602 > street 001 > communities 001 (ours) and 002 (the neighbour) > grids."""
    district = division("360602", "月湖区")
    street = division("360602001", "江边街道", district)
    ours = division("360602001001", "公园社区", street)
    neighbour = division("360602001002", "湖西社区", street)
    grid1 = division("360602001001001", "公园社区第1网格", ours)
    grid2 = division("360602001001002", "公园社区第2网格", ours)
    grid_n = division("360602001002001", "湖西社区第1网格", neighbour)
    return {
        "district": district,
        "street": street,
        "community": ours,
        "neighbour": neighbour,
        "grid1": grid1,
        "grid2": grid2,
        "grid_n": grid_n,
    }


def table_headers(html: str, testid: str) -> list[str]:
    """The column headings of the page's table with this data-testid."""
    table = re.search(rf'<table[^>]*data-testid="{testid}"[^>]*>.*?</thead>', html, re.S)
    assert table, f"no table {testid!r} on the page"
    return re.findall(r"<th[^>]*>(.*?)</th>", table.group(0), re.S)


def restore_starter_categories() -> None:
    """The case categories a migration loads; put back after a transactional test flushed them."""
    from importlib import import_module

    from django.apps import apps

    from jiceng.cases.models import CaseCategory

    if not CaseCategory.objects.exists():
        import_module("jiceng.cases.migrations.0002_starter_categories").forwards(apps, None)
        import_module(
            "jiceng.cases.migrations.0015_street_default_units_and_verify_photos"
        ).photo_for_city_management(apps, None)


# Browser fixtures, shared by every browser test of the suite (one Playwright per session).


@pytest.fixture(scope="session")
def browser():
    import os
    from pathlib import Path

    from tests.browser.conftest import ARGS, CHROMIUM

    if not Path(CHROMIUM).exists():
        if os.environ.get("JICENG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # themselves (building data) are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    from tests.browser.conftest import PHONE

    context = browser.new_context(**PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()
