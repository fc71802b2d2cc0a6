"""A world for the record books: for every book, records of our community in May 2026 (their
text carries "在内"), records of the neighbour community in the same month ("邻社区") and records
of our community in April or June ("他月"). A book's rows for our community and May must hold
every "在内" record and none of the others."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.utils import timezone

from jiceng.core.registry import record_book
from tests.factories import partner, user_with_role

START, END = date(2026, 5, 1), date(2026, 6, 1)
IN, OTHER_PLACE, OTHER_TIME = "在内", "邻社区", "他月"
MOBILE, ID_NUMBER = "13912345678", "360602198001010013"
_seq = count(1)


def moment(d: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(d.year, d.month, d.day, hour))


MAY = moment(date(2026, 5, 15))
APRIL = moment(date(2026, 4, 20))
JUNE = moment(date(2026, 6, 3))


@contextmanager
def at(when: datetime):
    """Records created inside take ``when`` as their creation time (auto_now_add fields)."""
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=when):
        yield


def rows(key: str, user, code: str, start=START, end=END) -> list[list]:
    book = record_book(key)
    assert book is not None, key
    return [list(r) for r in book.rows(user, code, start, end)]


def text_of(table: list[list]) -> str:
    return "\n".join("|".join("" if c is None else str(c) for c in r) for r in table)


@pytest.fixture
def world(places, django_db_setup):
    from tests.cases.conftest import restore_starter_categories
    from tests.party.conftest import restore_regulation_data

    restore_starter_categories()
    restore_regulation_data()
    ours, neighbour = places["community"], places["neighbour"]
    w = {
        "places": places,
        "secretary": user_with_role("community_secretary", division=ours, full_name="书记"),
        "outsider": user_with_role("community_secretary", division=neighbour),
    }
    for tag, community, grid, when in (
        (IN, ours, places["grid1"], MAY),
        (OTHER_PLACE, neighbour, places["grid_n"], MAY),
        (OTHER_TIME + "四月", ours, places["grid2"], APRIL),
        (OTHER_TIME + "六月", ours, places["grid2"], JUNE),
    ):
        _cases(w, tag, grid, when)
        _party(w, tag, community, grid, when)
        _community(w, tag, community, when)
        _deliberation(w, tag, community, when)
        _registry(w, tag, grid, when)
    return w


def _cases(w, tag, grid, when):
    from jiceng.cases.models import Case, CaseCategory, CaseEvent

    category = CaseCategory.objects.get(code="0101")
    unit = partner(f"处置单位{tag}", "department", grid.parent.parent)
    handler = user_with_role("department_staff", unit=unit, full_name=f"处置人{tag}")
    with at(when):
        case = Case.objects.create(
            number=f"C{next(_seq):06d}",
            category=category,
            description=f"井盖缺失{tag}，请回电 {MOBILE}",
            status="evaluated",
            source="resident",
            scope_code=grid.code,
            stage_started_at=when,
            handler=unit,
            contact_phone=MOBILE,
            rating="satisfied",
            rating_comment=f"满意{tag}",
            closed_at=when + timedelta(hours=8),
        )
    steps = [
        ("file", "reported", "filed", 1, ""),
        ("dispatch", "filed", "dispatched", 2, ""),
        ("accept", "dispatched", "in_progress", 3, ""),
        ("handle", "in_progress", "handled", 4, f"已更换井盖{tag}，身份证{ID_NUMBER}"),
        ("verify", "handled", "closed", 8, ""),
        ("rate", "closed", "evaluated", 9, f"满意{tag}"),
    ]
    for action, before, after, hours, note in steps:
        CaseEvent.objects.create(
            case=case,
            at=when + timedelta(hours=hours),
            actor=handler if action == "handle" else None,
            action=action,
            from_status=before,
            to_status=after,
            note=note,
        )


def _party(w, tag, community, grid, when):
    from jiceng.party.models import Attendance, DuesPayment, Meeting, PartyOrg
    from jiceng.points.models import PointEntry, PointRule
    from tests.party.conftest import make_member

    branch = PartyOrg.objects.filter(division=grid, kind="branch").first()
    if branch is None:
        branch = PartyOrg.objects.create(name=f"支部{tag}", kind="branch", division=grid)
    joined = date(2010, 7, 1) if when != JUNE else date(2026, 6, 2)
    present = make_member(branch, f"到会党员{tag}", joined_at=joined)
    on_leave = make_member(branch, f"请假党员{tag}", joined_at=joined)
    absent = make_member(branch, f"缺席党员{tag}", joined_at=joined)
    for kind in ("general_meeting", "theme_day"):
        meeting = Meeting.objects.create(
            org=branch,
            kind=kind,
            title=f"{kind}主题{tag}",
            starts_at=when,
            ends_at=when + timedelta(hours=2),
            place=f"会议室{tag}",
            minutes=f"会议记录{tag}",
            status="held",
            scope_code=branch.scope_code,
        )
        Attendance.objects.create(meeting=meeting, member=present, status="present")
        Attendance.objects.create(
            meeting=meeting, member=on_leave, status="leave", reason=f"出差{tag}"
        )
    month = when.date().replace(day=1)
    DuesPayment.objects.create(
        member=present,
        month=month,
        base=Decimal("4000"),
        due=Decimal("20.00"),
        amount=Decimal("20.00"),
        paid_at=when,
    )
    rule = PointRule.objects.order_by("pk").first()
    PointEntry.objects.create(
        rule=rule,
        member=present,
        org=branch,
        points=5,
        offered=5,
        kind="manual",
        source_key=f"manual:{next(_seq)}",
        occurred_at=when,
        note=f"积分说明{tag}",
        scope_code=present.scope_code,
    )
    w.setdefault("absent", {})[tag] = absent


def _community(w, tag, community, when):
    from jiceng.community.models import Activity, Need, Offer, Project, Signup, VolunteerTeam

    volunteer = user_with_role("resident", division=community, full_name=f"志愿者{tag}")
    with at(when):
        team = VolunteerTeam.objects.create(community=community, name=f"服务队{tag}")
        need = Need.objects.create(
            community=community, title=f"需求{tag}", source="visit", status="accepted"
        )
        offer = Offer.objects.create(
            community=community,
            title=f"服务{tag}",
            kind="care",
            team=team,
            capacity=10,
            when="每周六",
            where="活动室",
        )
        project = Project.objects.create(
            community=community,
            month=when.date().replace(day=1),
            title=f"项目{tag}",
            responsible_team=team,
            status="published",
        )
        project.needs.add(need)
        project.offers.add(offer)
        activity = Activity.objects.create(
            community=community,
            title=f"活动{tag}",
            project=project,
            team=team,
            place=f"活动地点{tag}",
            starts_at=when,
            ends_at=when + timedelta(hours=2),
            capacity=10,
            signup_opens_at=when - timedelta(days=3),
            signup_closes_at=when,
        )
        Signup.objects.create(
            activity=activity,
            user=volunteer,
            status="confirmed",
            checked_in_at=when,
            hours=Decimal("2.50"),
            rating=5,
        )


def _deliberation(w, tag, community, when):
    from jiceng.deliberation.models import (
        AgendaItem,
        Ballot,
        MeetingKind,
        Participant,
        Poll,
        Survey,
        SurveyAnswer,
        SurveyQuestion,
        SurveyResponse,
    )
    from jiceng.deliberation.models import Meeting as Talk

    talk = Talk.objects.create(
        kind=MeetingKind.objects.get(code="monthly_talk"),
        community=community,
        title=f"议事主题{tag}",
        starts_at=when,
        ends_at=when + timedelta(hours=2),
        place="议事厅",
        status="held",
        resolutions=f"决议{tag}",
        created_by=w["secretary"],
    )
    Participant.objects.create(
        meeting=talk, category="resident", name=f"参会居民{tag}", present=True
    )
    Participant.objects.create(meeting=talk, category="resident", name="未到居民", present=False)
    AgendaItem.objects.create(meeting=talk, position=1, title=f"议题{tag}")
    poll = Poll.objects.create(
        division=community,
        title=f"票决{tag}",
        kind="yes_no",
        electorate="household",
        status="closed",
        closes_at=when,
        closed_at=when,
        electorate_size=4,
        created_by=w["secretary"],
        outcome="表决通过。",
        passed=True,
    )
    for _i in range(3):
        Ballot.objects.create(poll=poll, channel="online")
    survey = Survey.objects.create(
        division=community,
        title=f"测评{tag}",
        kind="satisfaction",
        status="closed",
        closes_at=when,
        audience_size=10,
        created_by=w["secretary"],
    )
    question = SurveyQuestion.objects.create(survey=survey, text="满意吗", kind="rating")
    for i, rating in enumerate((5, 4, 2)):
        response = SurveyResponse.objects.create(
            survey=survey, respondent_key=f"k{tag}{i}", scope_code=community.code
        )
        SurveyAnswer.objects.create(response=response, question=question, rating=rating)


def _registry(w, tag, grid, when):
    from jiceng.registry.models import PersonEvent
    from tests.registry.conftest import make_person

    person = make_person(grid, name=f"居民{tag}", phone=MOBILE)
    w.setdefault("id_numbers", []).append(person.id_number)
    with at(when):
        PersonEvent.objects.create(
            person=person,
            action="edited",
            actor=w["secretary"],
            note=f"更正电话{tag}",
            detail={"fields": ["phone", "name"]},
            scope_code=person.scope_code,
        )
