"""Community services' record books (台账): volunteer hours (per person and per team), the three
lists (needs, offers, projects with their outcome) and the activity records (sign-ups,
check-ins, ratings).

Every book reads in one query (grouped, or streamed in chunks), plus one query per piece of
rows for what a row lists (a need's projects, a project's needs and offers)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Avg, Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import MANAGER_ROLES
from jiceng.community.models import Activity, Need, Offer, Project, Signup
from jiceng.core.books import CHUNK, chunked, label, local, masked, names, person, span
from jiceng.core.registry import BookColumn, RecordBook, register_record_book

ROLES = frozenset(MANAGER_ROLES)
LEVELS = frozenset({"district", "street", "community"})
SIGNATURES = (_("登记人"), _("审核人"))


def hours(value) -> Decimal | None:
    """Hours served as the book shows them: two decimal places (SQLite's sums carry more)."""
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def _served(code: str, start, end):
    """The sign-ups with service hours of the activities held in [start, end) inside ``code``."""
    since, until = span(start, end)
    return Signup.objects.filter(
        activity__in=Activity.objects.within(code).filter(
            starts_at__gte=since, starts_at__lt=until
        ),
        hours__isnull=False,
    )


PERSON_HOURS_COLUMNS = (
    BookColumn("name", _("志愿者"), 12),
    BookColumn("community", _("社区"), 16),
    BookColumn("activities", _("参加活动次数"), 10),
    BookColumn("hours", _("服务时长（小时）"), 12),
)


def person_hours_rows(user, code: str, start, end):
    people = (
        _served(code, start, end)
        .values("user_id", "user__full_name", "user__username", "activity__community__name")
        .annotate(activities=Count("activity", distinct=True), hours=Sum("hours"))
        .order_by("activity__community__name", "-hours", "user_id")
    )
    for row in people.iterator(chunk_size=CHUNK):
        yield (
            person(row["user__full_name"], row["user__username"]),
            row["activity__community__name"],
            row["activities"],
            hours(row["hours"]),
        )


TEAM_HOURS_COLUMNS = (
    BookColumn("team", _("服务队"), 18),
    BookColumn("community", _("社区"), 16),
    BookColumn("activities", _("开展活动次数"), 10),
    BookColumn("people", _("参加人数"), 8),
    BookColumn("hours", _("服务时长（小时）"), 12),
)


def team_hours_rows(user, code: str, start, end):
    teams = (
        _served(code, start, end)
        .filter(activity__team__isnull=False)
        .values("activity__team_id", "activity__team__name", "activity__community__name")
        .annotate(
            activities=Count("activity", distinct=True),
            people=Count("user", distinct=True),
            hours=Sum("hours"),
        )
        .order_by("activity__community__name", "activity__team__name", "activity__team_id")
    )
    for row in teams.iterator(chunk_size=CHUNK):
        yield (
            row["activity__team__name"],
            row["activity__community__name"],
            row["activities"],
            row["people"],
            hours(row["hours"]),
        )


NEED_COLUMNS = (
    BookColumn("created_at", _("登记时间"), 17),
    BookColumn("community", _("社区"), 16),
    BookColumn("title", _("需求"), 20),
    BookColumn("description", _("说明"), 30),
    BookColumn("source", _("来源"), 10),
    BookColumn("status", _("状态"), 10),
    BookColumn("reason", _("审核意见"), 20),
    BookColumn("projects", _("对应项目"), 20),
)


def need_rows(user, code: str, start, end):
    """The needs recorded in [start, end) inside ``code``, with the projects that answer them."""
    since, until = span(start, end)
    needs = (
        Need.objects.within(code)
        .filter(created_at__gte=since, created_at__lt=until)
        .order_by("created_at", "id")
        .values_list(
            "pk",
            "created_at",
            "community__name",
            "title",
            "description",
            "source",
            "status",
            "reason",
        )
    )
    for piece in chunked(needs.iterator(chunk_size=CHUNK)):
        projects = defaultdict(list)
        for need_id, title in Project.needs.through.objects.filter(
            need_id__in=[n[0] for n in piece]
        ).values_list("need_id", "project__title"):
            projects[need_id].append(title)
        for pk, created, community, title, text, source, status, reason in piece:
            yield (
                local(created),
                community,
                title,
                masked(text),
                label(Need.Source.choices, source),
                label(Need.Status.choices, status),
                masked(reason),
                names(projects.get(pk)),
            )


OFFER_COLUMNS = (
    BookColumn("community", _("社区"), 16),
    BookColumn("title", _("服务内容"), 20),
    BookColumn("kind", _("类别"), 10),
    BookColumn("provider", _("提供方"), 18),
    BookColumn("capacity", _("可服务人数/次数"), 10),
    BookColumn("when", _("服务时间"), 14),
    BookColumn("where", _("服务地点"), 14),
    BookColumn("projects", _("本期对应项目"), 20),
)


def offer_rows(user, code: str, start, end):
    """The offers on the list in the period (registered before its end and still offered),
    with the period's projects that take them up."""
    since, until = span(start, end)
    offers = (
        Offer.objects.within(code)
        .filter(created_at__lt=until, is_active=True)
        .order_by("community__code", "created_at", "id")
        .values_list(
            "pk",
            "community__name",
            "title",
            "kind",
            "partner__name",
            "team__name",
            "member__name",
            "capacity",
            "when",
            "where",
        )
    )
    for piece in chunked(offers.iterator(chunk_size=CHUNK)):
        projects = defaultdict(list)
        for offer_id, title in Project.offers.through.objects.filter(
            offer_id__in=[o[0] for o in piece],
            project__month__gte=since.date(),
            project__month__lt=until.date(),
        ).values_list("offer_id", "project__title"):
            projects[offer_id].append(title)
        for pk, community, title, kind, partner, team, member, capacity, when, where in piece:
            yield (
                community,
                title,
                label(Offer.Kind.choices, kind),
                partner or team or member or "",
                capacity,
                when,
                where,
                names(projects.get(pk)),
            )


PROJECT_COLUMNS = (
    BookColumn("month", _("月份"), 10),
    BookColumn("community", _("社区"), 16),
    BookColumn("title", _("项目"), 20),
    BookColumn("responsible", _("责任单位"), 18),
    BookColumn("needs", _("对应需求"), 20),
    BookColumn("offers", _("对应服务"), 20),
    BookColumn("status", _("状态"), 8),
    BookColumn("activities", _("开展活动次数"), 10),
    BookColumn("attended", _("参加人次"), 8),
    BookColumn("hours", _("服务时长（小时）"), 12),
)


def project_rows(user, code: str, start, end):
    """The projects of the months in [start, end) inside ``code`` and what came of them: the
    activities held under each, who came, the hours served."""
    since, until = span(start, end)
    held = Q(activities__status=Activity.Status.PUBLISHED)
    projects = (
        Project.objects.within(code)
        .filter(month__gte=since.date(), month__lt=until.date())
        .annotate(
            held=Count("activities", filter=held, distinct=True),
        )
        .order_by("month", "community__code", "id")
        .values_list(
            "pk",
            "month",
            "community__name",
            "title",
            "responsible__name",
            "responsible_team__name",
            "status",
            "held",
        )
    )
    for piece in chunked(projects.iterator(chunk_size=CHUNK), 500):
        ids = [p[0] for p in piece]
        needs, offers = defaultdict(list), defaultdict(list)
        for project_id, title in Project.needs.through.objects.filter(
            project_id__in=ids
        ).values_list("project_id", "need__title"):
            needs[project_id].append(title)
        for project_id, title in Project.offers.through.objects.filter(
            project_id__in=ids
        ).values_list("project_id", "offer__title"):
            offers[project_id].append(title)
        served = {
            row["activity__project_id"]: row
            for row in Signup.objects.filter(
                activity__project_id__in=ids,
                activity__status=Activity.Status.PUBLISHED,
                checked_in_at__isnull=False,
            )
            .values("activity__project_id")
            .annotate(people=Count("pk"), hours=Sum("hours"))
        }
        for pk, month, community, title, unit, team, status, count in piece:
            outcome = served.get(pk, {})
            yield (
                f"{month:%Y-%m}",
                community,
                title,
                unit or team or "",
                names(needs.get(pk)),
                names(offers.get(pk)),
                label(Project.Status.choices, status),
                count,
                outcome.get("people", 0),
                hours(outcome.get("hours")),
            )


ACTIVITY_COLUMNS = (
    BookColumn("starts_at", _("活动时间"), 17),
    BookColumn("community", _("社区"), 16),
    BookColumn("title", _("活动"), 20),
    BookColumn("place", _("地点"), 14),
    BookColumn("project", _("所属项目"), 16),
    BookColumn("team", _("服务队"), 14),
    BookColumn("capacity", _("名额"), 6),
    BookColumn("signed_up", _("报名人数"), 8),
    BookColumn("waiting", _("候补人数"), 8),
    BookColumn("checked_in", _("签到人数"), 8),
    BookColumn("hours", _("服务时长（小时）"), 10),
    BookColumn("ratings", _("评价人数"), 8),
    BookColumn("rating", _("平均评分"), 8),
    BookColumn("status", _("状态"), 8),
)


def activity_rows(user, code: str, start, end):
    """The activities of [start, end) inside ``code`` with their sign-ups, check-ins and
    ratings (one grouped query)."""
    since, until = span(start, end)
    activities = (
        Activity.objects.within(code)
        .filter(starts_at__gte=since, starts_at__lt=until)
        .annotate(
            n_confirmed=Count("signups", filter=Q(signups__status=Signup.Status.CONFIRMED)),
            n_waiting=Count("signups", filter=Q(signups__status=Signup.Status.WAITING)),
            n_checked_in=Count("signups", filter=Q(signups__checked_in_at__isnull=False)),
            n_hours=Sum("signups__hours"),
            n_rated=Count("signups", filter=Q(signups__rating__isnull=False)),
            mean_rating=Avg("signups__rating"),
        )
        .order_by("starts_at", "id")
        .values_list(
            "starts_at",
            "community__name",
            "title",
            "place",
            "project__title",
            "team__name",
            "capacity",
            "n_confirmed",
            "n_waiting",
            "n_checked_in",
            "n_hours",
            "n_rated",
            "mean_rating",
            "status",
        )
    )
    for row in activities.iterator(chunk_size=CHUNK):
        (starts, community, title, place, project, team, capacity) = row[:7]
        (confirmed, waiting, checked_in, served_hours, rated, mean, status) = row[7:]
        yield (
            local(starts),
            community,
            title,
            place,
            project or "",
            team or "",
            capacity,
            confirmed,
            waiting,
            checked_in,
            hours(served_hours),
            rated,
            Decimal(str(mean)).quantize(Decimal("0.1")) if mean is not None else None,
            label(Activity.Status.choices, status),
        )


def _book(key, title, columns, rows, definition, order, printed=True):
    register_record_book(
        RecordBook(
            key,
            title,
            LEVELS,
            columns,
            rows,
            ROLES,
            printed=printed,
            signatures=SIGNATURES,
            definition=definition,
            order=order,
        )
    )


_book(
    "community.volunteer_hours",
    _("志愿服务时长台账（个人）"),
    PERSON_HOURS_COLUMNS,
    person_hours_rows,
    _("本期每名志愿者参加的活动次数和服务时长。"),
    40,
)
_book(
    "community.team_hours",
    _("志愿服务时长台账（服务队）"),
    TEAM_HOURS_COLUMNS,
    team_hours_rows,
    _("本期每支服务队开展的活动、参加人数和服务时长。"),
    41,
)
_book(
    "community.needs",
    _("需求清单"),
    NEED_COLUMNS,
    need_rows,
    _("本期登记的每条居民需求：来源、审核结果和对应项目。"),
    42,
)
_book(
    "community.offers",
    _("资源清单"),
    OFFER_COLUMNS,
    offer_rows,
    _("本期在册的每项服务资源：提供方、服务时间地点和本期对应项目。"),
    43,
)
_book(
    "community.projects",
    _("项目清单"),
    PROJECT_COLUMNS,
    project_rows,
    _("本期每个项目：对应的需求和服务、责任单位，以及开展活动、参加人次和服务时长。"),
    44,
)
_book(
    "community.activities",
    _("活动记录台账"),
    ACTIVITY_COLUMNS,
    activity_rows,
    _("本期每场活动：报名、候补、签到人数，服务时长和评价。"),
    45,
)
