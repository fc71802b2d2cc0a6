"""A district's people and units in the going-live workbook's own format (``jiceng export``
writes it as ``golive.xlsx``), so that one district's export is another's import: the same
sheets, the same headers, the values as a person would type them (labels, codes, names), rows in
an order the import reads (a unit before the staff in it, a parent organization or category
before its children). Personal numbers are masked unless the export is whole (the caller checks
the security administrator); passwords are never written (imported accounts get theirs from the
security administrator).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.utils import translation

from jiceng.accounts.models import RoleAssignment
from jiceng.cases.models import CaseCategory
from jiceng.community.models import VolunteerTeam
from jiceng.core.excel import SafeWorkbook
from jiceng.core.personal import mask_id_number, mask_phone
from jiceng.imports.sheets import BY_NAME, SHEETS, STAFF_ROLES
from jiceng.partners.models import Partner
from jiceng.party.models import Member, PartyOrg
from jiceng.venues.models import OpeningWindow, Venue

DAY_NAMES = "一二三四五六日"


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value))


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def _tree_order(rows: list[dict], key: str, parent: str) -> list[dict]:
    """Parents before children (a forest, by ``key`` and ``parent``), otherwise in order."""
    children: dict = {}
    keys = {r[key] for r in rows}
    for r in rows:
        children.setdefault(r[parent] if r[parent] in keys else None, []).append(r)
    out: list[dict] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        row = stack.pop()
        out.append(row)
        stack.extend(reversed(children.get(row[key], [])))
    return out


def units(code: str) -> Iterator[list]:
    for p in Partner.objects.filter(scope_code__startswith=code, is_active=True).order_by(
        "scope_code", "name", "pk"
    ):
        yield [p.name, _label(Partner.Kind.choices, p.kind), p.scope_code, p.credit_code]


def orgs(code: str) -> Iterator[list]:
    rows = list(
        PartyOrg.objects.filter(scope_code__startswith=code, is_active=True)
        .order_by("scope_code", "pk")
        .values("pk", "name", "kind", "parent_id", "parent__name", "scope_code",
                "partner__name", "theme_day")
    )  # fmt: skip
    for o in _tree_order(rows, "pk", "parent_id"):
        yield [o["name"], _label(PartyOrg.Kind.choices, o["kind"]), o["parent__name"] or "",
               o["scope_code"], o["partner__name"] or "", o["theme_day"] or ""]  # fmt: skip


def staff(code: str) -> Iterator[list]:
    labels = {v: k for k, v in STAFF_ROLES.items()}
    assignments = (
        RoleAssignment.objects.active()
        .within(code)
        .filter(role__in=list(labels))
        .select_related("user", "unit")
        .order_by("scope_code", "user__username", "pk")
    )
    for a in assignments:
        on_unit = a.unit is not None
        yield [a.user.full_name, a.user.username, labels[a.role],
               "" if on_unit else a.scope_code, a.unit.name if on_unit else "", ""]  # fmt: skip


def members(code: str, whole: bool) -> Iterator[list]:
    rows = (
        Member.objects.filter(scope_code__startswith=code, is_active=True)
        .select_related("org", "user")
        .order_by("scope_code", "org__name", "name", "pk")
    )
    for m in rows.iterator(2000):
        number = m.id_number or ""
        yield [m.name, m.org.name, _label(Member.ManagementType.choices, m.management_type),
               _label(Member.Standing.choices, m.standing), m.joined_at.isoformat(),
               _label(Member.IncomeKind.choices, m.income_kind), _number(m.dues_base),
               m.work_unit, m.user.username if m.user else "",
               number if whole else mask_id_number(number) if number else ""]  # fmt: skip


def teams(code: str) -> Iterator[list]:
    for t in (
        VolunteerTeam.objects.filter(scope_code__startswith=code)
        .select_related("community", "partner")
        .order_by("scope_code", "name", "pk")
    ):
        yield [t.name, t.community.code, t.description, t.partner.name if t.partner else ""]


def hours_text(windows: list[tuple[int, object, object]]) -> str:
    """The venue's week as the import reads it: "周一 09:00-12:00,14:00-17:30；周二 …"."""
    days: dict[int, list[str]] = {}
    for day, starts, ends in sorted(windows):
        days.setdefault(day, []).append(f"{starts:%H:%M}-{ends:%H:%M}")
    return "；".join(f"周{DAY_NAMES[d]} {','.join(t)}" for d, t in sorted(days.items()))


def venues(code: str, whole: bool) -> Iterator[list]:
    rows = list(
        Venue.objects.filter(scope_code__startswith=code)
        .select_related("owner_partner")
        .order_by("scope_code", "name", "pk")
    )
    windows: dict[int, list] = {}
    for w in OpeningWindow.objects.filter(venue__in=rows).values_list(
        "venue_id", "weekday", "starts", "ends"
    ):
        windows.setdefault(w[0], []).append(w[1:])
    for v in rows:
        phone = v.contact_phone or ""
        yield [v.name, _label(Venue.Kind.choices, v.kind), v.scope_code, v.address, v.capacity,
               hours_text(windows.get(v.pk, [])), phone if whole else mask_phone(phone),
               v.owner_partner.name if v.owner_partner else "",
               "是" if v.approval_required else "否"]  # fmt: skip


def categories(code: str) -> Iterator[list]:
    sheet = BY_NAME["事件类别"]
    triage = {v: k for k, v in sheet.TRIAGE.items() if not k.isascii()}
    rows = list(
        CaseCategory.objects.order_by("code").values(
            "pk", "code", "name", "kind", "parent_id", "parent__code", "default_triage",
            *sheet.HOURS,
        )
    )  # fmt: skip
    for c in _tree_order(rows, "pk", "parent_id"):
        yield [c["code"], c["name"], _label(CaseCategory.Kind.choices, c["kind"]),
               c["parent__code"] or "", triage.get(c["default_triage"], c["default_triage"]),
               *(_number(c[h]) for h in sheet.HOURS)]  # fmt: skip


# The workbooks an export holds, in the order they are imported and by whom: the units first
# (staff name their unit), the accounts by the security administrator (三员分立), then the rest
# (members name their account).
GOLIVE_FILES = (
    ("golive/1-units.xlsx", ("单位",)),
    ("golive/2-staff-security-admin.xlsx", ("工作人员",)),
    ("golive/3-people-and-places.xlsx", ("党组织", "党员", "志愿服务队", "场地", "事件类别")),
)


def golive_workbook(
    code: str, *, whole: bool = False, sheets: tuple[str, ...] | None = None
) -> tuple[bytes, int]:
    """The district's workbook in the import template's format (``sheets`` of it, or all), and
    the number of rows written."""
    writers = {
        "单位": lambda: units(code),
        "党组织": lambda: orgs(code),
        "工作人员": lambda: staff(code),
        "党员": lambda: members(code, whole),
        "志愿服务队": lambda: teams(code),
        "场地": lambda: venues(code, whole),
        "事件类别": lambda: categories(code),
    }
    book = SafeWorkbook()
    count = 0
    with translation.override("zh-hans"):  # the labels the import reads
        for sheet in SHEETS:
            if sheets is not None and sheet.name not in sheets:
                continue
            ws = book.sheet(sheet.name)
            for i in range(1, len(sheet.columns) + 1):
                ws.column(i, width=18, as_text=True)
            ws.append(sheet.headers)
            for row in writers[sheet.name]():
                ws.append(row)
                count += 1
    return book.to_bytes(), count
