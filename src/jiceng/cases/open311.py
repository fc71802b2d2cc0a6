"""GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at /open311/v2/.

Services are the active leaf categories; requests are cases. JSON and XML by the path's
extension; errors in the spec's format. Posting needs an api_key; reading is public and then
leaves out the description (it may hold personal details) unless a valid api_key is given.
"""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from jiceng.cases import services
from jiceng.cases.models import Case, CaseCategory, CasePhoto, Open311Key, private_q
from jiceng.cases.workflow import OPEN, Status
from jiceng.core.errors import UserError
from jiceng.core.inputs import in_day_range
from jiceng.core.uploads import signed_url

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
CLOSED = {Status.CLOSED, Status.EVALUATED, Status.REJECTED, Status.MERGED}
PAGE = 1000


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _render(items: list[dict], fmt: str, root: str, item: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        top = ET.Element(root)
        for row in items:
            node = ET.SubElement(top, item)
            for key, value in row.items():
                child = ET.SubElement(node, key)
                if isinstance(value, list):
                    child.text = ",".join(str(v) for v in value)
                elif value is not None:
                    child.text = str(value).lower() if isinstance(value, bool) else str(value)
        body = ET.tostring(top, encoding="unicode", xml_declaration=False)
        return HttpResponse(
            '<?xml version="1.0" encoding="utf-8"?>' + body,
            content_type=FORMATS["xml"],
            status=status,
        )
    return HttpResponse(
        json.dumps(items, ensure_ascii=False), content_type=FORMATS["json"], status=status
    )


def _error(fmt: str, code: int, description: str) -> HttpResponse:
    return _render(
        [{"code": code, "description": description}],
        fmt if fmt in FORMATS else "json",
        "errors",
        "error",
        status=code,
    )


def _fmt(fmt: str) -> str | None:
    return fmt if fmt in FORMATS else None


def _key(request) -> Open311Key | None:
    return services.open311_key_for(request.POST.get("api_key") or request.GET.get("api_key"))


def _readable(key: Open311Key | None) -> QuerySet[Case]:
    """What Open311 reads out: the public cases (private matters stay out of every public list
    and count), and for a key also the requests its own account reported."""
    cases = Case.objects.select_related("category", "handler")
    if key is None:
        return cases.public()
    return cases.filter(~private_q() | Q(reporter=key.account))


def _service(c: CaseCategory) -> dict:
    return {
        "service_code": c.code,
        "service_name": c.name,
        "description": c.name,
        "metadata": False,
        "type": "realtime",
        "keywords": c.get_kind_display(),
        "group": c.parent.name if c.parent else "",
    }


def _leaves():
    return CaseCategory.objects.filter(is_active=True, children__isnull=True).select_related(
        "parent"
    )


def _media_url(case: Case, request, key: Open311Key | None) -> str | None:
    """The first photo the reporter sent (prefetched as ``report_photos``), as a short-lived
    signed link, for the key whose account reported the case: photos are personal data, so
    other readers, the public included, get none (staff see them on the case's page)."""
    if key is None or case.reporter_id != key.account_id:
        return None
    photos = getattr(case, "report_photos", None)
    if photos is None:
        photos = list(case.photos.filter(kind=CasePhoto.Kind.REPORT)[:1])
    return signed_url(request, photos[0].image.name) if photos else None


def _with_media(cases):
    return cases.prefetch_related(
        Prefetch(
            "photos",
            queryset=CasePhoto.objects.filter(kind=CasePhoto.Kind.REPORT),
            to_attr="report_photos",
        )
    )


def _request(case: Case, *, full: bool, request=None, key: Open311Key | None = None) -> dict:
    row = {
        "service_request_id": case.number,
        "status": "closed" if case.status in CLOSED else "open",
        "status_notes": case.get_status_display(),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.description if full else None,
        "agency_responsible": case.handler.name if case.handler_id else None,
        "service_notice": None,
        "requested_datetime": _iso(case.created_at),
        "updated_datetime": _iso(case.updated_at),
        "expected_datetime": _iso(case.deadline_at) if case.status in OPEN else None,
        "address": case.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lon,
        "media_url": _media_url(case, request, key) if request is not None else None,
    }
    return row


def services_list(request, fmt: str):
    if not _fmt(fmt):
        return _error("json", 400, "format must be json or xml")
    return _render([_service(c) for c in _leaves()], fmt, "services", "service")


def service_definition(request, code: str, fmt: str):
    if not _fmt(fmt):
        return _error("json", 400, "format must be json or xml")
    category = _leaves().filter(code=code).first()
    if category is None:
        return _error(fmt, 404, f"service_code {code} not found")
    if fmt == "xml":
        top = ET.Element("service_definition")
        ET.SubElement(top, "service_code").text = category.code
        ET.SubElement(top, "attributes")
        return HttpResponse(
            '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="unicode"),
            content_type=FORMATS["xml"],
        )
    return HttpResponse(
        json.dumps({"service_code": category.code, "attributes": []}), content_type=FORMATS["json"]
    )


@csrf_exempt
def requests_view(request, fmt: str):
    if not _fmt(fmt):
        return _error("json", 400, "format must be json or xml")
    if request.method == "POST":
        return _post_request(request, fmt)
    if request.method != "GET":
        return _error(fmt, 405, "method not allowed")
    key = _key(request)
    full = key is not None
    cases = _with_media(_readable(key).order_by("-created_at"))
    ids = request.GET.get("service_request_id")
    if ids:
        cases = cases.filter(number__in=[i.strip() for i in ids.split(",") if i.strip()])
    else:
        if request.GET.get("service_code"):
            cases = cases.filter(category__code__in=request.GET["service_code"].split(","))
        status = request.GET.get("status")
        if status:
            wanted = set(status.split(","))
            if not wanted <= {"open", "closed"}:
                return _error(fmt, 400, "status must be open or closed")
            if wanted == {"open"}:
                cases = cases.exclude(status__in=CLOSED)
            elif wanted == {"closed"}:
                cases = cases.filter(status__in=CLOSED)
        now = timezone.now()
        start = request.GET.get("start_date")
        end = request.GET.get("end_date")
        try:
            start_at = parse_datetime(start) if start else now - timezone.timedelta(days=90)
            end_at = parse_datetime(end) if end else now
        except ValueError:
            start_at = end_at = None
        if start_at is None or end_at is None:
            return _error(fmt, 400, "start_date and end_date must be W3C datetimes")
        if not (in_day_range(start_at.date()) and in_day_range(end_at.date())):
            return _error(fmt, 400, "start_date and end_date must lie between 1900 and 2100")
        cases = cases.filter(created_at__gte=start_at, created_at__lte=end_at)
    return _render(
        [_request(c, full=full, request=request, key=key) for c in cases[:PAGE]],
        fmt,
        "service_requests",
        "request",
    )


def request_detail(request, number: str, fmt: str):
    if not _fmt(fmt):
        return _error("json", 400, "format must be json or xml")
    key = _key(request)
    case = _readable(key).filter(number=number).first()
    if case is None:
        return _error(fmt, 404, f"service_request_id {number} not found")
    return _render(
        [_request(case, full=key is not None, request=request, key=key)],
        fmt,
        "service_requests",
        "request",
    )


def token_detail(request, token: str, fmt: str):
    """GET service_request_id from a token (the spec's /tokens/{token}): every POST answers
    with both, so a client that keeps only the token can still find its request."""
    if not _fmt(fmt):
        return _error("json", 400, "format must be json or xml")
    case = Case.objects.filter(client_token=token, source=Case.Source.OPEN311).first()
    if case is None:
        return _error(fmt, 404, f"token {token} not found")
    return _render(
        [{"service_request_id": case.number, "token": token}], fmt, "service_requests", "request"
    )


def _untold(code: str) -> str:
    category = CaseCategory.objects.filter(code=code).first()
    return f"{category.name}（未附描述）" if category else ""


def _post_request(request, fmt: str):
    key = _key(request)
    if key is None:
        return _error(fmt, 403, "api_key missing or invalid")
    data = request.POST
    if not data.get("service_code"):
        return _error(fmt, 400, "service_code is required")
    if not (data.get("lat") and data.get("long")) and not data.get("address_string"):
        return _error(fmt, 400, "lat and long, or address_string, are required")
    token = str(uuid.uuid4())
    try:
        case = services.case_report(
            by=key.account,
            category=data["service_code"],
            # The spec makes description optional: the service itself then says what it is.
            description=data.get("description", "").strip() or _untold(data["service_code"]),
            lon=data.get("long"),
            lat=data.get("lat"),
            address=data.get("address_string", ""),
            # The spec's phone: the number to call back (encrypted, shown masked to staff).
            contact_phone=data.get("phone", ""),
            source=Case.Source.OPEN311,
            # Photos sent with the request as multipart "media" (as GeoReport servers commonly
            # accept); a media_url elsewhere is not fetched (no outbound network).
            photos=request.FILES.getlist("media"),
            client_token=token,
            request=request,
        )
    except UserError as exc:
        code = 404 if exc.field == "category" and "未知" in exc.message else 400
        return _error(fmt, code, exc.message)
    return _render(
        [
            {
                "service_request_id": case.number,
                "token": token,
                "service_notice": "已受理",
                "account_id": None,
            }
        ],
        fmt,
        "service_requests",
        "request",
        status=201,
    )


urlpatterns = [
    path("services.<str:fmt>", services_list),
    path("services/<str:code>.<str:fmt>", service_definition),
    path("requests.<str:fmt>", requests_view),
    path("requests/<str:number>.<str:fmt>", request_detail),
    path("tokens/<str:token>.<str:fmt>", token_detail),
]
