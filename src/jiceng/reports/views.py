"""The pages under /console/reports/: the books a person may take for a place and a period
(each as Excel and PDF, and all of them as one zip made in the queue), a generated file with
its progress bar, the monthly reports, and the requests to the communities with their answers."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.decorators import page
from jiceng.core.errors import Forbidden
from jiceng.core.forms import submit
from jiceng.core.registry import record_book
from jiceng.core.scope import visible_or_404
from jiceng.geo.models import Division
from jiceng.reports import forms, permissions, services
from jiceng.reports.models import Generation, RequestAnswer
from jiceng.reports.periods import Period, last_full, parse

PAGE = "reports"
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "zip": "application/zip",
}


class _Deleting(FileResponse):
    """A response for a temporary file, deleted once sent."""

    def __init__(self, path, *args, **kwargs):
        self._path = path
        super().__init__(open(path, "rb"), *args, **kwargs)  # noqa: SIM115 - closed by Django

    def close(self):
        super().close()
        self._path.unlink(missing_ok=True)


def _period(request, default_kind: str = "month") -> Period:
    form = forms.PeriodForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    kind = data.get("kind") or default_kind
    fallback = last_full(kind)
    return parse(kind, data.get("year") or fallback.year, data.get("number") or fallback.number)


def _query(place, period: Period) -> str:
    return f"?place={place.code}&kind={period.kind}&year={period.year}&number={period.number}"


def _years():
    this = timezone.localdate().year
    return list(range(this, this - 6, -1))


@page(PAGE)
def index(request):
    place = permissions.place_for(request.user, request.GET.get("place"))
    period = _period(request)
    books = [b for b in permissions.books_for(request.user, place) if b.period == period.kind]
    if request.method == "POST":
        generation = services.request_generation(
            by=request.user,
            place=place,
            period=period,
            kind=Generation.Kind.BOOKS_ZIP,
            request=request,
        )
        return redirect("reports:generation", pk=generation.pk)
    recent = permissions.visible_generations(request.user).filter(scope_code=place.code)[:10]
    return render(
        request,
        "reports/index.html",
        {
            "place": place,
            "places": permissions.visible_places(request.user)[:500],
            "period": period,
            "query": _query(place, period),
            "books": books,
            "recent": recent,
            "years": _years(),
            "months": range(1, 13),
            "quarters": range(1, 5),
        },
    )


@page(PAGE)
def book_download(request, key: str, fmt: str):
    place = permissions.place_for(request.user, request.GET.get("place"))
    book = permissions.book_for(request.user, place, key)
    period = _period(request, book.period)
    path = services.take_book(
        by=request.user, book=book, place=place, period=period, fmt=fmt, request=request
    )
    return _Deleting(
        path,
        as_attachment=True,
        filename=services.file_name(book, place, period, fmt),
        content_type=CONTENT_TYPES.get(fmt),
    )


@page(PAGE)
def generation(request, pk: int):
    item = visible_or_404(permissions.visible_generations(request.user), pk=pk)
    if request.GET.get("format") == "json":
        return JsonResponse(item.progress())
    book = record_book(item.book_key) if item.book_key else None
    return render(
        request,
        "reports/generation.html",
        {
            "item": item,
            "period": services.period_of(item),
            "book": book,
            "place_name": _place_name(item.scope_code),
        },
    )


def _place_name(code: str) -> str:
    found = Division.objects.filter(code=code).values_list("name", flat=True).first()
    return found or code


@page(PAGE)
def generation_file(request, pk: int, fmt: str):
    item = visible_or_404(permissions.visible_generations(request.user), pk=pk)
    path = services.take_generation(by=request.user, generation=item, fmt=fmt, request=request)
    period = services.period_of(item)
    name = f"{_place_name(item.scope_code)}-{item.get_kind_display()}-{period.slug}.{fmt}"
    return FileResponse(
        open(path, "rb"),  # noqa: SIM115 - closed by Django
        as_attachment=True,
        filename=name,
        content_type=CONTENT_TYPES.get(fmt),
    )


@page(PAGE)
def monthly(request):
    place = permissions.place_for(request.user, request.GET.get("place"))
    period = _period(request, "month")
    if request.method == "POST":
        item = services.request_generation(
            by=request.user,
            place=place,
            period=period,
            kind=Generation.Kind.MONTHLY,
            request=request,
        )
        return redirect("reports:generation", pk=item.pk)
    reports = permissions.visible_generations(request.user).filter(
        scope_code=place.code, kind=Generation.Kind.MONTHLY
    )[:24]
    return render(
        request,
        "reports/monthly.html",
        {
            "place": place,
            "places": permissions.visible_places(request.user).exclude(level="grid")[:500],
            "period": period,
            "reports": reports,
            "years": _years(),
            "months": range(1, 13),
        },
    )


@page(PAGE)
def request_list(request):
    user = request.user
    place = permissions.place_for(user, request.GET.get("place"))
    may_ask = permissions.may_ask(user, place)
    books = [b for b in permissions.books_for(user, place) if "community" in b.levels]
    form = forms.RequestForm(
        request.POST or None, books=books, initial={"year": timezone.localdate().year}
    )
    if request.method == "POST":
        if not may_ask:
            raise Forbidden(_("只有街道和区里的工作人员可以向社区发起报送要求。"))
        made = submit(
            form,
            lambda d: services.request_create(
                by=user,
                place=place,
                title=d["title"],
                book_key=d["book_key"],
                figure=d["figure"],
                period=parse(d["kind"], d["year"], d["number"]),
                due=d["due"],
                note=d["note"],
                request=request,
            ),
        )
        if made is not None:
            messages.success(request, _("已发给 %(n)d 个社区。") % {"n": made.answers.count()})
            return redirect("reports:request", pk=made.pk)
    rows = (
        permissions.visible_requests(user).select_related("asked_by").order_by("-created_at")[:50]
    )
    owed = permissions.answers_to_give(user).select_related("request")[:50]
    return render(
        request,
        "reports/requests.html",
        {"place": place, "rows": rows, "owed": owed, "may_ask": may_ask, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@page(PAGE)
def request_detail(request, pk: int):
    user = request.user
    asked = visible_or_404(permissions.visible_requests(user), pk=pk)
    answers = list(
        RequestAnswer.objects.filter(request=asked)
        .within(*permissions.scopes(user))
        .select_related("answered_by", "generation")
    )
    names = dict(
        Division.objects.filter(code__in=[a.scope_code for a in answers]).values_list(
            "code", "name"
        )
    )
    form = forms.AnswerForm(
        request.POST or None, answers=RequestAnswer.objects.filter(request=asked)
    )
    if request.method == "POST":
        action = request.POST.get("action")

        def answer(d):
            if not permissions.may_answer(user, d["answer"]):
                raise Forbidden(_("您不能替这个社区报送。"))
            if action == "records":
                return services.answer_from_records(by=user, answer=d["answer"], request=request)
            return services.answer_by_hand(
                by=user, answer=d["answer"], value=d["value"], request=request
            )

        if submit(form, answer) is not None:
            messages.success(request, _("已报送。"))
            return redirect("reports:request", pk=asked.pk)
    for a in answers:
        a.place_name = names.get(a.scope_code, a.scope_code)
        a.may_answer = a.status == RequestAnswer.Status.WAITING and permissions.may_answer(user, a)
    book = record_book(asked.book_key) if asked.book_key else None
    answered = sum(1 for a in answers if a.status == RequestAnswer.Status.ANSWERED)
    return render(
        request,
        "reports/request.html",
        {
            "asked": asked,
            "book": book,
            "answers": answers,
            "answered": answered,
            "form": form,
            "period": Period(asked.period_kind, asked.year, asked.number),
        },
        status=400 if request.method == "POST" else 200,
    )
