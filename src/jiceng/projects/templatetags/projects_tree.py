"""The street's project tree as one table, drawn in Python.

The tree page shows a hundred rows of seven cells; drawn by the template engine (a variable
lookup and a localisation per value, then ``{% stacktable %}`` reading the HTML back with regular
expressions to label each cell) they cost more than reading and rolling up the street's whole
tree (bench/projects_tree.py, issue 14's budget), and ``format_html`` per row still half of it
(a lazy-aware escape per value). Here each row is one f-string with every text escaped and the
cells' labels written in (the table carries ``stack`` itself, CONVENTIONS "Tables on a phone");
the wording is the template's, so the catalogues do not change."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jiceng.projects.models import Project
from jiceng.projects.selectors import Node

register = template.Library()


def _columns() -> list[str]:
    return [
        _("名称"),
        _("项目类型"),
        _("所属地区"),
        _("权重占比"),
        _("进度"),
        _("状态"),
        _("完成期限"),
    ]


def _stale(n: Node, last_month: str) -> str:
    parts = []
    if n.stale:
        parts.append(f' <span class="stale">{last_month}</span>')
    if n.stale_below:
        below = ngettext(
            "含 %(counter)s 项按上月数计", "含 %(counter)s 项按上月数计", n.stale_below
        ) % {"counter": n.stale_below}
        parts.append(f' <span class="stale">{escape(below)}</span>')
    return "".join(parts)


@register.simple_tag
def project_tree_table(nodes: list[Node], base: str, empty: str) -> SafeString:
    """The tree's table: ``nodes`` depth-first (``selectors.flatten``), each title linking to
    ``base`` + its id; ``empty`` when there are none. Every text is escaped here (the standard
    library's ``html.escape``, which Django's ``escape`` wraps)."""
    name, kind, place, share, progress, status, ends = (escape(c) for c in _columns())
    statuses = {value: escape(str(label)) for value, label in Project.Status.choices}
    last_month = escape(_("按上月数计"))
    base = escape(base)
    rows = [
        f'<tr><td class="title depth-{n.depth:d}" data-label="{name}">'
        f'<a href="{base}{n.id:d}/">{escape(n.title)}</a></td>'
        f'<td data-label="{kind}">{escape(n.kind)}{escape(" · " + n.step) if n.step else ""}</td>'
        f'<td data-label="{place}">{escape(n.place)}</td>'
        f'<td data-label="{share}">{f"{n.share}%" if n.share is not None else "—"}</td>'
        f'<td data-label="{progress}"><progress class="bar" max="100" value="{n.rolled}">'
        f"</progress> {n.rolled}%{_stale(n, last_month)}</td>"
        f'<td class="health-{escape(n.health)}" data-label="{status}">'
        f"{statuses.get(n.status) or escape(n.status)}</td>"
        f'<td data-label="{ends}">{n.ends_on.isoformat()}</td></tr>'
        for n in nodes
    ] or [f'<tr><td colspan="7" class="muted">{escape(empty)}</td></tr>']
    head = "".join(f"<th>{escape(c)}</th>" for c in _columns())
    return mark_safe(  # noqa: S308 - every value above is escaped
        '<table class="table stack ptree" data-testid="projects">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
