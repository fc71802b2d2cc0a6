"""The writes of the reports app: a book taken (audited), a generation queued and run (the zip
of a place's books for a period, a monthly report), a request sent to the communities and each
community's answer. A file is written to a temporary name beside its place and renamed when
whole, so a failed or interrupted run never leaves half a file; the queue retries it."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.audit import audit
from jiceng.core.books import Heading, write_excel
from jiceng.core.errors import UserError
from jiceng.core.registry import RecordBook, record_book
from jiceng.core.scope import level_of
from jiceng.geo.models import Division
from jiceng.reports import writers
from jiceng.reports.models import BookRequest, Generation, RequestAnswer
from jiceng.reports.periods import Period
from jiceng.reports.permissions import books_for, may_answer, may_ask, may_take

FORMATS = ("xlsx", "pdf")
FOLDER = "reports"


def media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


@contextmanager
def atomic_file(target: Path):
    """A temporary file beside ``target``, renamed to it only when the block ends cleanly."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def file_name(book: RecordBook, place: Division, period: Period, fmt: str) -> str:
    return f"{book.title}-{place.name}-{period.slug}.{fmt}"


def write_book(
    user,
    book: RecordBook,
    place: Division,
    period: Period,
    fmt: str,
    target,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write one book of ``place`` for ``period`` (the place already resolved through the
    user's scope) as ``fmt`` to ``target``; returns its rows."""
    heading = Heading.of(book, place.name, period)
    rows = book.rows(user, place.code, period.start, period.end)
    if fmt == "pdf":
        if not book.printed:
            raise UserError(_("这本台账不打印，请下载 Excel。"), field="format")
        return writers.write_pdf(book, heading, rows, target, progress)
    return write_excel(book, heading, rows, target, progress)


def take_book(
    *, by, book: RecordBook, place: Division, period: Period, fmt: str, request=None
) -> Path:
    """One book written to a temporary file for the response (the caller deletes it), and the
    download audited."""
    if fmt not in FORMATS:
        raise UserError(_("格式不正确。"), field="format")
    if book.period != period.kind:
        raise UserError(
            _("这本台账按%(kind)s记，请选择相应的期间。")
            % {"kind": period_kind_label(book.period)},
            field="period",
        )
    fd, tmp = tempfile.mkstemp(suffix=f".{fmt}")
    os.close(fd)
    try:
        rows = write_book(by, book, place, period, fmt, tmp)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    audit(
        actor=by,
        action="reports.book_download",
        scope_code=place.code,
        request=request,
        detail={"book": book.key, "period": period.slug, "format": fmt, "rows": rows},
    )
    return Path(tmp)


def period_kind_label(kind: str) -> str:
    return {"month": _("月"), "quarter": _("季度"), "year": _("年")}.get(kind, kind)


# --- generations ---------------------------------------------------------------------------------


def _queue(generation: Generation) -> None:
    # The task and this service need each other: the task calls run_generation.
    from jiceng.reports.tasks import generate

    transaction.on_commit(lambda: generate(generation.pk))


@transaction.atomic
def request_generation(
    *, by, place: Division, period: Period, kind: str, book_key: str = "", request=None
) -> Generation:
    """Queue the zip of every book of ``place`` for ``period`` (kind BOOKS_ZIP), one book in
    both formats (BOOK), or the monthly report (MONTHLY). A file already being made for the
    same place and period is reused."""
    if kind == Generation.Kind.BOOK:
        book = record_book(book_key)
        if book is None or not may_take(by, book, place.code) or book.period != period.kind:
            raise UserError(_("没有这本台账，或您不能调取。"), field="book")
    elif kind == Generation.Kind.MONTHLY:
        if period.kind != "month":
            raise UserError(_("月报按月生成。"), field="period")
    elif kind != Generation.Kind.BOOKS_ZIP:
        raise UserError(_("类别不正确。"), field="kind")
    pending = Generation.objects.filter(
        scope_code=place.code,
        kind=kind,
        book_key=book_key,
        period_kind=period.kind,
        year=period.year,
        number=period.number,
        status__in=[Generation.Status.QUEUED, Generation.Status.RUNNING],
    ).first()
    if pending is not None:
        return pending
    generation = Generation.objects.create(
        scope_code=place.code,
        kind=kind,
        book_key=book_key,
        period_kind=period.kind,
        year=period.year,
        number=period.number,
        by=by,
        provisional=period.provisional(),
    )
    audit(
        actor=by,
        action="reports.generation_request",
        obj=generation,
        request=request,
        detail={"kind": kind, "book": book_key, "period": period.slug},
    )
    _queue(generation)
    return generation


def period_of(generation: Generation) -> Period:
    return Period(generation.period_kind, generation.year, generation.number)


def _progress(generation: Generation, percent: int, message: str = "") -> None:
    percent = max(0, min(99, int(percent)))
    Generation.objects.filter(pk=generation.pk).update(percent=percent, message=message[:500])


def run_generation(generation_id: int) -> Generation:
    """The task's work: write the files, then mark the generation done. On failure it is
    marked failed with the reason (and the queue retries it); no partial file is left."""
    generation = Generation.objects.get(pk=generation_id)
    if generation.status == Generation.Status.DONE:
        return generation
    Generation.objects.filter(pk=generation.pk).update(
        status=Generation.Status.RUNNING, attempts=generation.attempts + 1, percent=0, message=""
    )
    place = Division.objects.defer("boundary").get(code=generation.scope_code)
    period = period_of(generation)
    folder = f"{FOLDER}/{place.code}/{period.slug}"
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    try:
        if generation.kind == Generation.Kind.MONTHLY:
            # The monthly report and this module need each other only here.
            from jiceng.reports.monthly import write_monthly

            files, rows = {}, 0
            for fmt in FORMATS:
                rel = f"{folder}/monthly-{generation.pk}-{stamp}.{fmt}"
                with atomic_file(media_path(rel)) as tmp:
                    write_monthly(place, period, fmt, tmp)
                files[fmt] = rel
                _progress(generation, 50)
        elif generation.kind == Generation.Kind.BOOK:
            book = record_book(generation.book_key)
            if book is None:
                raise UserError(_("这本台账已不再提供。"))
            files, rows = {}, 0
            fmts = FORMATS if book.printed else ("xlsx",)
            for i, fmt in enumerate(fmts):
                rel = f"{folder}/{book.key}-{generation.pk}-{stamp}.{fmt}"
                with atomic_file(media_path(rel)) as tmp:
                    rows = write_book(generation.by, book, place, period, fmt, tmp)
                files[fmt] = rel
                _progress(generation, 100 * (i + 1) / len(fmts))
        else:
            rel = f"{folder}/books-{generation.pk}-{stamp}.zip"
            with atomic_file(media_path(rel)) as tmp:
                rows = write_zip(generation, place, period, tmp)
            files = {"zip": rel}
    except Exception as error:
        Generation.objects.filter(pk=generation.pk).update(
            status=Generation.Status.FAILED,
            message=(str(error) or error.__class__.__name__)[:500],
            finished_at=timezone.now(),
        )
        raise
    Generation.objects.filter(pk=generation.pk).update(
        status=Generation.Status.DONE,
        percent=100,
        files=files,
        rows=rows,
        message="",
        finished_at=timezone.now(),
    )
    generation.refresh_from_db()
    return generation


def write_zip(generation: Generation, place: Division, period: Period, target: Path) -> int:
    """Every book ``generation.by`` may take at ``place`` for ``period``, Excel and PDF, in one
    zip, the generation's progress kept as each file is added."""
    user = generation.by
    books = [b for b in books_for(user, place) if b.period == period.kind] if user else []
    return write_books_zip(
        user,
        books,
        place,
        period,
        target,
        lambda percent, title: _progress(generation, percent, title),
    )


def write_books_zip(
    user,
    books: list[RecordBook],
    place: Division,
    period: Period,
    target: Path,
    progress: Callable[[float, str], None] | None = None,
) -> int:
    """``books`` of ``place`` for ``period``, each as Excel and, where printed, PDF, in one zip:
    each file written to a temporary file and added, so the zip streams and never holds more
    than one file's rows. Returns the rows of the Excel files."""
    total = 0
    steps = sum(2 if b.printed else 1 for b in books) or 1
    done = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for book in books:
            for fmt in FORMATS if book.printed else ("xlsx",):
                fd, tmp = tempfile.mkstemp(suffix=f".{fmt}")
                os.close(fd)
                try:
                    rows = write_book(user, book, place, period, fmt, tmp)
                    # an xlsx is a zip and a PDF's streams are compressed: stored as they are
                    archive.write(
                        tmp, file_name(book, place, period, fmt), compress_type=zipfile.ZIP_STORED
                    )
                finally:
                    Path(tmp).unlink(missing_ok=True)
                if fmt == "xlsx":
                    total += rows
                done += 1
                if progress is not None:
                    progress(100 * done / steps, str(book.title))
    return total


def take_generation(*, by, generation: Generation, fmt: str, request=None) -> Path:
    """A generated file for download (the generation already resolved through the scope);
    audited."""
    if generation.status != Generation.Status.DONE or fmt not in generation.files:
        raise UserError(_("文件尚未生成。"), field="format")
    path = media_path(generation.files[fmt])
    if not path.exists():
        raise UserError(_("文件已不存在，请重新生成。"), field="format")
    audit(
        actor=by,
        action="reports.file_download",
        obj=generation,
        request=request,
        detail={"format": fmt},
    )
    return path


# --- requests ------------------------------------------------------------------------------------


@transaction.atomic
def request_create(
    *,
    by,
    place: Division,
    title: str,
    period: Period,
    book_key: str = "",
    figure: str = "",
    due=None,
    note: str = "",
    request=None,
) -> BookRequest:
    """A street or the district asks every community below ``place`` for a book or a figure."""
    if not may_ask(by, place):
        raise UserError(_("只有街道和区里的工作人员可以向社区发起报送要求。"))
    title = (title or "").strip()
    if not title:
        raise UserError(_("请填写标题。"), field="title")
    if bool(book_key) == bool(figure.strip()):
        raise UserError(_("请选择一本台账，或填写一个数据项（二选一）。"), field="book_key")
    if book_key:
        book = record_book(book_key)
        if book is None or "community" not in book.levels or book.period != period.kind:
            raise UserError(_("这本台账不在社区按这个期间记。"), field="book_key")
    communities = list(
        Division.objects.within(place.code)
        .filter(level="community", is_active=True)
        .values_list("code", flat=True)
    )
    if not communities:
        raise UserError(_("这里没有社区可以报送。"))
    asked = BookRequest.objects.create(
        scope_code=place.code,
        asked_by=by,
        title=title[:100],
        book_key=book_key,
        figure=figure.strip()[:100],
        period_kind=period.kind,
        year=period.year,
        number=period.number,
        due=due,
        note=(note or "")[:500],
    )
    RequestAnswer.objects.bulk_create(
        RequestAnswer(request=asked, scope_code=code) for code in communities
    )
    audit(
        actor=by,
        action="reports.request_create",
        obj=asked,
        request=request,
        detail={"communities": len(communities)},
    )
    return asked


def _lock_answer(by, answer: RequestAnswer) -> RequestAnswer:
    answer = RequestAnswer.objects.select_for_update().select_related("request").get(pk=answer.pk)
    if not may_answer(by, answer):
        raise UserError(_("您不能替这个社区报送。"))
    if answer.status == RequestAnswer.Status.ANSWERED:
        raise UserError(_("已经报送过了。"))
    return answer


@transaction.atomic
def answer_from_records(*, by, answer: RequestAnswer, request=None) -> RequestAnswer:
    """One click: the community answers with the book the platform makes from its records."""
    answer = _lock_answer(by, answer)
    asked = answer.request
    if not asked.book_key:
        raise UserError(_("这项要求报送的是数据，请填写。"), field="value")
    place = Division.objects.defer("boundary").get(code=answer.scope_code)
    generation = request_generation(
        by=by,
        place=place,
        period=Period(asked.period_kind, asked.year, asked.number),
        kind=Generation.Kind.BOOK,
        book_key=asked.book_key,
        request=request,
    )
    answer.generation = generation
    answer.from_records = True
    answer.status = RequestAnswer.Status.ANSWERED
    answer.answered_by = by
    answer.answered_at = timezone.now()
    answer.save()
    audit(
        actor=by,
        action="reports.answer",
        obj=answer,
        request=request,
        detail={"from_records": True},
    )
    return answer


@transaction.atomic
def answer_by_hand(*, by, answer: RequestAnswer, value: str, request=None) -> RequestAnswer:
    """The community fills the answer by hand (a figure the platform does not hold)."""
    answer = _lock_answer(by, answer)
    value = (value or "").strip()
    if not value:
        raise UserError(_("请填写报送内容。"), field="value")
    answer.value = value[:500]
    answer.from_records = False
    answer.status = RequestAnswer.Status.ANSWERED
    answer.answered_by = by
    answer.answered_at = timezone.now()
    answer.save()
    audit(
        actor=by,
        action="reports.answer",
        obj=answer,
        request=request,
        detail={"from_records": False},
    )
    return answer


def level_name(code: str) -> str:
    return level_of(code) or ""
