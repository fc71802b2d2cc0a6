"""The monthly report (月报) of a community, a street or the district: the month's indicators
against last month and the same month last year, the places below ranked, what was done, the
warnings opened, cleared and still open, and projects' progress and money (any indicator the
projects app registers). Every number is read from the dashboard's snapshots, through the
dashboard's own selectors, so the report and the dashboard never disagree.

Generated in the task queue (``services.run_generation``), kept as a ``Generation`` with its PDF
and Excel, and sent on the first working day of the next month to the people who receive it:
the community's secretary, the street's staff, the district's staff."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from fpdf.enums import XPos, YPos

from jiceng.accounts.models import RoleAssignment
from jiceng.accounts.roles import Role
from jiceng.core.books import Heading, provisional_mark, signature_line
from jiceng.core.excel import SafeWorkbook
from jiceng.core.notify import in_stored_language, notify
from jiceng.core.registry import RATE, indicator, indicators
from jiceng.core.workdays import is_working_day
from jiceng.dashboard import selectors as dash
from jiceng.dashboard import snapshots
from jiceng.dashboard.models import Warning
from jiceng.geo.models import Division
from jiceng.reports import writers
from jiceng.reports.models import Generation
from jiceng.reports.periods import Period, last_full

# What was done, from indicators: a count indicator's value, a share's numerator.
DONE_KEYS = (
    ("cases.closure_rate", "numerator"),
    ("community.needs_solved_rate", "numerator"),
    ("community.wishes_lit", "value"),
    ("community.activities", "value"),
    ("party.meetings_held", "value"),
    ("deliberation.issues_solved", "value"),
    ("community.volunteer_hours", "value"),
)
DONE_LABELS = {
    "cases.closure_rate": gettext_lazy("办结案件"),
    "community.needs_solved_rate": gettext_lazy("解决的群众需求"),
}
RANK_KEYS = (
    "cases.satisfaction_rate",
    "cases.closure_rate",
    "community.needs_solved_rate",
    "party.dues_on_time",
    "community.activities",
)
RECEIVERS = {
    "community": (Role.COMMUNITY_SECRETARY,),
    "street": (Role.STREET_STAFF,),
    "district": (Role.DISTRICT_STAFF,),
}


@dataclass
class Section:
    title: str
    columns: list[tuple[str, int]]
    rows: list[list[str]] = field(default_factory=list)


def _figure_rows(place: Division, start: date) -> tuple[list[list[str]], dict[str, str]]:
    rows, shown = [], {}
    for domain in dash.figures(place, snapshots.MONTH, start):
        for group in domain["categories"]:
            for fig in group["figures"]:
                shown[fig.key] = fig.shown
                rows.append(
                    [
                        str(domain["label"]),
                        str(fig.indicator.name),
                        fig.shown,
                        fig.previous["text"] if fig.previous else "—",
                        fig.last_year["text"] if fig.last_year else "—",
                        str(fig.indicator.unit) if fig.indicator.kind != RATE else "%",
                    ]
                )
    return rows, shown


def sections(place: Division, period: Period) -> list[Section]:
    """The report's tables, in order."""
    start, end = period.start, period.end
    out = []
    figure_rows, _shown = _figure_rows(place, start)
    out.append(
        Section(
            _("本月指标"),
            [
                (_("领域"), 10),
                (_("指标"), 18),
                (_("本月"), 9),
                (_("比上月"), 8),
                (_("比去年同月"), 9),
                (_("单位"), 6),
            ],
            figure_rows,
        )
    )
    values = snapshots.place_values(place.code, snapshots.MONTH, start)
    done = Section(_("本月做了什么"), [(_("事项"), 24), (_("数量"), 10)])
    for key, part in DONE_KEYS:
        ind = indicator(key)
        value = values.get(key)
        if ind is None:
            continue
        amount = "—"
        if value is not None:
            number = value.numerator if part == "numerator" else value.value
            if number is not None:
                amount = f"{number:,.0f}" if float(number).is_integer() else f"{number:,.1f}"
        label = str(DONE_LABELS.get(key, ind.name))
        done.rows.append([label, amount])
    out.append(done)
    kids = dash.children(place)
    if kids:
        for key in RANK_KEYS:
            ind = indicator(key)
            if ind is None:
                continue
            ranked = Section(
                _("下级排名：%(name)s") % {"name": ind.name},
                [(_("名次"), 5), (_("地方"), 20), (_("本月"), 10), (_("上月"), 10)],
            )
            for row in dash.ranking(place, kids, key, snapshots.MONTH, start):
                ranked.rows.append(
                    [str(row["rank"]), row["place"].name, row["shown"], row["previous"]]
                )
            out.append(ranked)
    tz = timezone.get_current_timezone()
    t0 = datetime.combine(start, time.min, tz)
    t1 = datetime.combine(end, time.min, tz)
    warns = Warning.objects.within(place.code)
    opened = warns.filter(since__gte=t0, since__lt=t1).count()
    cleared = warns.filter(resolved_at__gte=t0, resolved_at__lt=t1).count()
    still = warns.filter(since__lt=t1).exclude(resolved_at__lt=t1).count()
    out.append(
        Section(
            _("预警"),
            [(_("事项"), 24), (_("数量"), 10)],
            [
                [_("本月新发预警"), str(opened)],
                [_("本月消除或办结"), str(cleared)],
                [_("月末仍未消除"), str(still)],
            ],
        )
    )
    project_rows = []
    for ind in indicators():
        if ind.key.startswith("projects."):
            value = values.get(ind.key)
            project_rows.append([str(ind.name), dash.display(ind, value), str(ind.unit)])
    if project_rows:
        out.append(
            Section(
                _("项目进度与资金"),
                [(_("指标"), 24), (_("本月"), 10), (_("单位"), 8)],
                project_rows,
            )
        )
    return out


def title_of(place: Division) -> str:
    return _("%(place)s工作月报") % {"place": place.name}


def write_monthly(place: Division, period: Period, fmt: str, target) -> None:
    parts = sections(place, period)
    heading = Heading(
        title_of(place), place.name, period, period.provisional(), (_("编制人"), _("审核人"))
    )
    if fmt == "pdf":
        _write_pdf(heading, parts, target)
    else:
        _write_excel(heading, parts, target)


def _write_excel(heading: Heading, parts: list[Section], target) -> None:
    book = SafeWorkbook()
    sheet = book.sheet(_("月报"))
    sheet.column(1, width=20)
    sheet.column(2, width=28)
    for i in range(3, 8):
        sheet.column(i, width=14)
    sheet.print_setup(
        landscape=False,
        header=provisional_mark() if heading.provisional else "",
        footer=_("第 &P 页，共 &N 页"),
    )
    sheet.append([heading.title])
    sheet.append([heading.subtitle()])
    for part in parts:
        sheet.append([])
        sheet.append([part.title])
        sheet.append([label for label, _w in part.columns])
        for row in part.rows:
            sheet.append(row)
    sheet.append([])
    sheet.append([signature_line(heading.signatures)])
    book.save(target)


def _write_pdf(heading: Heading, parts: list[Section], target) -> None:
    pdf = writers._Ledger(heading)
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.add_page()
    for part in parts:
        total = sum(w for _l, w in part.columns)
        if pdf.get_y() + 24 > pdf.page_break_trigger:
            pdf.columns = []
            pdf.add_page()
        pdf.set_font(writers.FONT, size=11)
        pdf.ln(2)
        pdf.cell(0, 7, part.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.columns = [(label, usable * w / total) for label, w in part.columns]
        pdf.set_font(writers.FONT, size=8.5)
        pdf.set_fill_color(235, 235, 235)
        pdf._row([label for label, _w in part.columns], fill=True)
        for row in part.rows:
            pdf.row(row)
        if not part.rows:
            pdf.row([_("无")] + [""] * (len(part.columns) - 1))
    pdf.columns = []
    if pdf.get_y() + 20 > pdf.page_break_trigger:
        pdf.add_page()
    pdf.set_font(writers.FONT, size=10)
    pdf.ln(8)
    pdf.cell(0, 8, signature_line(heading.signatures))
    pdf.output(target)


# --- sending -------------------------------------------------------------------------------------


def first_working_day(year: int, month: int) -> date:
    day = date(year, month, 1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def receivers(place: Division):
    roles = RECEIVERS.get(place.level, ())
    return [
        a.user
        for a in RoleAssignment.objects.active()
        .filter(division__code=place.code, role__in=roles)
        .select_related("user")
    ]


def send_monthly_reports(today: date | None = None, *, force: bool = False) -> int:
    """On the first working day of a month (or ``force``): make last month's report of every
    active community, street and district that has none yet, and send each when done. Returns
    the number queued."""
    today = today or timezone.localdate()
    if not force and today != first_working_day(today.year, today.month):
        return 0
    period = last_full("month", today)
    places = (
        Division.objects.filter(level__in=tuple(RECEIVERS), is_active=True)
        .defer("boundary")
        .order_by("code")
    )
    made = set(
        Generation.objects.filter(
            kind=Generation.Kind.MONTHLY,
            period_kind="month",
            year=period.year,
            number=period.number,
        )
        .exclude(status=Generation.Status.FAILED)
        .values_list("scope_code", flat=True)
    )
    queued = 0
    for place in places:
        if place.code in made:
            continue
        with transaction.atomic():
            generation = Generation.objects.create(
                scope_code=place.code,
                kind=Generation.Kind.MONTHLY,
                period_kind="month",
                year=period.year,
                number=period.number,
                provisional=False,
            )
            # The task and this module need each other: the task calls back into services.
            from jiceng.reports.tasks import send_when_done

            transaction.on_commit(lambda pk=generation.pk: send_when_done(pk))
        queued += 1
    return queued


def send(generation: Generation) -> int:
    """Tell the receivers of a finished monthly report (once)."""
    if generation.sent_at is not None or generation.status != Generation.Status.DONE:
        return 0
    place = Division.objects.defer("boundary").get(code=generation.scope_code)
    period = Period(generation.period_kind, generation.year, generation.number)
    people = receivers(place)
    with in_stored_language():
        title = _("%(period)s月报已生成") % {"period": period.label()}
        body = title_of(place)
    notify(
        users=people,
        title=title,
        body=body,
        url=reverse("reports:monthly") + f"?place={place.code}",
    )
    Generation.objects.filter(pk=generation.pk).update(sent_at=timezone.now())
    return len(people)
