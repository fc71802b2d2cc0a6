"""Every write to the register: keyword-only, the acting user, one transaction, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core import personal
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.fields import lookup_hashes
from jiceng.core.personal import validate_id_number, validate_mobile
from jiceng.geo.lookup import locate_or_error
from jiceng.geo.models import Division
from jiceng.registry import permissions
from jiceng.registry.models import (
    Building,
    CareTag,
    Compound,
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


def _event(person: Person, action: str, by, note: str = "", **detail: Any) -> None:
    PersonEvent.objects.create(
        person=person,
        action=action,
        actor=by if getattr(by, "is_authenticated", False) else None,
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


def household_for(dwelling: Dwelling) -> Household:
    """The dwelling's household (the first one; created when there is none)."""
    household = dwelling.households.order_by("id").first()
    if household is None:
        household = Household.objects.create(dwelling=dwelling, scope_code=dwelling.scope_code)
    return household


def _leave_household(person: Person) -> None:
    """A person leaving a household is no longer its head."""
    if person.household_id:
        Household.objects.filter(pk=person.household_id, head_id=person.pk).update(head=None)


def _settle(person: Person, dwelling: Dwelling, moved_in: date, note: str) -> None:
    household = household_for(dwelling)
    person.dwelling = dwelling
    person.household = household
    person.scope_code = dwelling.scope_code
    Residence.objects.create(
        person=person,
        dwelling=dwelling,
        moved_in=moved_in,
        note=note[:200],
        scope_code=dwelling.scope_code,
    )
    if person.relation == Person.Relation.HEAD:
        household.head = person
        household.save(update_fields=["head", "updated_at"])


def person_create(
    *, data: PersonData, dwelling: Dwelling, by, moved_in: date | None = None, request=None
) -> Person:
    """Register a person living in a dwelling."""
    _require_edit(by, dwelling)
    values = data.cleaned()
    with transaction.atomic():
        _check_unique_id(values["id_number"])
        person = Person(scope_code=dwelling.scope_code, **values)
        person.save()
        _settle(person, dwelling, moved_in or timezone.localdate(), "")
        person.save()
        _event(person, PersonEvent.Action.CREATED, by, dwelling=str(dwelling))
        audit(actor=by, action="registry.person_create", obj=person, request=request)
    return person


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
        for key, value in values.items():
            setattr(locked, key, value)
        locked.version += 1
        locked.save()
        if "relation" in changed and locked.household_id:
            if locked.relation == Person.Relation.HEAD:
                Household.objects.filter(pk=locked.household_id).update(head=locked)
            else:
                _leave_household(locked)
        _event(locked, PersonEvent.Action.EDITED, by, fields=changed)
        audit(
            actor=by,
            action="registry.person_update",
            obj=locked,
            request=request,
            detail={"fields": changed},
        )
    return locked


def person_move(
    *, person: Person, to: Dwelling, by, on: date | None = None, note: str = "", request=None
) -> Person:
    """Move a person into another dwelling (or back in after moving out); the old stay ends."""
    _require_edit(by, to)
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if locked.status == Person.Status.DECEASED:
            raise UserError(_("已故人员不能迁入。"))
        if locked.dwelling_id and not permissions.can_edit(by, locked):
            # Moving someone out of another community's dwelling is that community's to record.
            raise Forbidden(_("此人现住房屋不在您的管辖范围内，请联系其所在社区办理迁出。"))
        if locked.dwelling_id == to.pk:
            raise UserError(_("此人已住在该房屋。"))
        current = Residence.objects.filter(person=locked, moved_out__isnull=True).first()
        if current:
            if on < current.moved_in:
                raise UserError(_("迁入日期不能早于上一次迁入的日期。"))
            current.moved_out = on
            current.save(update_fields=["moved_out"])
        action = PersonEvent.Action.MOVED if locked.dwelling_id else PersonEvent.Action.MOVED_IN
        _leave_household(locked)
        _settle(locked, to, on, note)
        locked.status = Person.Status.LIVING
        locked.version += 1
        locked.save()
        _event(locked, action, by, note, dwelling=str(to))
        audit(
            actor=by,
            action="registry.person_move",
            obj=locked,
            request=request,
            detail={"to": to.pk},
        )
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


# --- places --------------------------------------------------------------------------------


def compound_create(*, community: Division, name: str, address: str = "", by) -> Compound:
    """A compound in a community (community staff)."""
    if community.level != "community":
        raise UserError(_("小区必须属于一个社区。"))
    if not permissions.can_edit(by, community):
        raise Forbidden(_("您没有在此社区登记小区的权限。"))
    name = (name or "").strip()
    if not name:
        raise UserError(_("小区名称不能为空。"), field="name")
    try:
        with transaction.atomic():
            compound = Compound.objects.create(
                community=community, name=name, address=address.strip(), scope_code=community.code
            )
            audit(actor=by, action="registry.compound_create", obj=compound)
    except IntegrityError as exc:
        raise UserError(_("本社区已有同名小区。"), field="name") from exc
    return compound


def building_create(
    *,
    compound: Compound | None,
    name: str,
    by,
    grid: Division | None = None,
    address: str = "",
    lon: float | None = None,
    lat: float | None = None,
    floors: int | None = None,
) -> Building:
    """A building placed in a grid: by its point when given (point -> grid), else the grid named."""
    if lon is not None and lat is not None:
        code = locate_or_error(lon, lat)
        located = Division.objects.get(code=code)
        if grid is not None and grid.pk != located.pk:
            raise UserError(_("楼栋位置在 %(g)s 内，与所选网格不符。") % {"g": located.name})
        grid = located
    if grid is None or grid.level != "grid":
        raise UserError(_("请选择楼栋所在的网格，或在地图上标出位置。"), field="grid")
    if compound is not None and not grid.code.startswith(compound.scope_code):
        raise UserError(_("网格不在该小区所属社区内。"), field="grid")
    if not permissions.can_edit(by, grid):
        raise Forbidden(_("您没有在此网格登记楼栋的权限。"))
    name = (name or "").strip()
    if not name:
        raise UserError(_("楼栋名称不能为空。"), field="name")
    try:
        with transaction.atomic():
            building = Building.objects.create(
                compound=compound,
                grid=grid,
                name=name,
                address=address.strip(),
                lon=lon,
                lat=lat,
                floors=floors,
            )
            audit(actor=by, action="registry.building_create", obj=building)
    except IntegrityError as exc:
        raise UserError(_("该小区已有同名楼栋。"), field="name") from exc
    return building


def dwelling_create(
    *, building: Building, number: str, by, entrance: str = "", floor: int | None = None
) -> Dwelling:
    """A dwelling in a building."""
    if not permissions.can_edit(by, building):
        raise Forbidden(_("您没有在此楼栋登记房屋的权限。"))
    number = (number or "").strip()
    if not number:
        raise UserError(_("房号不能为空。"), field="number")
    try:
        with transaction.atomic():
            dwelling = Dwelling.objects.create(
                building=building,
                entrance=(entrance or "").strip(),
                number=number,
                floor=floor,
                scope_code=building.scope_code,
            )
            audit(actor=by, action="registry.dwelling_create", obj=dwelling)
    except IntegrityError as exc:
        raise UserError(_("该楼栋该单元已有此房号。"), field="number") from exc
    return dwelling
