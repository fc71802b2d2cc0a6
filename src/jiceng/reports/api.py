"""The API under /api/reports/: the books a person may take for a place and a period, a
generation requested (one book, every book as a zip, the monthly report), its status, and its
file."""

from __future__ import annotations

from django.http import FileResponse
from ninja import Router, Schema, Status

from jiceng.core.inputs import Id, Int, Year
from jiceng.core.scope import visible_or_404
from jiceng.reports import permissions, services
from jiceng.reports.models import Generation
from jiceng.reports.periods import parse

router = Router(tags=["reports"])


class BookOut(Schema):
    key: str
    title: str
    period: str
    printed: bool
    definition: str


class GenerationIn(Schema):
    place: str
    kind: str = "books_zip"
    book: str = ""
    period_kind: str = "month"
    year: Year
    number: Int = 1


class GenerationOut(Schema):
    id: int
    status: str
    status_label: str
    percent: int
    message: str
    formats: list[str]


@router.get("/books", response=list[BookOut])
def books(request, place: str = "", period_kind: str = ""):
    found = permissions.place_for(request.user, place or None)
    return [
        BookOut(
            key=b.key,
            title=str(b.title),
            period=b.period,
            printed=b.printed,
            definition=str(b.definition),
        )
        for b in permissions.books_for(request.user, found)
        if not period_kind or b.period == period_kind
    ]


@router.post("/generations", response={201: GenerationOut})
def generation_create(request, payload: GenerationIn):
    place = permissions.place_for(request.user, payload.place)
    if payload.kind == Generation.Kind.BOOK:
        permissions.book_for(request.user, place, payload.book)
    item = services.request_generation(
        by=request.user,
        place=place,
        period=parse(payload.period_kind, payload.year, payload.number),
        kind=payload.kind,
        book_key=payload.book,
        request=request,
    )
    item.refresh_from_db()
    return Status(201, item.progress())


@router.get("/generations/{pk}", response=GenerationOut)
def generation_status(request, pk: Id):
    return visible_or_404(permissions.visible_generations(request.user), pk=pk).progress()


@router.get("/generations/{pk}/file/{fmt}")
def generation_download(request, pk: Id, fmt: str):
    item = visible_or_404(permissions.visible_generations(request.user), pk=pk)
    path = services.take_generation(by=request.user, generation=item, fmt=fmt, request=request)
    return FileResponse(open(path, "rb"), as_attachment=True, filename=path.name)  # noqa: SIM115
