"""The register's JSON API: scoped like the pages, masked, with the columns of the caller's role
(fields a role does not need are left out of the answer)."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from jiceng.core.errors import NotFound
from jiceng.core.inputs import Count, Day, Id, Pagination
from jiceng.registry import excel, permissions, selectors, services
from jiceng.registry.models import ImportJob, Person

router = Router(tags=["registry"])


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    # None is left out of the answer (exclude_none), so these are optional in the schema
    birth_date: date | None = None
    age: int | None = None
    status: str
    residence_type: str
    relation: str
    scope_code: str
    dwelling_id: int | None = None
    address: str
    version: int
    id_number_masked: str | None = None
    phone_masked: str | None = None
    care_tags: list[str] | None = None


class ResidenceOut(Schema):
    dwelling_id: int
    address: str
    moved_in: date
    moved_out: date | None = None


class PersonEventOut(Schema):
    at: datetime
    action: str
    note: str
    detail: dict


class PersonDetailOut(PersonOut):
    residences: list[ResidenceOut]
    events: list[PersonEventOut]


class PersonIn(Schema):
    name: str
    id_number: str = ""
    phone: str = ""
    ethnicity: str = ""
    residence_type: str = Person.ResidenceType.REGISTERED
    relation: str = ""
    note: str = ""


class PersonCreateIn(PersonIn):
    dwelling: Id
    moved_in: Day | None = None


class PersonUpdateIn(PersonIn):
    version: Count


class RevealIn(Schema):
    field: str
    reason: str


class RevealOut(Schema):
    field: str
    value: str


class MoveIn(Schema):
    dwelling: Id
    on: Day | None = None
    note: str = ""


class StatusIn(Schema):
    on: Day | None = None
    note: str = ""


class PlaceOut(Schema):
    building_id: int
    building: str
    address: str
    grid_code: str
    lon: float | None
    lat: float | None
    how: str


class ImportOut(Schema):
    id: int
    status: str
    percent: int
    total: int
    processed: int
    created: int
    updated: int
    unchanged: int
    failed: int
    message: str
    errors: list[dict]


def _address(person: Person) -> str:
    d = person.dwelling
    return str(d) if d is not None else ""


def _person_out(user, person: Person, *, detail: bool = False) -> dict:
    columns = permissions.columns_for(user)
    out = {
        "id": person.pk,
        "name": person.name,
        "gender": person.gender,
        "birth_date": person.birth_date,
        "age": person.age,
        "status": person.status,
        "residence_type": person.residence_type,
        "relation": person.relation,
        "scope_code": person.scope_code,
        "dwelling_id": person.dwelling_id,
        "address": _address(person),
        "version": person.version,
    }
    if "phone" in columns and permissions.can_reveal(user, person):
        out["id_number_masked"] = person.id_number_masked
        out["phone_masked"] = person.phone_masked
    if permissions.can_see_care(user, person.scope_code):
        out["care_tags"] = [t.tag for t in getattr(person, "visible_tags", [])]
    if detail:
        out["residences"] = [
            {
                "dwelling_id": r.dwelling_id,
                "address": str(r.dwelling),
                "moved_in": r.moved_in,
                "moved_out": r.moved_out,
            }
            for r in person.residences.select_related("dwelling__building__compound")
        ]
        out["events"] = list(person.events.values("at", "action", "note", "detail"))
    return out


def _detail(request: HttpRequest, pk: int) -> dict:
    person = selectors.person_for(user=request.user, pk=pk)
    selectors.with_care_tags(request.user, [person])
    return _person_out(request.user, person, detail=True)


@router.get(
    "/people",
    response=list[PersonOut],
    exclude_none=True,
    summary="查找居民（姓名、手机号、身份证号）",
)
@paginate(Pagination)
def person_list(request, q: str = "", status: str = "living", tag: str = ""):
    filters = selectors.PeopleFilters.from_params({"q": q, "status": status, "tag": tag})
    return _PeoplePage(request.user, selectors.people(user=request.user, filters=filters))


class _PeoplePage:
    """A lazily sliced list of people, turned into the role's columns page by page."""

    def __init__(self, user, rows):
        self.user, self.rows = user, rows

    def count(self) -> int:
        return self.rows.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        people = selectors.with_care_tags(self.user, list(self.rows[item]))
        return [_person_out(self.user, p) for p in people]


@router.get("/people/{pk}", response=PersonDetailOut, exclude_none=True, summary="一位居民及其记录")
def person_detail(request, pk: Id):
    return _detail(request, pk)


@router.post("/people", response={201: PersonDetailOut}, exclude_none=True, summary="登记居民")
def person_create(request, payload: PersonCreateIn):
    dwelling = selectors.dwelling_for(user=request.user, pk=payload.dwelling)
    data = services.PersonData(**payload.dict(exclude={"dwelling", "moved_in"}))
    person = services.person_create(
        data=data, dwelling=dwelling, by=request.user, moved_in=payload.moved_in, request=request
    )
    return Status(201, _detail(request, person.pk))


@router.put("/people/{pk}", response=PersonDetailOut, exclude_none=True, summary="修改居民信息")
def person_update(request, pk: Id, payload: PersonUpdateIn):
    person = selectors.person_for(user=request.user, pk=pk)
    data = services.PersonData(**payload.dict(exclude={"version"}))
    services.person_update(
        person=person, data=data, by=request.user, expected_version=payload.version, request=request
    )
    return _detail(request, pk)


@router.post(
    "/people/{pk}/reveal", response=RevealOut, summary="查看一项完整信息（需填写原因，留痕）"
)
def person_reveal(request, pk: Id, payload: RevealIn):
    person = selectors.person_for(user=request.user, pk=pk)
    value = services.reveal(
        person=person, field=payload.field, reason=payload.reason, by=request.user, request=request
    )
    return {"field": payload.field, "value": value}


@router.post(
    "/people/{pk}/move", response=PersonDetailOut, exclude_none=True, summary="迁居 / 迁入"
)
def person_move(request, pk: Id, payload: MoveIn):
    person = selectors.person_for(user=request.user, pk=pk)
    to = selectors.dwelling_for(user=request.user, pk=payload.dwelling)
    services.person_move(
        person=person, to=to, by=request.user, on=payload.on, note=payload.note, request=request
    )
    return _detail(request, pk)


@router.post("/people/{pk}/move-out", response=PersonDetailOut, exclude_none=True, summary="迁出")
def person_move_out(request, pk: Id, payload: StatusIn):
    person = selectors.person_for(user=request.user, pk=pk)
    services.person_move_out(
        person=person, by=request.user, on=payload.on, note=payload.note, request=request
    )
    return _detail(request, pk)


@router.post(
    "/people/{pk}/deceased", response=PersonDetailOut, exclude_none=True, summary="标记已故"
)
def person_deceased(request, pk: Id, payload: StatusIn):
    person = selectors.person_for(user=request.user, pk=pk)
    services.person_mark_deceased(
        person=person,
        by=request.user,
        on=payload.on or timezone.localdate(),
        note=payload.note,
        request=request,
    )
    return _detail(request, pk)


class CompoundOut(Schema):
    id: int
    name: str
    address: str
    community_code: str
    building_count: int


class BuildingOut(Schema):
    id: int
    name: str
    address: str
    grid_code: str
    lon: float | None
    lat: float | None
    dwelling_count: int
    people_count: int


class DwellingPersonOut(Schema):
    id: int
    name: str
    relation: str


class DwellingOut(Schema):
    id: int
    entrance: str
    number: str
    floor: int | None
    grid_code: str
    people: list[DwellingPersonOut]


@router.get("/compounds", response=list[CompoundOut], summary="我辖区的小区")
@paginate(Pagination)
def compound_list(request, q: str = ""):
    return [
        {
            "id": c.pk,
            "name": c.name,
            "address": c.address,
            "community_code": c.scope_code,
            "building_count": c.building_count,
        }
        for c in selectors.compounds(user=request.user, query=q)
    ]


@router.get("/compounds/{pk}/buildings", response=list[BuildingOut], summary="小区的楼栋")
def building_list(request, pk: Id):
    compound = selectors.compound_for(user=request.user, pk=pk)
    return [
        {
            "id": b.pk,
            "name": b.name,
            "address": b.address,
            "grid_code": b.scope_code,
            "lon": b.lon,
            "lat": b.lat,
            "dwelling_count": b.dwelling_count,
            "people_count": b.people_count,
        }
        for b in selectors.buildings_of(user=request.user, compound=compound)
    ]


@router.get("/buildings/{pk}/dwellings", response=list[DwellingOut], summary="楼栋的房屋和在册居民")
def dwelling_list(request, pk: Id):
    building = selectors.building_for(user=request.user, pk=pk)
    return [
        {
            "id": d.pk,
            "entrance": d.entrance,
            "number": d.number,
            "floor": d.floor,
            "grid_code": d.scope_code,
            "people": [{"id": p.pk, "name": p.name, "relation": p.relation} for p in d.living],
        }
        for _entrance, dwellings in selectors.dwellings_of(building=building)
        for d in dwellings
    ]


@router.get("/export.xlsx", summary="导出本辖区台账（Excel，按角色脱敏）")
def export(request):
    import os

    from django.http import FileResponse

    path = excel.export_people(user=request.user, request=request)
    handle = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    os.unlink(path)
    response = FileResponse(handle, content_type=excel.XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="register.xlsx"'
    return response


@router.get("/locate", response=PlaceOut, summary="地址 → 楼栋、网格和位置")
def locate(request, address: str):
    match = selectors.locate_address(address)
    if match is None:
        raise NotFound("没有找到这个地址对应的楼栋，请在地图上选择位置。")
    return {
        "building_id": match.building.pk,
        "building": str(match.building),
        "address": match.building.address,
        "grid_code": match.grid_code,
        "lon": match.lon,
        "lat": match.lat,
        "how": match.how,
    }


def _import_out(job: ImportJob) -> dict:
    return {
        "id": job.pk,
        "status": job.status,
        "percent": job.percent,
        "total": job.total,
        "processed": job.processed,
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "failed": job.failed,
        "message": job.message,
        "errors": job.errors[:1000],
    }


@router.post("/imports", response={202: ImportOut}, summary="上传 Excel 台账导入（后台进行）")
def import_create(request, file: UploadedFile = File(...)):  # noqa: B008
    job = excel.import_submit(upload=file, by=request.user)
    job.refresh_from_db()
    return Status(202, _import_out(job))


@router.get("/imports/{pk}", response=ImportOut, summary="导入进度与错误")
def import_status(request, pk: Id):
    job = ImportJob.objects.filter(pk=pk, by=request.user).first()
    if job is None:
        raise NotFound("没有找到这次导入。")
    return _import_out(job)
