"""The demo's default handling units: each street sends a category's cases to the unit whose
job it is (a broken road to urban management, a burst pipe to emergency management, a property
complaint to the street's property company where it has one), as a district would set them on
the page ``cases:dispatch_defaults``."""

from __future__ import annotations

from jiceng.cases.models import CaseCategory, StreetDefaultUnit
from jiceng.geo.models import Division
from jiceng.partners.models import Partner

# Category code → the district department (by the end of its name) that handles it; a
# subcategory not listed takes its parent's.
DEPARTMENT_OF = {
    "01": "城市管理局",
    "0103": "住房和城乡建设局",
    "02": "城市管理局",
    "0202": "公安分局",
    "03": "城市管理局",
    "04": "城市管理局",
    "05": "住房和城乡建设局",
    "11": "城市管理局",
    "12": "城市管理局",
    "13": "住房和城乡建设局",
    "14": "应急管理局",
    "15": "城市管理局",
    "1502": "公安分局",
    "21": "民政局",
    "2103": "应急管理局",
}
# Categories a street's own partner of this kind handles, where the street has one.
PARTNER_OF = {"2102": "property_company"}


def build_dispatch_defaults(*, district: str) -> int:
    """One default unit per category and street of ``district``; returns the rows made."""
    departments = {
        p.name: p for p in Partner.objects.filter(scope_code=district, kind="department")
    }

    def department(ending: str) -> Partner | None:
        return next((p for name, p in departments.items() if name.endswith(ending)), None)

    categories = {c.code: c for c in CaseCategory.objects.filter(code__in=DEPARTMENT_OF)}
    categories.update(
        {c.code: c for c in CaseCategory.objects.filter(code__in=PARTNER_OF, is_active=True)}
    )
    rows = []
    for street in Division.objects.within(district).filter(level="street"):
        own = {
            p.kind: p
            for p in Partner.objects.within(street.code).exclude(kind="department").order_by("pk")
        }
        for code, category in categories.items():
            unit = own.get(PARTNER_OF.get(code, "")) or department(DEPARTMENT_OF.get(code, ""))
            if code in PARTNER_OF and PARTNER_OF[code] not in own:
                unit = department("住房和城乡建设局")
            if unit is not None:
                rows.append(
                    StreetDefaultUnit(
                        category=category, street=street, unit=unit, scope_code=street.code
                    )
                )
    StreetDefaultUnit.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
