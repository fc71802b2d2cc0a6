"""The cases JSON API: list (scoped, by stage and overdue), report, read, act."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from jiceng.cases import selectors, services, workflow
from jiceng.cases.models import Case
from jiceng.cases.permissions import REPORTER_ROLES
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.inputs import Coordinate, Count, Id, Pagination

router = Router(tags=["cases"])


class CaseOut(Schema):
    number: str
    category_code: str
    category_name: str
    status: str
    triage: str
    scope_code: str
    handler: str | None
    deadline_at: datetime | None
    created_at: datetime
    version: int

    @staticmethod
    def resolve_category_code(obj: Case) -> str:
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj: Case) -> str:
        return obj.category.name

    @staticmethod
    def resolve_handler(obj: Case) -> str | None:
        return obj.handler.name if obj.handler_id else None


class EventOut(Schema):
    at: datetime
    action: str
    from_status: str
    to_status: str
    note: str


class CaseDetailOut(CaseOut):
    description: str
    rework_count: int
    rating: str
    events: list[EventOut]

    @staticmethod
    def resolve_events(obj: Case) -> list:
        return list(obj.events.all())


class ReportIn(Schema):
    category: str
    description: str
    lon: Coordinate | None = None
    lat: Coordinate | None = None
    grid: str | None = None
    address: str = ""
    is_anonymous: bool = False
    contact_phone: str = ""
    client_token: str | None = None


class ActionIn(Schema):
    version: Count
    note: str = ""
    triage: str | None = None
    to_unit: Id | None = None
    rating: str | None = None
    into: str | None = None


@router.get("/", response=list[CaseOut], summary="我能看到的案件（默认未结）")
@paginate(Pagination)
def case_list(request, status: str = "", overdue: bool = False, q: str = ""):
    filters = selectors.InboxFilters(status=status, overdue=overdue, query=q)
    if status and status not in workflow.Status.values and status != "open":
        raise UserError(_("未知的阶段：{status}").format(status=status))
    return selectors.inbox(user=request.user, filters=filters, with_total=True)


@router.post("/", response={201: CaseDetailOut}, summary="上报问题")
def case_create(request, payload: ReportIn):
    if not request.user.has_role(*REPORTER_ROLES):
        raise Forbidden(_("只有居民和网格员可以上报问题。"))
    case = services.case_report(by=request.user, request=request, **payload.dict())
    return Status(201, case)  # the reporter may always see their own case


@router.get("/{number}", response=CaseDetailOut, summary="一个案件及其流转记录")
def case_detail(request, number: str):
    return selectors.case_for(user=request.user, number=number)


@router.post("/{number}/actions/{action}", response=CaseDetailOut, summary="对案件执行一个操作")
def case_act(request, number: str, action: str, payload: ActionIn):
    case = selectors.case_for(user=request.user, number=number)
    services.case_act(
        case=case,
        action=action,
        by=request.user,
        expected_version=payload.version,
        note=payload.note,
        triage=payload.triage,
        to_unit_id=payload.to_unit,
        rating=payload.rating,
        into_number=payload.into,
        request=request,
    )
    return selectors.case_for(user=request.user, number=number)
