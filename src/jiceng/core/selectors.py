from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.models import AuditEntry
from jiceng.core.renames import old_labels


def audit_list(*, scopes: list[str], filters: dict[str, str]) -> tuple[QuerySet, str]:
    """Audit entries inside the auditor's scopes (entries without a place are district-wide)."""
    entries = AuditEntry.objects.all()
    if not scopes:
        return entries.none(), ""
    district_wide = any(len(s) == 6 for s in scopes)
    if not district_wide:
        entries = entries.within(*scopes)
    error = ""
    if filters.get("actor"):
        entries = entries.filter(actor_name__icontains=filters["actor"])
    if filters.get("action"):
        entries = entries.filter(action=filters["action"])
    if filters.get("object_type"):
        # An entry keeps the type it was written with: an app renamed since (core.renames) is
        # found under both its labels.
        app, _dot, model = filters["object_type"].partition(".")
        spellings = [filters["object_type"]] + [f"{old}.{model}" for old in old_labels(app)]
        entries = entries.filter(object_type__in=spellings)
    if filters.get("scope"):
        entries = entries.within(filters["scope"])
    for key, lookup, shift in (("since", "at__gte", 0), ("until", "at__lt", 1)):
        if filters.get(key):
            try:
                day = date.fromisoformat(filters[key]) + timedelta(days=shift)
            except ValueError:
                error = _("日期格式应为 YYYY-MM-DD。")
                continue
            entries = entries.filter(**{lookup: timezone.make_aware(datetime.combine(day, time()))})
    return entries.order_by("-at", "-id"), error


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())
