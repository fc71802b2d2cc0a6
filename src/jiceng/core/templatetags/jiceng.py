import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from html import unescape

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ mapping|get_item:key }}: a dictionary's value in a template."""
    return mapping.get(key, key) if hasattr(mapping, "get") else key


@register.filter
def hours(value):
    """{{ row.hours|hours }}: service hours as a person reads them: 12.4, 12, 1.25; never
    12.4000000000000 (SQLite's sum of decimals) or 12.00. Empty stays empty."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return value
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- tables that stack on a phone ------------------------------------------------------------

_TH = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)
_TAG = re.compile(r"<[^>]+>")
_ROW = re.compile(r"(<tr\b[^>]*>)(.*?)(</tr>)", re.S)
_CELL = re.compile(r"<td\b([^>]*)>")
_COLSPAN = re.compile(r'colspan="?(\d+)')


def stack_table(html: str) -> str:
    """The rendered ``<table class="table">`` made to stack on a phone (CONVENTIONS "Tables on a
    phone"): class ``stack`` added, and each body cell given its column's heading as
    ``data-label`` (a cell spanning columns, or one that has a label already, is left alone)."""
    head_end = html.find("</thead>")
    if head_end < 0:
        return html
    labels = [escape(unescape(_TAG.sub("", th)).strip()) for th in _TH.findall(html[:head_end])]
    html = html.replace('class="table"', 'class="table stack"', 1)
    head_end = html.find("</thead>")
    body = html[head_end:]

    def label_row(row: re.Match) -> str:
        column = 0

        def label_cell(cell: re.Match) -> str:
            nonlocal column
            attrs = cell.group(1)
            span = _COLSPAN.search(attrs)
            index, column = column, column + (int(span.group(1)) if span else 1)
            if span or "data-label" in attrs or index >= len(labels) or not labels[index]:
                return cell.group(0)
            return f'<td data-label="{labels[index]}"{attrs}>'

        return row.group(1) + _CELL.sub(label_cell, row.group(2)) + row.group(3)

    return html[:head_end] + _ROW.sub(label_row, body)


class StackTableNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        return mark_safe(stack_table(self.nodelist.render(context)))  # noqa: S308 - our own markup


@register.tag("stacktable")
def do_stacktable(parser, token):
    """{% stacktable %}<table class="table">…</table>{% endstacktable %}: see ``stack_table``."""
    nodelist = parser.parse(("endstacktable",))
    parser.delete_first_token()
    return StackTableNode(nodelist)
