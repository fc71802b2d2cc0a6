"""The demo's projects: a year of them in the first street. In the demo's community (where the
secretary, the member and the resident are): a secretary's project with three weighted children
(one of them has not reported this month, so the roll-up counts its last figure), the member's
第一书记 project, a 实事 whose 票决 is the community's closed household vote, a 重点任务 with its
responsible unit and roadmap, a construction project with its stages; milestones and monthly
reports from January; one supervision by the street with two rectification items (one verified,
one open); a next year's 实事 at 征集 with residents' proposals; the secretary's project with its
partner unit and the need and case it answers; last year's commitments of the member (第一书记)
and the secretary with four quarterly exchanges each and a graded evaluation (self-report, the
community's and the street's scores), and this year's with the exchanges of the quarters so far
(the member's self-report drafted, not scored yet). Every other community of the street: two
projects with their reports.

The first community's records are written through the services (audit, rules); the months before
the last and the other communities' projects go straight into the tables, as other demos do."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from jiceng.accounts.models import RoleAssignment, User
from jiceng.cases.models import Case
from jiceng.community.models import Need
from jiceng.core.scope import community_of, street_of
from jiceng.deliberation.models import Poll
from jiceng.geo.models import Division
from jiceng.partners.models import Partner
from jiceng.projects import services
from jiceng.projects.kinds import load_kinds
from jiceng.projects.models import (
    Milestone,
    ProgressReport,
    Project,
    ProjectKind,
    Proposal,
    Rectification,
)

TEXTS = [
    "完成现场踏勘和居民意见征集。",
    "方案经居民代表会议讨论通过。",
    "施工单位进场，完成基础工程。",
    "主体工程推进中，每周召开协调会。",
    "完成阶段验收，整改细节问题。",
    "居民满意度回访，整理档案资料。",
]


def _month(year: int, m: int) -> date:
    return date(year, m, 1)


def _history(project: Project, by: User, upto: date, end_figure: int, rng: random.Random):
    """Reports of every month from the project's start to the month before ``upto``, rising to
    ``end_figure``; bulk, with the project's figures set to the last."""
    months = []
    m = project.starts_on.replace(day=1)
    while m < upto:
        months.append(m)
        m = (m + timedelta(days=32)).replace(day=1)
    rows = []
    for i, m in enumerate(months, start=1):
        figure = round(end_figure * i / max(len(months), 1))
        health = "on_track" if rng.random() > 0.15 else "at_risk"
        rows.append(
            ProgressReport(
                project=project,
                month=m,
                text=TEXTS[min(i * len(TEXTS) // (len(months) + 1), len(TEXTS) - 1)],
                progress=figure,
                health=health,
                reported_by=by,
            )
        )
    ProgressReport.objects.bulk_create(rows)
    if rows:
        Project.objects.filter(pk=project.pk).update(
            progress=rows[-1].progress,
            health=rows[-1].health,
            reported_month=rows[-1].month,
            status=Project.Status.ACTIVE,
        )


def build_projects_demo(*, district: str) -> None:
    rng = random.Random(14)
    today = timezone.localdate()
    year = today.year
    this_month = today.replace(day=1)
    secretary_role = (
        RoleAssignment.objects.filter(
            role="community_secretary", scope_code__startswith=district, ended_at__isnull=True
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if secretary_role is None:
        return
    secretary = secretary_role.user
    community = Division.objects.get(code=community_of(secretary_role.scope_code))
    street = Division.objects.get(code=street_of(community.code))
    member = User.objects.filter(username="member").first() or secretary
    street_user = (
        User.objects.filter(
            role_assignments__role="street_staff",
            role_assignments__scope_code=street.code,
            role_assignments__ended_at__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    if not ProjectKind.objects.exists():
        load_kinds(ProjectKind)  # a test that flushed the tables
    kinds = {k.code: k for k in ProjectKind.objects.all()}
    start, end = date(year, 1, 1), date(year, 12, 31)

    def create(code, title, **kw):
        return services.project_create(
            by=secretary,
            kind=kinds[code],
            place=community,
            title=title,
            starts_on=kw.pop("starts_on", start),
            ends_on=kw.pop("ends_on", end),
            **kw,
        )

    # The secretary's project and its weighted children.
    root = create(
        "secretary",
        f"{community.name}“美好家园”书记项目",
        owner=secretary,
        summary="书记领办：分片联系、调研核实、列席指导、结果运用。",
    )
    children = [
        create("secretary", "老旧小区楼道整治", parent=root, weight=Decimal(3), owner=secretary),
        create("secretary", "口袋公园改造", parent=root, weight=Decimal(2), owner=secretary),
        create("secretary", "邻里议事角建设", parent=root, weight=Decimal(1), owner=secretary),
    ]
    first = create(
        "first_secretary",
        "“一老一小”服务提升",
        owner=member,
        summary="第一书记承诺项目：建立老年助餐点和四点半课堂。",
    )
    poll = (
        Poll.objects.filter(
            division=community, electorate=Poll.Electorate.HOUSEHOLD, status=Poll.Status.CLOSED
        )
        .order_by("pk")
        .first()
    )
    practical = create("practical", "年度为民实事：小区微改造", owner=secretary)
    for text in ("增设电动自行车充电桩", "修补小区破损道路", "增加健身器材"):
        Proposal.objects.create(project=practical, text=text, proposed_by=member)
    steps = {"step": "征集"}
    if poll is not None:
        steps = {"step": "实施", "poll": poll}
    Project.objects.filter(pk=practical.pk).update(**steps)
    unit = Partner.objects.filter(scope_code__startswith=street.code).order_by("pk").first()
    key_task = None
    if unit is not None:
        services.partners_set(by=secretary, project=root, partners=[unit])
        key_task = create(
            "key_task",
            "背街小巷环境整治",
            owner=secretary,
            unit=unit,
            roadmap="3月摸底排查；6月完成整治方案；9月完成主体整治；11月验收销号。",
        )
    building = create(
        "construction",
        f"{community.name}党群服务中心改造",
        owner=secretary,
        site=f"{community.name}党群服务中心",
        area=Decimal("680.00"),
        contractor="市政建设工程有限公司",
        ends_on=date(year, 12, 20),
    )
    for p, stones in (
        (building, [("设计", 3, 31), ("施工", 8, 31), ("竣工验收", 12, 15)]),
        (first, [("助餐点开张", 5, 1), ("四点半课堂开课", 9, 1)]),
        (children[1], [("方案公示", 4, 15), ("完工", 10, 31)]),
    ):
        for title, mo, d in stones:
            m = services.milestone_add(
                by=secretary, project=p, title=title, due_on=date(year, mo, d)
            )
            if date(year, mo, d) < today:
                Milestone.objects.filter(pk=m.pk).update(done_on=date(year, mo, d))
    # A year of reports: every month to last; this month through the service for most.
    figures = {
        children[0].pk: 85,
        children[1].pk: 70,
        children[2].pk: 55,
        first.pk: 75,
        practical.pk: 60,
        building.pk: 80,
    }
    if key_task is not None:
        figures[key_task.pk] = 90
    for p in [*children, first, practical, building] + ([key_task] if key_task else []):
        owner = member if p.pk == first.pk else secretary
        _history(p, owner, this_month, figures[p.pk] - 8, rng)
        if p.pk == children[2].pk:
            continue  # has not reported this month: counted at last month's figure
        services.report_progress(
            by=owner,
            project=p,
            month=this_month,
            text=TEXTS[-2],
            progress=figures[p.pk],
            health="on_track",
        )
    # One supervision by the street, with two rectification items.
    if street_user is not None:
        s = services.supervision_open(
            by=street_user, title="党群服务中心改造月度督查", project=building
        )
        services.findings_record(
            by=street_user,
            supervision=s,
            findings="现场安全围挡不完整；项目公示牌信息未更新。",
        )
        done = services.rectification_add(
            by=street_user,
            supervision=s,
            text="补齐施工安全围挡",
            owner=secretary,
            deadline=today + timedelta(days=1),
        )
        services.rectification_add(
            by=street_user,
            supervision=s,
            text="更新项目公示牌",
            owner=secretary,
            deadline=today + timedelta(days=7),
        )
        Rectification.objects.filter(pk=done.pk).update(
            status=Rectification.Status.VERIFIED,
            note="围挡已补齐",
            closed_at=timezone.now() - timedelta(days=1),
            closed_by=secretary,
            verified_at=timezone.now(),
            verified_by=street_user,
        )
    # Next year's 实事, collecting proposals now (征集, the first step).
    collecting = create(
        "practical",
        f"{year + 1} 年为民实事项目征集",
        owner=secretary,
        starts_on=this_month,
        ends_on=date(year + 1, 12, 31),
        summary="请居民提出明年最希望办的实事，经居民代表票决后实施。",
    )
    resident = User.objects.filter(username="resident").first() or member
    for text in ("小区门口增设非机动车停放区", "为老旧楼栋加装扶手"):
        Proposal.objects.create(project=collecting, text=text, proposed_by=resident)
    # The needs and cases the secretary's project answers.
    need = Need.objects.filter(community=community).order_by("pk").first()
    if need is not None:
        services.link_add(by=secretary, project=root, need=need)
    case = Case.objects.within(community.code).order_by("pk").first()
    if case is not None:
        services.link_add(by=secretary, project=root, case=case)
    _commitments(community, secretary, member, street_user, today)
    # The street's other communities: two projects each, reports straight into the tables.
    others = Division.objects.filter(level="community", code__startswith=street.code).exclude(
        pk=community.pk
    )
    for other in others:
        for code, title in (
            ("secretary", "书记项目：社区微更新"),
            ("practical", "为民实事：加装电梯"),
        ):
            p = Project.objects.create(
                kind=kinds[code],
                place=other,
                title=f"{other.name}{title}",
                owner=secretary,
                year=year,
                starts_on=start,
                ends_on=end,
                step=kinds[code].steps[2] if kinds[code].steps else "",
                created_by=secretary,
            )
            _history(p, secretary, this_month, rng.randint(40, 95), rng)


FIRST_SECRETARY = {
    "letter": "我承诺：扎根社区，办好“一老一小”实事，按月报告进展，接受群众监督。",
    "tasks": "建立老年助餐点\n开设四点半课堂\n走访困难家庭50户",
    "exchanges": [
        "走访困难家庭18户，汇总助餐需求；街道建议先行试点一个助餐点。",
        "助餐点选址确定并开始装修；与辖区学校对接四点半课堂志愿者。",
        "助餐点开张，日均就餐40人；四点半课堂招募志愿者12名。",
        "回顾全年承诺事项，梳理问题清单，听取居民代表和街道意见。",
    ],
    "report": "全年完成承诺事项三项：建成老年助餐点一个，开设四点半课堂，走访困难家庭52户。"
    "不足：课堂师资不稳定，明年与共建单位建立志愿者轮值。",
}
SECRETARY = {
    "letter": "我承诺：领办书记项目，解决群众急难愁盼，每季度向居民报告一次。",
    "tasks": "老旧小区楼道整治\n口袋公园改造\n邻里议事角建设",
    "exchanges": [
        "向街道汇报书记项目计划，明确三个子项目的权重和节点。",
        "楼道整治过半，口袋公园方案公示；街道提醒加快议事角选址。",
        "口袋公园开工，议事角选址确定；居民提出增加夜间照明。",
        "三个子项目年度收尾，整理台账，准备年终述职。",
    ],
    "report": "书记项目三个子项目均按计划推进，楼道整治覆盖12栋，口袋公园竣工，议事角投入使用。",
}


def _commitments(community, secretary, member, street_user, today: date) -> None:
    """Last year's commitments, exchanged every quarter and graded; this year's with the
    quarters so far (the year-end scores are still to come)."""
    year = today.year
    worker = (
        User.objects.filter(
            role_assignments__role="community_worker",
            role_assignments__scope_code=community.code,
            role_assignments__ended_at__isnull=True,
        )
        .exclude(pk__in=[secretary.pk, member.pk])
        .first()
    )
    people = [(member, "first_secretary", FIRST_SECRETARY, Decimal("86"), Decimal("92"))]
    if member.pk != secretary.pk:
        people.append((secretary, "secretary", SECRETARY, Decimal("90"), Decimal("93")))
    for person, kind, text, community_score, street_score in people:
        for y in (year - 1, year):
            c = services.commitment_save(
                by=person,
                person=person,
                place=community,
                kind=kind,
                year=y,
                letter=text["letter"],
                tasks=text["tasks"],
            )
            for q, summary in enumerate(text["exchanges"], start=1):
                held_on = date(y, q * 3 - 1, 20)  # the quarter's middle month
                if held_on <= today:
                    services.exchange_add(
                        by=person, commitment=c, quarter=q, held_on=held_on, summary=summary
                    )
            if y == year:
                if person.pk == member.pk:
                    services.evaluation_save(by=person, commitment=c, self_report=text["report"])
                continue
            services.evaluation_save(by=person, commitment=c, self_report=text["report"])
            scorer = secretary if person.pk != secretary.pk else worker
            if scorer is not None:
                services.evaluation_save(by=scorer, commitment=c, community_score=community_score)
            if street_user is not None:
                services.evaluation_save(by=street_user, commitment=c, street_score=street_score)
