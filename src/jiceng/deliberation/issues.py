"""Issues (议题) from every door: raised at a meeting, from a resident's phone, from a case or a
need; moved collected → on the agenda → resolved → carried out → reported back through the
machine (workflow.ISSUE_TRANSITIONS), each step an event and an audit entry."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.community.permissions import home_communities
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.workflow import Machine
from jiceng.deliberation import workflow
from jiceng.deliberation.models import Issue, IssueEvent, Meeting
from jiceng.deliberation.permissions import can_manage, may_act, may_see_issue

MACHINE = Machine(
    model=Issue,
    event_model=IssueEvent,
    event_owner="issue",
    transitions=workflow.ISSUE_TRANSITIONS,
    may_act=may_act,
    visible=may_see_issue,
    audit_prefix="deliberation.issue.",
    entity=gettext_lazy("议题"),
    wrong_stage=workflow.ISSUE_STAGE,
    forbidden=workflow.ISSUE_STAFF_ONLY,
    version_field="version",
)


def _text(value: str, field: str, most: int, missing: str | None = None) -> str:
    value = (value or "").strip()
    if missing and not value:
        raise UserError(missing, field=field)
    if len(value) > most:
        raise UserError(
            _("不能超过 {most} 字（现有 {n} 字）。").format(most=most, n=len(value)), field=field
        )
    return value


@transaction.atomic
def issue_raise(
    *,
    by,
    community,
    title: str,
    description: str = "",
    source: str = Issue.Source.PHONE,
    meeting: Meeting | None = None,
    case=None,
    need=None,
    request: Any = None,
) -> Issue:
    """Raise an issue in ``community``: a resident or member from the phone (their own
    community), staff from a meeting, a case or a need, or on a resident's behalf."""
    resident = source == Issue.Source.PHONE and community.code in home_communities(by)
    if not (resident or can_manage(by, community)):
        raise Forbidden(_("只能向您所在的社区提出议题。"))
    if source not in Issue.Source.values:
        raise UserError(_("未知的议题来源。"), field="source")
    title = _text(title, "title", 100, _("请填写议题。"))
    description = _text(description, "description", 2000)
    if meeting is not None and meeting.scope_code != community.code:
        raise UserError(_("会议不属于该社区。"), field="meeting")
    if source == Issue.Source.MEETING and meeting is None:
        raise UserError(_("请选择提出议题的会议。"), field="meeting")
    if source == Issue.Source.CASE and case is None:
        raise UserError(_("请填写来源案件。"), field="case")
    if source == Issue.Source.NEED and need is None:
        raise UserError(_("请选择来源需求。"), field="need")
    for linked, field in ((case, "case"), (need, "need")):
        if linked is not None and not linked.scope_code.startswith(community.code):
            raise UserError(_("关联的记录不属于该社区。"), field=field)
    issue = Issue.objects.create(
        community=community,
        title=title,
        description=description,
        source=source,
        raised_by=by,
        raised_at=meeting if source == Issue.Source.MEETING else None,
        case=case,
        need=need,
    )
    MACHINE.write_event(issue, action="raise", by=by, previous="")
    audit(
        actor=by,
        action="deliberation.issue.raise",
        obj=issue,
        request=request,
        detail={"source": source},
    )
    return issue


def issue_schedule(*, by, issue: Issue, meeting: Meeting, version=None, request=None) -> Issue:
    """Put the issue on a meeting's agenda (a meeting of its community, not yet held)."""

    def same_community(record, **_context):
        if meeting.scope_code != record.scope_code:
            raise UserError(_("请选择本社区的会议。"), field="meeting")
        if meeting.status == Meeting.Status.CANCELLED:
            raise UserError(_("会议已取消。"), field="meeting")

    return MACHINE.run(
        record=issue,
        action="schedule",
        by=by,
        version=version,
        changes={"meeting": meeting},
        guards=[same_community],
        audit_detail={"meeting": meeting.pk},
        request=request,
    )


def issue_resolve(*, by, issue: Issue, resolution: str, version=None, request=None) -> Issue:
    """What the meeting decided about the issue."""
    return MACHINE.run(
        record=issue,
        action="resolve",
        by=by,
        note=resolution,
        version=version,
        request=request,
        before_save=lambda r, note, **_: setattr(r, "resolution", note),
    )


def issue_carry_out(
    *, by, issue: Issue, outcome: str, case=None, need=None, version=None, request=None
) -> Issue:
    """The resolution was carried out (the issue counts as solved); link the case or the need
    it produced, if any."""

    def links(record, **_context):
        for linked, field in ((case, "case"), (need, "need")):
            if linked is not None and not linked.scope_code.startswith(record.scope_code):
                raise UserError(_("关联的记录不属于该社区。"), field=field)

    def fill(record, note, now, **_):
        record.outcome, record.solved_at = note, now
        record.case = case or record.case
        record.need = need or record.need

    return MACHINE.run(
        record=issue,
        action="carry_out",
        by=by,
        note=outcome,
        version=version,
        guards=[links],
        before_save=fill,
        request=request,
    )


def issue_report(*, by, issue: Issue, note: str, version=None, request=None) -> Issue:
    """The residents were told what came of it."""
    return MACHINE.run(
        record=issue, action="report", by=by, note=note, version=version, request=request
    )


def issue_dismiss(*, by, issue: Issue, reason: str, version=None, request=None) -> Issue:
    return MACHINE.run(
        record=issue, action="dismiss", by=by, note=reason, version=version, request=request
    )


ACTIONS = {
    "resolve": issue_resolve,
    "carry_out": issue_carry_out,
    "report": issue_report,
    "dismiss": issue_dismiss,
}


def issue_act(*, by, issue: Issue, action: str, note: str, version=None, request=None) -> Issue:
    """One of the transitions that take a note (the pages' and the API's one door)."""
    if action not in ACTIONS:
        raise UserError(_("未知的操作。"), field="action")
    keyword = {"resolve": "resolution", "carry_out": "outcome", "dismiss": "reason"}.get(
        action, "note"
    )
    return ACTIONS[action](by=by, issue=issue, version=version, request=request, **{keyword: note})
