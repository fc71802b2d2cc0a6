"""Every write of the progress side: projects (create, update, status), milestones, links,
proposals, monthly reports, the 实事 steps, supervision and rectification, commitments,
exchanges and evaluations. Each checks the actor, refuses bad input with a message in the user's
language (nothing written), and leaves one audit entry in its transaction."""

from __future__ import annotations

import random
import secrets
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.models import User
from jiceng.accounts.roles import MANAGER_ROLES
from jiceng.community.permissions import home_communities
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.notify import in_stored_language, notify
from jiceng.core.photos import prepare_photos
from jiceng.core.scope import at_most, community_of, covers
from jiceng.deliberation.models import Poll
from jiceng.geo.models import Division
from jiceng.projects.models import (
    Commitment,
    Evaluation,
    Exchange,
    Health,
    Milestone,
    ProgressReport,
    Project,
    ProjectKind,
    ProjectLink,
    Proposal,
    Rectification,
    ReportPhoto,
    Supervision,
)
from jiceng.projects.permissions import (
    can_manage,
    can_supervise,
    commitment_places,
    may_close_item,
    may_report,
    may_score,
    may_verify_item,
)

MAX_PHOTOS = 9


def month_of(day: date) -> date:
    return day.replace(day=1)


def _check_manage(by, obj) -> None:
    if not can_manage(by, obj):
        raise Forbidden(_("只有本辖区的工作人员可以管理项目。"))


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise UserError(_("完成期限不能早于开始日期。"), field="ends_on")


def _check_kind(kind: ProjectKind, unit, site: str) -> None:
    if kind.needs_unit and unit is None:
        raise UserError(_("{kind}须有责任单位。").format(kind=kind.name), field="unit")
    if kind.needs_site and not site:
        raise UserError(_("{kind}须有建设地点。").format(kind=kind.name), field="site")


@transaction.atomic
def project_create(
    *,
    by,
    kind: ProjectKind,
    place: Division,
    title: str,
    starts_on: date,
    ends_on: date,
    owner=None,
    unit=None,
    parent: Project | None = None,
    weight: Decimal = Decimal("1"),
    summary: str = "",
    roadmap: str = "",
    site: str = "",
    area: Decimal | None = None,
    contractor: str = "",
    request=None,
) -> Project:
    _check_manage(by, place)
    _check_dates(starts_on, ends_on)
    _check_kind(kind, unit, site)
    if parent is not None:
        if not can_manage(by, parent):
            raise Forbidden(_("只有本辖区的工作人员可以管理项目。"))
        if not place.code.startswith(parent.place.code):
            raise UserError(_("下级项目须在上级项目所属地区之内。"), field="parent")
    if weight < 0:
        raise UserError(_("权重不能为负数。"), field="weight")
    project = Project.objects.create(
        kind=kind,
        place=place,
        title=title,
        summary=summary,
        owner=owner or by,
        unit=unit,
        parent=parent,
        weight=weight,
        year=starts_on.year,
        starts_on=starts_on,
        ends_on=ends_on,
        step=(kind.steps or [""])[0],
        roadmap=roadmap,
        site=site,
        area=area,
        contractor=contractor,
        created_by=by,
    )
    audit(actor=by, action="projects.create", obj=project, request=request)
    return project


UPDATABLE = ("title", "summary", "owner", "unit", "weight", "ends_on", "roadmap", "site", "area")


@transaction.atomic
def project_update(*, by, project: Project, request=None, **changes: Any) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_manage(by, project)
    unknown = set(changes) - set(UPDATABLE + ("contractor", "starts_on"))
    if unknown:
        raise ValueError(f"not updatable: {unknown}")
    for field, value in changes.items():
        setattr(project, field, value)
    _check_dates(project.starts_on, project.ends_on)
    _check_kind(project.kind, project.unit, project.site)
    late = project.milestones.filter(due_on__gt=project.ends_on).first()
    if late is not None:
        raise UserError(
            _("节点“{title}”的日期晚于新的完成期限。").format(title=late.title), field="ends_on"
        )
    if project.weight < 0:
        raise UserError(_("权重不能为负数。"), field="weight")
    project.save()
    audit(
        actor=by,
        action="projects.update",
        obj=project,
        request=request,
        detail={k: str(v) for k, v in changes.items()},
    )
    return project


STATUS_MOVES = {
    Project.Status.PLANNED: {Project.Status.ACTIVE, Project.Status.CANCELLED},
    Project.Status.ACTIVE: {Project.Status.DONE, Project.Status.CANCELLED},
    Project.Status.DONE: set(),
    Project.Status.CANCELLED: set(),
}


@transaction.atomic
def project_status(*, by, project: Project, status: str, request=None) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_manage(by, project)
    if status not in STATUS_MOVES.get(project.status, set()):
        raise UserError(
            _("项目当前为“{now}”，不能改为“{new}”。").format(
                now=project.get_status_display(), new=Project.Status(status).label
            ),
            status=409,
        )
    old = project.status
    project.status = status
    fields = ["status", "updated_at"]
    if status == Project.Status.DONE:
        project.progress = 100
        project.done_on = timezone.localdate()
        fields += ["progress", "done_on"]
    project.save(update_fields=fields)
    audit(
        actor=by,
        action="projects.status",
        obj=project,
        request=request,
        detail={"from": old, "to": status},
    )
    return project


@transaction.atomic
def milestone_add(*, by, project: Project, title: str, due_on: date, request=None) -> Milestone:
    _check_manage(by, project)
    if due_on > project.ends_on:
        raise UserError(
            _("节点日期不能晚于项目完成期限（{day}）。").format(day=project.ends_on.isoformat()),
            field="due_on",
        )
    if due_on < project.starts_on:
        raise UserError(_("节点日期不能早于项目开始日期。"), field="due_on")
    milestone = Milestone.objects.create(project=project, title=title, due_on=due_on)
    audit(
        actor=by,
        action="projects.milestone",
        obj=project,
        request=request,
        detail={"title": title, "due_on": due_on.isoformat()},
    )
    return milestone


@transaction.atomic
def milestone_done(*, by, milestone: Milestone, done_on: date, request=None) -> Milestone:
    project = milestone.project
    if not may_report(by, project):
        raise Forbidden(_("只有项目负责人或本辖区的工作人员可以更新节点。"))
    if done_on > timezone.localdate():
        raise UserError(_("完成日期不能晚于今天。"), field="done_on")
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    audit(
        actor=by,
        action="projects.milestone_done",
        obj=project,
        request=request,
        detail={"milestone": milestone.pk, "done_on": done_on.isoformat()},
    )
    return milestone


@transaction.atomic
def partners_set(*, by, project: Project, partners, request=None) -> Project:
    _check_manage(by, project)
    project.partners.set(partners)
    audit(
        actor=by,
        action="projects.partners",
        obj=project,
        request=request,
        detail={"partners": [p.pk for p in partners]},
    )
    return project


@transaction.atomic
def link_add(*, by, project: Project, need=None, issue=None, case=None, request=None):
    _check_manage(by, project)
    given = [x for x in (need, issue, case) if x is not None]
    if len(given) != 1:
        raise UserError(_("请选择一项需求、议题或诉求案件。"))
    if not covers([at_most(project.scope_code, "street")], given[0].scope_code):
        raise UserError(_("所选事项不在项目所在街道。"))
    if ProjectLink.objects.filter(project=project, need=need, issue=issue, case=case).exists():
        raise UserError(_("该事项已关联到本项目。"), status=409)
    link = ProjectLink.objects.create(project=project, need=need, issue=issue, case=case)
    audit(
        actor=by,
        action="projects.link",
        obj=project,
        request=request,
        detail={
            "need": getattr(need, "pk", None),
            "issue": getattr(issue, "pk", None),
            "case": getattr(case, "pk", None),
        },
    )
    return link


# Progress.


@transaction.atomic
def report_progress(
    *,
    by,
    project: Project,
    month: date,
    text: str,
    progress: int,
    health: str,
    photos: list[Any] | None = None,
    request=None,
) -> ProgressReport:
    """The owner's report for ``month`` (one a month; a second replaces the first's figures).
    Refused outside the project's period, in a month still to come, on a closed project."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not may_report(by, project):
        raise Forbidden(_("只有项目负责人或本辖区的工作人员可以报告进展。"))
    month = month_of(month)
    if project.status in (Project.Status.DONE, Project.Status.CANCELLED):
        raise UserError(
            _("项目已{status}，不再报告进展。").format(status=project.get_status_display()),
            status=409,
        )
    if month < month_of(project.starts_on) or month > month_of(project.ends_on):
        raise UserError(
            _("报告月份不在项目周期（{start} 至 {end}）之内。").format(
                start=project.starts_on.isoformat(), end=project.ends_on.isoformat()
            ),
            field="month",
        )
    if month > month_of(timezone.localdate()):
        raise UserError(_("不能报告尚未到来的月份。"), field="month")
    if not 0 <= int(progress) <= 100:
        raise UserError(_("进度须在 0 到 100 之间。"), field="progress")
    if health not in Health.values:
        raise UserError(_("请选择进展状态。"), field="health")
    if not (text or "").strip():
        raise UserError(_("请填写进展情况。"), field="text")
    files = [f for f in (photos or []) if f]
    prepared = prepare_photos(files) if files else []
    if len(prepared) > MAX_PHOTOS:
        raise UserError(_("每次最多上传 {most} 张照片。").format(most=MAX_PHOTOS), field="photos")
    report, created = ProgressReport.objects.update_or_create(
        project=project,
        month=month,
        defaults={"text": text.strip(), "progress": progress, "health": health, "reported_by": by},
    )
    for f in prepared:
        ReportPhoto.objects.create(report=report, image=f)
    latest = project.reports.order_by("-month").values_list("month", flat=True).first()
    if latest == month:
        project.progress = progress
        project.health = health
        project.reported_month = month
        fields = ["progress", "health", "reported_month", "updated_at"]
        if project.status == Project.Status.PLANNED:
            project.status = Project.Status.ACTIVE
            fields.append("status")
        project.save(update_fields=fields)
    audit(
        actor=by,
        action="projects.report",
        obj=project,
        request=request,
        detail={
            "month": month.isoformat(),
            "progress": progress,
            "health": health,
            "photos": len(prepared),
            "replaced": not created,
        },
    )
    return report


def due_reports(today: date):
    """The active projects of a monthly-report kind, without children, that have not reported
    for this month."""
    month = month_of(today)
    return (
        Project.objects.filter(
            kind__monthly_report=True,
            status__in=[Project.Status.PLANNED, Project.Status.ACTIVE],
            starts_on__lte=today,
            ends_on__gte=month,
        )
        .exclude(reported_month__gte=month)
        # a parent's figure is rolled up from its children: it reports nothing itself
        .exclude(pk__in=Project.objects.filter(parent__isnull=False).values("parent_id"))
        .select_related("owner")
    )


REMIND_DAYS = 3


def remind_due_reports(today: date | None = None) -> int:
    """A notification to each owner whose report for this month is due within three days
    (the report of a month is due by its last day)."""
    today = today or timezone.localdate()
    next_month = (month_of(today).replace(day=28) + _days(4)).replace(day=1)
    if (next_month - today).days > REMIND_DAYS + 1:
        return 0
    sent = 0
    with in_stored_language():
        for project in due_reports(today).filter(starts_on__lt=month_of(today)):
            title = _("请报告“{title}”本月进展").format(title=project.title)[:100]
            notify(
                users=[project.owner],
                title=title,
                body=_("本月进展月报须在月底前报告。"),
                url=f"/m/projects/{project.pk}/report/",
            )
            sent += 1
    return sent


def _days(n: int) -> timedelta:
    return timedelta(days=n)


# 实事 steps.


@transaction.atomic
def proposal_add(*, by, project: Project, text: str, request=None) -> Proposal:
    """A resident's proposal at the 征集 step of a 实事 of their community."""
    if not getattr(by, "is_authenticated", False):
        raise Forbidden(_("请先登录。"))
    if project.step != "征集":
        raise UserError(_("该实事不在征集阶段。"), status=409)
    if community_of(project.scope_code) not in home_communities(by) and not can_manage(by, project):
        raise Forbidden(_("只有本社区居民可以提出建议。"))
    if not (text or "").strip():
        raise UserError(_("请填写建议。"), field="text")
    proposal = Proposal.objects.create(project=project, text=text.strip()[:500], proposed_by=by)
    audit(actor=by, action="projects.proposal", obj=project, request=request)
    return proposal


@transaction.atomic
def step_advance(*, by, project: Project, poll: Poll | None = None, request=None) -> Project:
    """Move a project to its kind's next step. Leaving 征集 for 票决 takes the household poll
    (of the project's community); 票决 moves on only when that poll has closed."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_manage(by, project)
    steps = project.kind.steps
    if not steps or project.step not in steps:
        raise UserError(_("该项目没有步骤。"), status=409)
    index = steps.index(project.step)
    if index + 1 >= len(steps):
        raise UserError(_("已是最后一步。"), status=409)
    nxt = steps[index + 1]
    if nxt == "票决":
        if poll is None:
            raise UserError(_("票决须关联一次户代表投票。"), field="poll")
        if poll.electorate != Poll.Electorate.HOUSEHOLD:
            raise UserError(_("票决须为每户一票的投票。"), field="poll")
        if poll.scope_code != project.scope_code[:12]:
            raise UserError(_("投票须为项目所在社区的投票。"), field="poll")
        project.poll = poll
    if project.step == "票决" and (
        project.poll is None or project.poll.status != Poll.Status.CLOSED
    ):
        raise UserError(_("投票结束后才能进入下一步。"), status=409)
    old = project.step
    project.step = nxt
    if nxt == "实施" and project.status == Project.Status.PLANNED:
        project.status = Project.Status.ACTIVE
    project.save(update_fields=["step", "poll", "status", "updated_at"])
    audit(
        actor=by,
        action="projects.step",
        obj=project,
        request=request,
        detail={"from": old, "to": nxt, "poll": project.poll_id},
    )
    return project


def advance_after_polls() -> int:
    """Move every 实事 at 票决 whose poll has closed on to 实施 (run by the worker)."""
    moved = 0
    rows = Project.objects.filter(step="票决", poll__status=Poll.Status.CLOSED).select_related(
        "kind"
    )
    for project in rows:
        with transaction.atomic():
            project.step = "实施"
            if project.status == Project.Status.PLANNED:
                project.status = Project.Status.ACTIVE
            project.save(update_fields=["step", "status", "updated_at"])
            audit(
                actor=None,
                action="projects.step",
                obj=project,
                detail={"from": "票决", "to": "实施", "poll": project.poll_id, "auto": True},
            )
        moved += 1
    return moved


# Supervision (督查).


def draw_pick(seed: str, inspectors: list[int], places: list[str]) -> tuple[int, str]:
    """两随机: a random inspector and a random place, from the candidates in a fixed order and
    a seed, so that anyone can replay the draw."""
    if not inspectors or not places:
        raise UserError(_("没有可抽取的督查人员或督查对象。"))
    rng = random.Random(seed)
    return rng.choice(sorted(inspectors)), rng.choice(sorted(places))


@transaction.atomic
def supervision_open(
    *,
    by,
    title: str,
    place: Division | None = None,
    project: Project | None = None,
    inspector=None,
    random_draw: bool = False,
    seed: str | None = None,
    request=None,
) -> Supervision:
    """Open a supervision of a project or of a place's task list. With ``random_draw`` the
    inspector is drawn from the street's and district's staff covering the opener's scope and the
    place from the communities under it; the seed and the candidates are kept."""
    draw: dict[str, Any] = {}
    if project is not None:
        place = project.place
    if random_draw:
        scope = place.code if place is not None else None
        if scope is None:
            scopes = by.scopes_for("street_staff", "district_staff")
            if not scopes:
                raise Forbidden(_("只有街道或区级工作人员可以开展督查。"))
            scope = scopes[0]
        if not can_supervise(by, Division.objects.get(code=scope)):
            raise Forbidden(_("只有街道或区级工作人员可以开展督查。"))
        candidates_places = (
            list(
                Division.objects.filter(code__startswith=scope, level="community").values_list(
                    "code", flat=True
                )
            )
            if place is None or place.level != "community"
            else [place.code]
        )
        candidates_people = list(
            User.objects.filter(
                is_active=True,
                role_assignments__ended_at__isnull=True,
                role_assignments__role__in=["street_staff", "district_staff"],
                role_assignments__scope_code__in=[scope[:6], scope[:9]],
            )
            .distinct()
            .values_list("pk", flat=True)
        )
        seed = seed or secrets.token_hex(8)
        who, where = draw_pick(seed, candidates_people, candidates_places)
        inspector = User.objects.get(pk=who)
        place = Division.objects.get(code=where)
        draw = {
            "inspectors": sorted(candidates_people),
            "places": sorted(candidates_places),
            "inspector": who,
            "place": where,
        }
    if place is None:
        raise UserError(_("请选择督查的项目或地区。"), field="place")
    if not can_supervise(by, place):
        raise Forbidden(_("只有街道或区级工作人员可以开展督查。"))
    if not (title or "").strip():
        raise UserError(_("请填写督查事项。"), field="title")
    supervision = Supervision.objects.create(
        place=place,
        project=project,
        title=title.strip(),
        opened_by=by,
        inspector=inspector or by,
        seed=seed or "" if random_draw else "",
        draw=draw,
    )
    audit(
        actor=by,
        action="projects.supervision_open",
        obj=supervision,
        request=request,
        detail={"seed": supervision.seed, **draw},
    )
    return supervision


def replay_draw(supervision: Supervision) -> tuple[int, str] | None:
    """The draw again from the stored seed and candidates (equal to what was recorded)."""
    if not supervision.seed:
        return None
    d = supervision.draw
    return draw_pick(supervision.seed, d["inspectors"], d["places"])


@transaction.atomic
def findings_record(*, by, supervision: Supervision, findings: str, request=None):
    if not (can_supervise(by, supervision) or supervision.inspector_id == by.pk):
        raise Forbidden(_("只有督查人员可以记录督查发现。"))
    supervision.findings = findings
    supervision.save(update_fields=["findings", "updated_at"])
    audit(actor=by, action="projects.findings", obj=supervision, request=request)
    return supervision


@transaction.atomic
def rectification_add(
    *, by, supervision: Supervision, text: str, owner, deadline: date, request=None
) -> Rectification:
    if not (can_supervise(by, supervision) or supervision.inspector_id == by.pk):
        raise Forbidden(_("只有督查人员可以提出整改要求。"))
    if supervision.status == Supervision.Status.CLOSED:
        raise UserError(_("督查已办结。"), status=409)
    if deadline < timezone.localdate():
        raise UserError(_("整改期限不能早于今天。"), field="deadline")
    if not user_in_place(owner, supervision.scope_code):
        raise UserError(_("整改责任人须为被督查地区的工作人员。"), field="owner")
    item = Rectification.objects.create(
        supervision=supervision,
        scope_code=supervision.scope_code,
        text=text,
        owner=owner,
        deadline=deadline,
    )
    with in_stored_language():
        notify(
            users=[owner],
            title=_("督查整改：{text}").format(text=text)[:100],
            body=_("整改期限：{day}").format(day=deadline.isoformat()),
            url=f"/console/projects/supervision/{supervision.pk}/",
        )
    audit(
        actor=by,
        action="projects.rectify_ask",
        obj=supervision,
        request=request,
        detail={"item": item.pk, "owner": owner.pk, "deadline": deadline.isoformat()},
    )
    return item


def user_in_place(user, code: str) -> bool:
    """Does ``user`` hold a staff role at, above or below ``code`` (the item's place)?"""
    return any(code.startswith(s) or s.startswith(code) for s in user.scopes_for(*MANAGER_ROLES))


@transaction.atomic
def rectification_close(*, by, item: Rectification, note: str, photo, request=None):
    """The owner (or the community's staff) reports the item done, with a photo."""
    item = Rectification.objects.select_for_update().select_related("supervision").get(pk=item.pk)
    if not may_close_item(by, item):
        raise Forbidden(_("只有整改责任人或本社区工作人员可以报告整改完成。"))
    if item.status != Rectification.Status.OPEN:
        raise UserError(_("该整改事项已报告完成。"), status=409)
    if not photo:
        raise UserError(_("请上传整改后的照片。"), field="photo")
    if not (note or "").strip():
        raise UserError(_("请填写整改情况。"), field="note")
    prepared = prepare_photos([photo])
    item.photo.save(prepared[0].name, prepared[0], save=False)
    item.note = note.strip()[:500]
    item.status = Rectification.Status.SUBMITTED
    item.closed_at = timezone.now()
    item.closed_by = by
    item.save()
    audit(
        actor=by,
        action="projects.rectify_close",
        obj=item.supervision,
        request=request,
        detail={"item": item.pk},
    )
    return item


@transaction.atomic
def rectification_verify(*, by, item: Rectification, accept: bool, note: str = "", request=None):
    """The supervisor verifies a reported item: accepted, it is closed (销号); sent back, it is
    open again. An item never reported done cannot be verified."""
    item = Rectification.objects.select_for_update().select_related("supervision").get(pk=item.pk)
    if not may_verify_item(by, item):
        raise Forbidden(_("只有督查人员可以核验整改。"))
    if item.status != Rectification.Status.SUBMITTED:
        raise UserError(_("整改完成并上传照片后才能核验。"), status=409)
    if item.closed_by_id == by.pk:
        raise Forbidden(_("报告整改完成的人不能自己核验。"))
    if accept:
        item.status = Rectification.Status.VERIFIED
        item.verified_at = timezone.now()
        item.verified_by = by
    else:
        item.status = Rectification.Status.OPEN
        item.note = (note or _("核验未通过"))[:500]
    item.save()
    audit(
        actor=by,
        action="projects.rectify_verify",
        obj=item.supervision,
        request=request,
        detail={"item": item.pk, "accept": accept},
    )
    return item


@transaction.atomic
def supervision_close(*, by, supervision: Supervision, request=None) -> Supervision:
    if not can_supervise(by, supervision):
        raise Forbidden(_("只有督查人员可以办结督查。"))
    if supervision.items.exclude(status=Rectification.Status.VERIFIED).exists():
        raise UserError(_("还有整改事项未核验销号，不能办结。"), status=409)
    supervision.status = Supervision.Status.CLOSED
    supervision.save(update_fields=["status", "updated_at"])
    audit(actor=by, action="projects.supervision_close", obj=supervision, request=request)
    return supervision


# Commitments and the year-end evaluation.


def _graded(commitment: Commitment) -> bool:
    return Evaluation.objects.filter(commitment=commitment).exclude(grade="").exists()


@transaction.atomic
def commitment_save(
    *, by, person, place: Division, kind: str, year: int, letter: str, tasks: str, request=None
) -> Commitment:
    """The person's (or, on their behalf, the place's staff's) commitment letter and task list
    for ``year`` in a community: written once a year per place, updated until it is graded."""
    if not (person.pk == by.pk or can_manage(by, place)):
        raise Forbidden(_("只能登记本人或本辖区的承诺。"))
    if place.level != "community":
        raise UserError(_("请选择社区。"), field="place")
    if not can_manage(by, place) and not commitment_places(person).filter(pk=place.pk).exists():
        raise UserError(_("只能在您任职或负责项目的社区登记承诺。"), field="place")
    if kind not in Commitment.Kind.values:
        raise UserError(_("请选择身份。"), field="kind")
    this_year = timezone.localdate().year
    if not this_year - 1 <= year <= this_year + 1:
        raise UserError(
            _("承诺年度须在 {first} 到 {last} 年之间。").format(
                first=this_year - 1, last=this_year + 1
            ),
            field="year",
        )
    if not (letter or "").strip():
        raise UserError(_("请填写承诺书。"), field="letter")
    if not (tasks or "").strip():
        raise UserError(_("请填写任务清单。"), field="tasks")
    existing = (
        Commitment.objects.select_for_update().filter(person=person, place=place, year=year).first()
    )
    if existing is not None and _graded(existing):
        raise UserError(_("该年度已完成考评，承诺不能再修改。"), status=409)
    commitment, created = Commitment.objects.update_or_create(
        person=person,
        place=place,
        year=year,
        defaults={"kind": kind, "letter": letter.strip(), "tasks": tasks.strip()},
    )
    audit(
        actor=by,
        action="projects.commitment",
        obj=commitment,
        request=request,
        detail={"year": year, "created": created},
    )
    return commitment


@transaction.atomic
def exchange_add(
    *, by, commitment: Commitment, quarter: int, held_on: date, summary: str, request=None
) -> Exchange:
    """The quarter's exchange record (a second one for the same quarter replaces the first):
    its date inside the commitment's year and that quarter, not in the future."""
    if not (commitment.person_id == by.pk or can_manage(by, commitment)):
        raise Forbidden(_("只能登记本人或本辖区的交流记录。"))
    if quarter not in (1, 2, 3, 4):
        raise UserError(_("请选择季度。"), field="quarter")
    if held_on.year != commitment.year:
        raise UserError(
            _("交流日期须在承诺年度（{year} 年）之内。").format(year=commitment.year),
            field="held_on",
        )
    if (held_on.month - 1) // 3 + 1 != quarter:
        raise UserError(_("交流日期不在所选季度内。"), field="held_on")
    if held_on > timezone.localdate():
        raise UserError(_("交流日期不能晚于今天。"), field="held_on")
    if not (summary or "").strip():
        raise UserError(_("请填写交流内容。"), field="summary")
    if _graded(commitment):
        raise UserError(_("该年度已完成考评，不能再登记交流记录。"), status=409)
    exchange, _created = Exchange.objects.update_or_create(
        commitment=commitment,
        quarter=quarter,
        defaults={"held_on": held_on, "summary": summary.strip()},
    )
    audit(
        actor=by,
        action="projects.exchange",
        obj=commitment,
        request=request,
        detail={"quarter": quarter},
    )
    return exchange


def _grade(score: Decimal) -> str:
    if score >= 90:
        return Evaluation.Grade.EXCELLENT
    if score >= 75:
        return Evaluation.Grade.COMPETENT
    if score >= 60:
        return Evaluation.Grade.BASIC
    return Evaluation.Grade.INCOMPETENT


@transaction.atomic
def evaluation_save(
    *,
    by,
    commitment: Commitment,
    self_report: str | None = None,
    community_score: Decimal | None = None,
    street_score: Decimal | None = None,
    request=None,
) -> Evaluation:
    """The person writes the self-report; the community's staff give the community's score and
    the street's staff the street's; the grade follows from the mean of the two scores (优秀 ≥
    90, 称职 ≥ 75, 基本称职 ≥ 60). Each score is given once: a year is evaluated once, and a
    graded year's self-report stays as it was graded."""
    evaluation, _created = Evaluation.objects.select_for_update().get_or_create(
        commitment=commitment
    )
    if self_report is not None:
        if commitment.person_id != by.pk:
            raise Forbidden(_("述职报告由本人填写。"))
        if evaluation.grade:
            raise UserError(_("该年度已完成考评，述职报告不能再修改。"), status=409)
        if not self_report.strip():
            raise UserError(_("请填写述职报告。"), field="self_report")
        evaluation.self_report = self_report.strip()
    allowed = may_score(by, commitment)
    given = {}
    for score, field, label in (
        (community_score, "community_score", _("社区评分")),
        (street_score, "street_score", _("街道评分")),
    ):
        if score is None:
            continue
        if not allowed[field]:
            raise Forbidden(_("您不能给出这项评分。"))
        if getattr(evaluation, field) is not None:
            raise UserError(
                _("{year} 年度的{score}已经给出，同一年度只评一次。").format(
                    year=commitment.year, score=label
                ),
                field=field,
                status=409,
            )
        if not Decimal("0") <= score <= Decimal("100"):
            raise UserError(_("评分须在 0 到 100 之间。"), field=field)
        if score != score.quantize(Decimal("0.01")):
            raise UserError(_("评分最多保留两位小数。"), field=field)
        setattr(evaluation, field, score)
        given[field] = str(score)
    if evaluation.community_score is not None and evaluation.street_score is not None:
        evaluation.grade = _grade((evaluation.community_score + evaluation.street_score) / 2)
    evaluation.save()
    audit(
        actor=by,
        action="projects.evaluation",
        obj=commitment,
        request=request,
        detail={**given, "grade": evaluation.grade, "self_report": self_report is not None},
    )
    return evaluation
