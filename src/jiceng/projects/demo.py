"""The demo's projects: a year of them in the first street. In the demo's community (where the
secretary, the member and the resident are): a secretary's project with three weighted children
(one of them has not reported this month, so the roll-up counts its last figure), the member's
第一书记 project, a 实事 whose 票决 is the community's closed household vote, a 重点任务 with its
responsible unit and roadmap, a construction project with its stages; milestones and monthly
reports from January; one supervision by the street with two rectification items (one verified,
one open); the member's commitment with three quarterly exchanges, the secretary's with a scored
evaluation. Every other community of the street: two projects with their reports.

The first community's records are written through the services (audit, rules); the months before
the last and the other communities' projects go straight into the tables, as other demos do."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from jiceng.accounts.models import RoleAssignment, User
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
    # Commitments, exchanges, evaluations.
    c = services.commitment_save(
        by=member,
        person=member,
        place=community,
        kind="first_secretary",
        year=year,
        letter="我承诺：扎根社区，办好“一老一小”实事，按月报告进展，接受群众监督。",
        tasks="建立老年助餐点\n开设四点半课堂\n走访困难家庭50户",
    )
    for q in (1, 2, 3):
        services.exchange_add(
            by=member,
            commitment=c,
            quarter=q,
            held_on=date(year, q * 3, 20),
            summary=f"第{q}季度交流：汇报承诺事项进展，听取街道意见。",
        )
    services.evaluation_save(by=member, commitment=c, self_report="全年完成承诺事项三项。")
    c2 = services.commitment_save(
        by=secretary,
        person=secretary,
        place=community,
        kind="secretary",
        year=year,
        letter="我承诺：领办书记项目，解决群众急难愁盼。",
        tasks="楼道整治\n口袋公园\n议事角",
    )
    worker = User.objects.filter(
        role_assignments__role="community_worker",
        role_assignments__scope_code=community.code,
        role_assignments__ended_at__isnull=True,
    ).first()
    if worker is not None:
        services.evaluation_save(by=worker, commitment=c2, community_score=Decimal("88"))
    if street_user is not None:
        services.evaluation_save(by=street_user, commitment=c2, street_score=Decimal("91"))
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
