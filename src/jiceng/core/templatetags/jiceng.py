from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

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
