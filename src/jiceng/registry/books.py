"""The register's change log (人口信息变更登记台账): every change to a resident's record in the
period (who changed which record, when, what kind of change and which fields). Values of ID and
phone numbers are never written to the history (``PersonEvent``), only that they changed; notes
typed by staff are masked where they hold a number."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from jiceng.core.books import CHUNK, label, local, masked, person, span
from jiceng.core.registry import BookColumn, RecordBook, register_record_book
from jiceng.geo.models import Division
from jiceng.registry.models import CareTag, Person, PersonEvent
from jiceng.registry.permissions import EDIT_ROLES, READ_ROLES

COLUMNS = (
    BookColumn("at", _("变更时间"), 17),
    BookColumn("grid", _("所在网格"), 14),
    BookColumn("person", _("居民"), 10),
    BookColumn("action", _("变更类型"), 12),
    BookColumn("fields", _("变更内容"), 24),
    BookColumn("note", _("说明"), 24),
    BookColumn("by", _("操作人"), 10),
)


def _field(name: str) -> str:
    try:
        return str(Person._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _what(action: str, detail: dict) -> str:
    if detail.get("fields"):
        return "、".join(_field(f) for f in detail["fields"])
    if detail.get("tag"):
        return label(CareTag.Tag.choices, detail["tag"])
    if detail.get("dwelling"):
        return str(detail["dwelling"])
    return ""


def rows(user, code: str, start, end):
    """The changes made in [start, end) to the records inside ``code``, in time order."""
    since, until = span(start, end)
    places = dict(Division.objects.within(code).values_list("code", "name"))
    events = (
        PersonEvent.objects.within(code)
        .filter(at__gte=since, at__lt=until)
        .order_by("at", "id")
        .values_list(
            "at",
            "scope_code",
            "person__name",
            "action",
            "detail",
            "note",
            "actor__full_name",
            "actor__username",
        )
    )
    for at, place, name, action, detail, note, full_name, username in events.iterator(
        chunk_size=CHUNK
    ):
        yield (
            local(at),
            places.get(place, place),
            name,
            label(PersonEvent.Action.choices, action),
            masked(_what(action, detail or {})),
            masked(note),
            person(full_name, username),
        )


register_record_book(
    RecordBook(
        "registry.changes",
        _("人口信息变更登记台账"),
        frozenset({"district", "street", "community", "grid"}),
        COLUMNS,
        rows,
        # Who keeps the register, and the community's staff and those above who read it.
        frozenset({*EDIT_ROLES, *(r for r in READ_ROLES if r not in EDIT_ROLES)}),
        signatures=(_("登记人"), _("审核人")),
        definition=_(
            "本期对居民信息的每一次登记、修改、迁入迁出和关爱标签变更：何人何时改了哪条记录。"
        ),
        order=70,
    )
)
