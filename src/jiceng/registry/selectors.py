"""Scoped reads of the register: search, the compound → building → dwelling → people tree, a
person with their history, rows for lists and exports, and address → grid."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.errors import NotFound, UserError
from jiceng.core.fields import lookup_hashes
from jiceng.core.personal import normalize_id_number, normalize_mobile, validate_id_number
from jiceng.core.scope import at_most
from jiceng.registry import permissions
from jiceng.registry.models import (
    Building,
    CareTag,
    Compound,
    Dwelling,
    Person,
    normalize_address,
)

ID_LIKE = re.compile(r"^[0-9]{17}[0-9X]$")
MOBILE_LIKE = re.compile(r"^1[0-9]{10}$")


@dataclass
class PeopleFilters:
    query: str = ""
    status: str = Person.Status.LIVING
    tag: str = ""
    # "verify": floating residents whose record is due for its yearly check (below)
    due: str = ""

    @classmethod
    def from_params(cls, params) -> PeopleFilters:
        status = params.get("status", Person.Status.LIVING)
        if status not in (*Person.Status.values, "all"):
            raise UserError(_("未知的状态：%(s)s") % {"s": status})
        tag = params.get("tag", "")
        if tag and tag not in CareTag.Tag.values:
            raise UserError(_("未知的关爱标签：%(s)s") % {"s": tag})
        due = params.get("due", "")
        if due and due not in DUE:
            raise UserError(_("未知的筛选：%(s)s") % {"s": due[:20]})
        return cls(query=params.get("q", "").strip()[:50], status=status, tag=tag, due=due)


# A floating resident's residence permit is endorsed once a year (居住证暂行条例, art. 15), so
# the grid checks each such record at least yearly: one untouched for a year is due.
VERIFY_EVERY = timedelta(days=365)


def due_for_verification(rows: QuerySet[Person], now=None) -> QuerySet[Person]:
    return rows.filter(
        status=Person.Status.LIVING,
        residence_type=Person.ResidenceType.FLOATING,
        updated_at__lt=(now or timezone.now()) - VERIFY_EVERY,
    )


DUE = {"verify": due_for_verification}


def search_kind(query: str) -> str:
    """What a search box query is: an ID number, a mobile number, or (else) a name."""
    if ID_LIKE.match(normalize_id_number(query)):
        return "id_number"
    if MOBILE_LIKE.match(normalize_mobile(query)):
        return "phone"
    return "name"


def people(*, user, filters: PeopleFilters) -> QuerySet[Person]:
    """People the user may see: an ID or phone number found exactly through the keyed hash,
    a name by its beginning; with the dwelling and building the list shows, in one query."""
    rows = permissions.visible_people(user).select_related("dwelling__building__compound")
    if filters.query:
        kind = search_kind(filters.query)
        if kind == "id_number":
            hashes = lookup_hashes("id", normalize_id_number(filters.query))
            rows = rows.filter(id_number_hash__in=hashes)
        elif kind == "phone":
            rows = rows.filter(
                phone_hash__in=lookup_hashes("phone", normalize_mobile(filters.query))
            )
        else:
            rows = rows.filter(name__startswith=filters.query)
    if filters.status != "all" and not (filters.query and search_kind(filters.query) != "name"):
        rows = rows.filter(status=filters.status)
    if filters.due:
        rows = DUE[filters.due](rows)
    if filters.tag:
        if not permissions.user_sees_any_care(user):
            raise UserError(_("您的角色不能按关爱标签筛选。"), status=403)
        tagged = permissions.visible_care_tags(user).filter(tag=filters.tag).values("person_id")
        rows = rows.filter(pk__in=tagged)
    return rows.order_by("name", "id")


def with_care_tags(user, persons: list[Person]) -> list[Person]:
    """Attach ``visible_tags`` to each person: the active care tags this user may see."""
    ids = [p.pk for p in persons]
    by_person: dict[int, list[CareTag]] = {}
    if ids and permissions.user_sees_any_care(user):
        for tag in permissions.visible_care_tags(user).filter(person_id__in=ids):
            by_person.setdefault(tag.person_id, []).append(tag)
    for p in persons:
        p.visible_tags = by_person.get(p.pk, [])
    return persons


def person_for(*, user, pk: int) -> Person:
    person = (
        permissions.visible_people(user)
        .select_related(
            "dwelling__building__compound", "dwelling__building__grid", "household__head"
        )
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise NotFound(_("没有找到这位居民，或不在您的管辖范围内。"))
    return person


def person_history(person: Person) -> dict[str, Any]:
    return {
        "residences": list(
            person.residences.select_related("dwelling__building__compound").order_by(
                "-moved_in", "-id"
            )
        ),
        "events": list(person.events.select_related("actor").order_by("-at", "-id")[:100]),
        "housemates": list(
            Person.objects.filter(dwelling_id=person.dwelling_id, status=Person.Status.LIVING)
            .exclude(pk=person.pk)
            .order_by("name")
        )
        if person.dwelling_id
        else [],
    }


def compounds(*, user, query: str = "") -> QuerySet[Compound]:
    rows = permissions.visible_compounds(user).select_related("community")
    if query:
        rows = rows.filter(name__contains=query)
    # Count only the buildings the user sees: a grid worker's count is their grid's.
    seen = Q(buildings__in=permissions.visible_buildings(user).values("pk"))
    return rows.annotate(building_count=Count("buildings", filter=seen)).order_by(
        "scope_code", "name"
    )


def compound_for(*, user, pk: int) -> Compound:
    compound = permissions.visible_compounds(user).select_related("community").filter(pk=pk).first()
    if compound is None:
        raise NotFound(_("没有找到这个小区，或不在您的管辖范围内。"))
    return compound


def buildings_of(*, user, compound: Compound) -> QuerySet[Building]:
    return (
        permissions.visible_buildings(user)
        .filter(compound=compound)
        .select_related("grid")
        .annotate(
            dwelling_count=Count("dwellings", distinct=True),
            people_count=Count(
                "dwellings__people",
                filter=Q(dwellings__people__status=Person.Status.LIVING),
                distinct=True,
            ),
        )
        .order_by("name")
    )


def building_for(*, user, pk: int) -> Building:
    building = (
        permissions.visible_buildings(user).select_related("compound", "grid").filter(pk=pk).first()
    )
    if building is None:
        raise NotFound(_("没有找到这栋楼，或不在您的管辖范围内。"))
    return building


def dwellings_of(*, building: Building) -> list[tuple[str, list[Dwelling]]]:
    """The building's dwellings grouped by entrance, each with the people living there."""
    living = Person.objects.filter(status=Person.Status.LIVING).order_by("relation", "name")
    rows = (
        Dwelling.objects.filter(building=building)
        .prefetch_related(Prefetch("people", queryset=living, to_attr="living"))
        .order_by("entrance", "floor", "number")
    )
    groups: dict[str, list[Dwelling]] = {}
    for d in rows:
        groups.setdefault(d.entrance, []).append(d)
    return list(groups.items())


def dwelling_for(*, user, pk: int) -> Dwelling:
    dwelling = (
        permissions.visible_dwellings(user)
        .select_related("building__compound", "building__grid")
        .filter(pk=pk)
        .first()
    )
    if dwelling is None:
        raise NotFound(_("没有找到这套房屋，或不在您的管辖范围内。"))
    return dwelling


def dwelling_people(dwelling: Dwelling) -> dict[str, Any]:
    return {
        "living": list(
            dwelling.people.filter(status=Person.Status.LIVING).order_by("relation", "name")
        ),
        "former": list(
            dwelling.residences.filter(moved_out__isnull=False)
            .select_related("person")
            .order_by("-moved_out")[:50]
        ),
    }


def person_to_move_in(*, user, id_number: str) -> Person:
    """The person a worker moves in by ID number: someone they see, or someone registered as
    moved out (no home now). Someone living in another community reads like an unknown number:
    their community records the move out first."""
    number = validate_id_number(id_number).number
    movable = permissions.visible_people(user) | Person.objects.filter(
        dwelling__isnull=True, status=Person.Status.MOVED_OUT
    )
    person = movable.filter(id_number_hash__in=lookup_hashes("id", number)).first()
    if person is None:
        raise UserError(_("没有找到该身份证号的居民，请直接登记。"), field="existing_id")
    return person


def find_dwelling(*, user, building_id: int, entrance: str, number: str) -> Dwelling:
    """A dwelling the user may edit, named by building, entrance and number."""
    dwelling = (
        Dwelling.objects.within(*permissions.edit_scopes(user))
        .filter(building_id=building_id, entrance=entrance.strip(), number=number.strip())
        .first()
    )
    if dwelling is None:
        raise UserError(_("没有找到该房屋（楼栋、单元、房号），请先登记房屋。"), field="number")
    return dwelling


# --- address -> grid --------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressMatch:
    building: Building
    grid_code: str
    lon: float | None
    lat: float | None
    how: str  # "address" (the building's address) or "compound" (compound and building names)


def locate_address(text: str, *, within: str = "") -> AddressMatch | None:
    """Address → building → grid and point, for a resident who types where a problem is.

    Tries, in order: the building whose address is the text or its beginning ('湖滨路12号3单元'
    finds '湖滨路12号'); then a compound named in the text and a building of it named after the
    compound ('阳光小区3栋'). None when nothing matches: the caller asks for a point on the map.
    ``within`` limits the search to a division code (a district, a community).
    """
    key = normalize_address(text)
    if len(key) < 2:
        return None
    buildings = Building.objects.select_related("grid")
    if within:
        buildings = buildings.within(within)
    # Every beginning of the text of 4 characters or more, longest first: an index lookup.
    prefixes = [key[:n] for n in range(len(key), 3, -1)]
    found = {b.address_key: b for b in buildings.filter(address_key__in=prefixes)}
    for prefix in prefixes:
        if prefix in found:
            return _match(found[prefix], "address")
    compounds_named = Compound.objects.alias(text=Value(key)).filter(text__contains=F("name"))
    if within:
        compounds_named = compounds_named.within(at_most(within, "community"))
    for compound in sorted(compounds_named, key=lambda c: -len(c.name)):
        rest = key.split(normalize_address(compound.name), 1)[-1]
        candidates = sorted(
            buildings.filter(compound=compound), key=lambda b: -len(normalize_address(b.name))
        )
        for building in candidates:
            name = normalize_address(building.name)
            if rest.startswith(name) or rest.startswith(name.rstrip("栋幢号楼")):
                return _match(building, "compound")
    return None


def _match(building: Building, how: str) -> AddressMatch:
    lon, lat = building.lon, building.lat
    if lon is None or lat is None:
        lon, lat = building.grid.centroid_lon, building.grid.centroid_lat
    return AddressMatch(building=building, grid_code=building.grid.code, lon=lon, lat=lat, how=how)
