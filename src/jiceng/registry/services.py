"""Every write to the register's people (places: ``registry.places``): keyword-only, the acting
user, one transaction, audited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core import personal
from jiceng.core.audit import RowRef, audit, entry, entry_values
from jiceng.core.bulk import audit_many, bulk_insert, insert_rows, rows_in
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.fields import encrypted_fields, lookup_hashes
from jiceng.core.personal import validate_id_number, validate_mobile
from jiceng.registry import permissions
from jiceng.registry.models import (
    CareTag,
    Dwelling,
    Household,
    Person,
    PersonEvent,
    Residence,
)

EDITABLE = ("name", "ethnicity", "residence_type", "relation", "note")


def _require_edit(user, obj) -> None:
    if not permissions.can_edit(user, obj):
        raise Forbidden(_("您没有修改此记录的权限。"))


def _actor(by):
    return by if getattr(by, "is_authenticated", False) else None


def _event(person: Person, action: str, by, note: str = "", **detail: Any) -> None:
    PersonEvent.objects.create(
        person=person,
        action=action,
        actor=_actor(by),
        note=note[:500],
        detail=detail,
        scope_code=person.scope_code,
    )


@dataclass
class PersonData:
    """What a form, the API or an import row gives for a person (ID and phone as typed)."""

    name: str
    id_number: str = ""
    phone: str = ""
    ethnicity: str = ""
    residence_type: str = Person.ResidenceType.REGISTERED
    relation: str = ""
    note: str = ""

    def cleaned(self) -> dict[str, Any]:
        """Validated values; a UserError names the first thing wrong."""
        name = (self.name or "").strip()
        if not name:
            raise UserError(_("姓名不能为空。"), field="name")
        if len(name) > 50:
            raise UserError(_("姓名不能超过 50 个字。"), field="name")
        values: dict[str, Any] = {
            "name": name,
            "ethnicity": (self.ethnicity or "").strip()[:20],
            "note": (self.note or "").strip()[:500],
        }
        if self.residence_type not in Person.ResidenceType.values:
            raise UserError(_("未知的人口类型。"), field="residence_type")
        values["residence_type"] = self.residence_type
        if self.relation and self.relation not in Person.Relation.values:
            raise UserError(_("未知的与户主关系。"), field="relation")
        values["relation"] = self.relation or ""
        if self.id_number:
            info = validate_id_number(self.id_number)
            values.update(id_number=info.number, birth_date=info.birth_date, gender=info.gender)
        else:
            values.update(id_number=None)
        values["phone"] = validate_mobile(self.phone) if self.phone else None
        return values


def find_by_id_number(id_number: str) -> Person | None:
    """The person with this ID number, through the keyed hash (never decrypting the table)."""
    number = validate_id_number(id_number).number
    return Person.objects.filter(id_number_hash__in=lookup_hashes("id", number)).first()


def _check_unique_id(number: str | None, exclude: int | None = None) -> None:
    if not number:
        return
    rows = Person.objects.filter(id_number_hash__in=lookup_hashes("id", number))
    if exclude:
        rows = rows.exclude(pk=exclude)
    if rows.exists():
        raise UserError(_("该身份证号已登记在册，请查找此人后修改或迁入。"), field="id_number")


def _households_of(dwellings: dict[int, str]) -> dict[int, int]:
    """The household of each dwelling (by id, with its scope code): its first one, made in
    one insert where there is none."""
    households: dict[int, int] = {}
    for hid, did in sorted(rows_in(Household, "dwelling_id", list(dwellings), "id", "dwelling")):
        households.setdefault(did, hid)
    made = [
        Household(dwelling_id=d, scope_code=s) for d, s in dwellings.items() if d not in households
    ]
    bulk_insert(Household, made)
    households.update({h.dwelling_id: h.pk for h in made})
    return households


def _leave_households(people: list[Person]) -> None:
    """People leaving their households are no longer their heads."""
    heads = [p.pk for p in people if p.household_id]
    if heads:
        Household.objects.filter(
            pk__in=[p.household_id for p in people if p.household_id], head_id__in=heads
        ).update(head=None)


def _leave_household(person: Person) -> None:
    _leave_households([person])


def _join(people: list[Person]) -> None:
    """Before saving: each person joins the household of the dwelling their ``dwelling_id``
    names (the caller set it and ``scope_code``)."""
    households = _households_of({p.dwelling_id: p.scope_code for p in people})
    for person in people:
        person.household_id = households[person.dwelling_id]


def _settle(people: list[tuple[int, Mapping[str, Any]]], *, on: date, note: str) -> None:
    """After saving people who joined their dwelling's household, each given by id with its
    columns (the row ``people_create`` wrote, or a person's ``vars``): a residence each from
    ``on``, and a head of the household becomes its head (the last one, in a file)."""
    insert_rows(
        Residence,
        [
            {
                "person_id": pk,
                "dwelling_id": p["dwelling_id"],
                "moved_in": on,
                "note": note[:200],
                "scope_code": p["scope_code"],
            }
            for pk, p in people
        ],
    )
    head = Person.Relation.HEAD
    heads = {p["household_id"]: pk for pk, p in people if p.get("relation") == head}
    if heads:
        # One statement whatever the count (a bulk_update's CASE grows with every row).
        Household.objects.filter(pk__in=list(heads)).update(
            head=Subquery(
                Person.objects.filter(household_id=OuterRef("pk"), pk__in=list(heads.values()))
                .order_by("-pk")
                .values("pk")[:1]
            ),
            updated_at=timezone.now(),
        )


def person_create(
    *, data: PersonData, dwelling: Dwelling, by, moved_in: date | None = None, request=None
) -> Person:
    """Register a person living in a dwelling."""
    _require_edit(by, dwelling)
    values = data.cleaned()
    with transaction.atomic():
        _check_unique_id(values["id_number"])
        values.update(dwelling_id=dwelling.pk, scope_code=dwelling.scope_code)
        (pk,) = people_create(
            people=[(values, str(dwelling))],
            by=by,
            on=moved_in or timezone.localdate(),
            request=request,
        )
    return Person.objects.get(pk=pk)


def people_create(
    *, people: list[tuple[dict[str, Any], str]], by, on: date, note: str = "", request=None
) -> list[int]:
    """Register new people (the page one, the import a chunk at a time), each given as the
    columns of its row (attribute names: values cleaned, ``dwelling_id`` and ``scope_code``
    set, ID numbers found new by the caller, ``id_number_hash`` where the caller hashed the
    number already) with how the history names their dwelling. Each joins the dwelling's
    household, lives there from ``on``, and gets an event and an audit entry. The new ids, in
    order. Rows, not model objects: an import writes 100,000 of each."""
    if not people:
        return []
    rows = [row for row, _place in people]
    households = _households_of({row["dwelling_id"]: row["scope_code"] for row in rows})
    for row in rows:
        row["household_id"] = households[row["dwelling_id"]]
    ids = insert_rows(Person, rows)
    _settle(list(zip(ids, rows, strict=True)), on=on, note=note)
    actor_id = by.pk if _actor(by) else None
    insert_rows(
        PersonEvent,
        [
            {
                "person_id": pk,
                "action": PersonEvent.Action.CREATED,
                "actor_id": actor_id,
                "note": note[:500],
                "detail": {"dwelling": place},
                "scope_code": row["scope_code"],
            }
            for pk, (row, place) in zip(ids, people, strict=True)
        ],
    )
    audit_many(
        [
            entry_values(
                actor=by,
                action="registry.person_create",
                obj=RowRef(Person, pk, row["name"], row["scope_code"]),  # as Person's str
                request=request,
            )
            for pk, row in zip(ids, rows, strict=True)
        ]
    )
    return ids


def person_update(
    *, person: Person, data: PersonData, by, expected_version: int | None = None, request=None
) -> Person:
    """Change a person's details; the history names the fields that changed (never ID/phone
    values)."""
    _require_edit(by, person)
    values = data.cleaned()
    # The edit form never shows ID and phone whole: left blank, they stay as they are.
    if not data.id_number:
        for key in ("id_number", "birth_date", "gender"):
            values.pop(key, None)
    if not data.phone:
        values.pop("phone", None)
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if expected_version is not None and locked.version != expected_version:
            raise UserError(_("此记录已被他人修改，请刷新后重试。"), status=409)
        _check_unique_id(values.get("id_number"), exclude=locked.pk)
        changed = [k for k, v in values.items() if getattr(locked, k) != v]
        if not changed:
            return locked
        for key in changed:
            setattr(locked, key, values[key])
        people_edited(changes=[(locked, changed)], by=by, request=request)
    return locked


def people_edited(
    *, changes: list[tuple[Person, list[str]]], by, note: str = "", request=None
) -> None:
    """Write people whose details the caller changed (the page one, the import a chunk at a
    time; rows locked by the caller, ``changes`` naming each one's changed fields): a new
    version, the household's head when the relation changed, an event and an audit entry each."""
    if not changes:
        return
    now = timezone.now()
    columns = {"version", "updated_at"}
    for person, changed in changes:
        person.version += 1
        person.updated_at = now
        columns.update(changed)
        for encrypted in encrypted_fields(Person):
            if encrypted.attname in changed:  # bulk_update skips pre_save, which sets the hash
                value = getattr(person, encrypted.attname)
                setattr(person, encrypted.hash_field, encrypted.hash_of(value))
                columns.add(encrypted.hash_field)
        if "relation" in changed and person.household_id:
            if person.relation == Person.Relation.HEAD:
                Household.objects.filter(pk=person.household_id).update(head=person)
            else:
                _leave_household(person)
    Person.objects.bulk_update([p for p, _changed in changes], sorted(columns))
    actor = _actor(by)
    bulk_insert(
        PersonEvent,
        [
            PersonEvent(
                person=p,
                action=PersonEvent.Action.EDITED,
                actor=actor,
                note=note[:500],
                detail={"fields": changed},
                scope_code=p.scope_code,
            )
            for p, changed in changes
        ],
    )
    audit_many(
        [
            entry(
                actor=by,
                action="registry.person_update",
                obj=p,
                request=request,
                detail={"fields": changed},
            )
            for p, changed in changes
        ]
    )


@dataclass
class Move:
    """One person moving into a dwelling: the person's row (locked by the caller), the
    dwelling's id and scope code, and how the history names it."""

    person: Person
    dwelling_id: int
    scope_code: str
    place: str


def check_moves(
    *, moves: list[Move], by, on: date
) -> tuple[list[Move], list[tuple[Move, UserError]]]:
    """The rules of a move, for one person or a file of them, in the page's words: into a
    dwelling of the actor's scope, nobody deceased, nobody taken out of a dwelling of another
    scope, not into the dwelling they live in, on a date neither in the future nor before the
    last move in. Returns the moves allowed and the moves refused with their reasons."""
    current = dict(
        Residence.objects.filter(
            person_id__in=[m.person.pk for m in moves], moved_out__isnull=True
        ).values_list("person_id", "moved_in")
    )
    allowed: list[Move] = []
    refused: list[tuple[Move, UserError]] = []
    for move in moves:
        person = move.person
        last = current.get(person.pk)
        if not permissions.can_edit(by, move):  # the dwelling moved into
            reason: UserError = Forbidden(_("您没有修改此记录的权限。"))
        elif person.status == Person.Status.DECEASED:
            reason = UserError(_("已故人员不能迁入。"))
        elif person.dwelling_id and not permissions.can_edit(by, person):
            # Moving someone out of another community's dwelling is that community's to record.
            reason = Forbidden(_("此人登记在其他辖区的房屋中，请联系其所在社区办理迁出。"))
        elif person.dwelling_id == move.dwelling_id:
            reason = UserError(_("此人已住在该房屋。"))
        elif on > timezone.localdate():
            reason = UserError(_("迁入日期不能晚于今天。"))
        elif last is not None and on < last:
            reason = UserError(_("迁入日期不能早于上一次迁入的日期。"))
        else:
            allowed.append(move)
            continue
        refused.append((move, reason))
    return allowed, refused


def people_move(
    *, moves: list[Move], by, on: date, note: str = "", request=None
) -> list[tuple[Move, UserError]]:
    """Move people into dwellings (the page one, the import a chunk at a time; rows locked by
    the caller). A move that ``check_moves`` refuses changes nothing and is returned with its
    reason; each other ends the current stay, leaves the old household for the new dwelling's,
    and gets an event (moved, or moved in when the person lived nowhere) and an audit entry."""
    allowed, refused = check_moves(moves=moves, by=by, on=on)
    if not allowed:
        return refused
    people = [m.person for m in allowed]
    Residence.objects.filter(person_id__in=[p.pk for p in people], moved_out__isnull=True).update(
        moved_out=on
    )
    actions = {
        p.pk: PersonEvent.Action.MOVED if p.dwelling_id else PersonEvent.Action.MOVED_IN
        for p in people
    }
    _leave_households(people)
    now = timezone.now()
    for move in allowed:
        person = move.person
        person.dwelling_id = move.dwelling_id
        person.scope_code = move.scope_code
        person.status = Person.Status.LIVING
        person.version += 1
        person.updated_at = now
    _join(people)
    Person.objects.bulk_update(
        people, ["dwelling", "household", "scope_code", "status", "version", "updated_at"]
    )
    _settle([(p.pk, vars(p)) for p in people], on=on, note=note)
    actor = _actor(by)
    bulk_insert(
        PersonEvent,
        [
            PersonEvent(
                person=m.person,
                action=actions[m.person.pk],
                actor=actor,
                note=note[:500],
                detail={"dwelling": m.place},
                scope_code=m.scope_code,
            )
            for m in allowed
        ],
    )
    audit_many(
        [
            entry(
                actor=by,
                action="registry.person_move",
                obj=m.person,
                request=request,
                detail={"to": m.dwelling_id},
            )
            for m in allowed
        ]
    )
    return refused


def person_move(
    *, person: Person, to: Dwelling, by, on: date | None = None, note: str = "", request=None
) -> Person:
    """Move a person into another dwelling (or back in after moving out); the old stay ends."""
    _require_edit(by, to)
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        move = Move(person=locked, dwelling_id=to.pk, scope_code=to.scope_code, place=str(to))
        refused = people_move(moves=[move], by=by, on=on, note=note, request=request)
        if refused:
            raise refused[0][1]
    return locked


def _end_residence(person: Person, on: date) -> None:
    current = Residence.objects.filter(person=person, moved_out__isnull=True).first()
    if current:
        if on < current.moved_in:
            raise UserError(_("日期不能早于迁入日期（%(d)s）。") % {"d": current.moved_in})
        current.moved_out = on
        current.save(update_fields=["moved_out"])


def person_move_out(
    *, person: Person, by, on: date | None = None, note: str = "", request=None
) -> Person:
    """Record that a person has left; the record and its history stay."""
    _require_edit(by, person)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise UserError(_("迁出日期不能晚于今天。"))
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if locked.status != Person.Status.LIVING:
            raise UserError(_("此人不在册，无需迁出。"))
        _end_residence(locked, on)
        _leave_household(locked)
        locked.status = Person.Status.MOVED_OUT
        locked.dwelling = None
        locked.household = None
        locked.version += 1
        locked.save()
        _event(locked, PersonEvent.Action.MOVED_OUT, by, note, on=on.isoformat())
        audit(actor=by, action="registry.person_move_out", obj=locked, request=request)
    return locked


def person_mark_deceased(*, person: Person, by, on: date, note: str = "", request=None) -> Person:
    """Record a death; the person leaves every list of the living, the record stays."""
    _require_edit(by, person)
    if on > timezone.localdate():
        raise UserError(_("死亡日期不能晚于今天。"))
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if locked.status == Person.Status.DECEASED:
            raise UserError(_("此人已标记为已故。"))
        if locked.birth_date and on < locked.birth_date:
            raise UserError(_("死亡日期不能早于出生日期。"))
        _end_residence(locked, on)
        _leave_household(locked)
        locked.status = Person.Status.DECEASED
        locked.died_on = on
        locked.dwelling = None
        locked.household = None
        locked.version += 1
        locked.save()
        CareTag.objects.filter(person=locked, ended_at__isnull=True).update(ended_at=timezone.now())
        _event(locked, PersonEvent.Action.DECEASED, by, note, on=on.isoformat())
        audit(actor=by, action="registry.person_deceased", obj=locked, request=request)
    return locked


def care_tag_set(*, person: Person, tag: str, on: bool, by, note: str = "", request=None) -> None:
    """Add or end a care tag on a person (only roles that serve them)."""
    if not permissions.can_see_care(by, person.scope_code) or not permissions.can_edit(by, person):
        raise Forbidden(_("您没有管理关爱标签的权限。"))
    if tag not in CareTag.Tag.values:
        raise UserError(_("未知的关爱标签。"))
    with transaction.atomic():
        active = CareTag.objects.filter(person=person, tag=tag, ended_at__isnull=True)
        if on:
            if active.exists():
                return
            CareTag.objects.create(
                person=person, tag=tag, note=note[:200], scope_code=person.scope_code
            )
            _event(person, PersonEvent.Action.TAGGED, by, note, tag=tag)
        else:
            if not active.update(ended_at=timezone.now()):
                return
            _event(person, PersonEvent.Action.UNTAGGED, by, note, tag=tag)
        audit(
            actor=by,
            action="registry.care_tag",
            obj=person,
            request=request,
            detail={"tag": tag, "on": on},
        )


REVEALABLE = {"id_number": _("身份证号"), "phone": _("联系电话")}


def reveal(*, person: Person, field: str, reason: str, by, request=None) -> str:
    """One field shown whole: needs the permission and a reason, and is audited."""
    if field not in REVEALABLE:
        raise UserError(_("只能查看身份证号或联系电话。"))
    if not permissions.can_reveal(by, person):
        raise Forbidden(_("您没有查看完整个人信息的权限。"))
    return personal.reveal(
        by=by,
        obj=person,
        field=field,
        value=getattr(person, field),
        reason=reason,
        action="registry.reveal",
        request=request,
    )
