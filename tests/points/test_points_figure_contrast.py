"""The points figure on "my points" reads (issue 19): it was dark red (#b71c1c) on the hero's
red gradient, about 1.2:1. The colours the stylesheets give it must reach 4.5:1 (WCAG AA)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import jiceng

STATIC = Path(jiceng.__file__).resolve().parent / "static"
SHEETS = [STATIC / "jiceng" / "app.css", STATIC / "party" / "party.css"]  # the page's order

pytestmark = pytest.mark.django_db


def rules() -> list[tuple[str, dict[str, str]]]:
    """(selector, declarations) of every rule, in cascade order."""
    found = []
    for sheet in SHEETS:
        text = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.S)
        for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", text):
            decls = dict(
                (k.strip(), v.strip())
                for k, _c, v in (d.partition(":") for d in body.split(";") if ":" in d)
            )
            for selector in selectors.split(","):
                found.append((" ".join(selector.split()), decls))
    return found


def last(prop: str, selectors: tuple[str, ...]) -> str | None:
    values = [d[prop] for s, d in rules() if s in selectors and prop in d]
    return values[-1] if values else None


def hexes(value: str) -> list[tuple[int, int, int]]:
    out = []
    for h in re.findall(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b", value):
        h = "".join(c * 2 for c in h) if len(h) == 3 else h
        out.append(tuple(int(h[i : i + 2], 16) for i in (0, 2, 4)))
    return out


def luminance(rgb) -> float:
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_points_figure_on_the_red_hero_reaches_4_5_to_1(client, party):
    client.force_login(party["alice"].user)
    page = client.get("/points/me/").content.decode()
    # The figure is a .points inside the .hero section (and that section is also .checkin).
    assert re.search(r'<section class="hero member checkin"[^>]*>.*?<p class="points"', page, re.S)
    figure = (".checkin .points", ".hero .points")
    color = hexes(last("color", figure) or "")
    backdrop = last("background", (".hero .points",)) or last("background-color", figure)
    behind = hexes(backdrop or last("background", (".hero",)) or "")
    assert color and behind
    worst = min(contrast(color[0], b) for b in behind)
    assert worst >= 4.5, f"points figure contrast {worst:.2f}:1"
    assert color[0] not in behind
