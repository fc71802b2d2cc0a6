"""The five-step decision (民主决策五步法) over a matter: proposing makes the matter (step 1);
each later step is one transition of the machine (workflow.MATTER_TRANSITIONS) with its date,
its meeting and its evidence, recorded as a ``MatterStep``. A step cannot be skipped: each moves
only from the one before it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.core.audit import audit
from jiceng.core.errors import UserError
from jiceng.core.inputs import check_day
from jiceng.core.workflow import Machine
from jiceng.deliberation import workflow
from jiceng.deliberation.meetings import _require_manager
from jiceng.deliberation.models import Issue, Matter, MatterStep, Meeting, Participant
from jiceng.deliberation.permissions import may_act, may_see_matter

MACHINE = Machine(
    model=Matter,
    event_model=MatterStep,
    event_owner="matter",
    transitions=workflow.MATTER_TRANSITIONS,
    may_act=may_act,
    visible=may_see_matter,
    audit_prefix="deliberation.matter.",
    entity=gettext_lazy("五步法事项"),
    wrong_stage=workflow.MATTER_STAGE,
    forbidden=workflow.MATTER_STAFF_ONLY,
    version_field="version",
)


def _step_fields(
    *, matter_code: str, held_on, meeting: Meeting | None, evidence: str
) -> dict[str, Any]:
    if held_on is None:
        raise UserError(_("请填写这一步的日期。"), field="held_on")
    held_on = check_day(held_on, "held_on")
    if held_on > timezone.localdate():
        raise UserError(_("日期不能晚于今天。"), field="held_on")
    evidence = (evidence or "").strip()
    if len(evidence) > 4000:
        raise UserError(_("依据材料不能超过 4000 字。"), field="evidence")
    if meeting is not None and meeting.scope_code != matter_code:
        raise UserError(_("请选择本社区的会议。"), field="meeting")
    if meeting is None and not evidence:
        raise UserError(_("请选择这一步的会议，或填写依据材料（纪要、公示等）。"), field="evidence")
    return {"held_on": held_on, "meeting": meeting, "evidence": evidence}


@transaction.atomic
def matter_propose(
    *,
    by,
    community,
    title: str,
    description: str = "",
    held_on: date | None = None,
    meeting: Meeting | None = None,
    evidence: str = "",
    issue: Issue | None = None,
    request: Any = None,
) -> Matter:
    """Step 1: the party organization proposes the matter."""
    _require_manager(by, community)
    title = (title or "").strip()
    if not title:
        raise UserError(_("请填写事项名称。"), field="title")
    if len(title) > 100:
        raise UserError(_("事项名称不能超过 100 字。"), field="title")
    step = _step_fields(
        matter_code=community.code, held_on=held_on, meeting=meeting, evidence=evidence
    )
    if issue is not None and issue.scope_code != community.code:
        raise UserError(_("议题不属于该社区。"), field="issue")
    matter = Matter.objects.create(
        community=community,
        title=title,
        description=(description or "").strip()[:4000],
        issue=issue,
        created_by=by,
    )
    MACHINE.write_event(matter, action="propose", by=by, previous="", **step)
    audit(actor=by, action="deliberation.matter.propose", obj=matter, request=request)
    return matter


def _vote_guard(votes: tuple[int | None, int | None, int | None], meeting: Meeting | None):
    """Step 4: the residents' (representatives') meeting resolves: it met its quorum where its
    kind sets one, and more than half of those present voted for (组织法 art. 9)."""

    def guard(record, **_context):
        if meeting is None:
            raise UserError(_("请选择作出决议的居民会议或居民代表会议。"), field="meeting")
        if any(v is None for v in votes):
            raise UserError(_("请填写赞成、反对和弃权票数。"), field="votes_for")
        if any(v < 0 for v in votes):
            raise UserError(_("票数不能为负数。"), field="votes_for")
        people = list(Participant.objects.filter(meeting=meeting).only("invited", "present"))
        present = sum(p.present for p in people)
        invited = sum(p.invited for p in people)
        present_invited = sum(p.present and p.invited for p in people)
        needed = meeting.kind.quorum_needed(invited)
        if meeting.kind.quorum and present_invited < needed:
            raise UserError(
                _("会议到会 {present} 人，未达到法定人数 {needed} 人，不能作出决议。").format(
                    present=present_invited, needed=needed
                ),
                field="meeting",
            )
        if present and sum(votes) > present:
            raise UserError(
                _("票数合计 {n} 超过到会人数 {present}。").format(n=sum(votes), present=present),
                field="votes_for",
            )
        if votes[0] * 2 <= (present or sum(votes)):
            raise UserError(
                _("赞成票未超过到会人员的半数，决议未通过。"), field="votes_for", status=409
            )

    return guard


def matter_step(
    *,
    by,
    matter: Matter,
    action: str,
    held_on=None,
    meeting: Meeting | None = None,
    evidence: str = "",
    note: str = "",
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstain: int | None = None,
    version=None,
    request: Any = None,
) -> Matter:
    """Record the next step of the matter (or withdraw it, with a reason)."""
    if action not in workflow.MATTER_TRANSITIONS:
        raise UserError(_("未知的操作。"), field="action")
    step: dict[str, Any] = {}
    guards = []
    if action != "withdraw":
        step = _step_fields(
            matter_code=matter.scope_code, held_on=held_on, meeting=meeting, evidence=evidence
        )
    if action == "resolve":
        votes = (votes_for, votes_against, votes_abstain)
        guards.append(_vote_guard(votes, meeting))
        step.update(votes_for=votes_for, votes_against=votes_against, votes_abstain=votes_abstain)
    # The step's date, meeting and evidence go on the step's row (the machine's event).
    machine = replace(MACHINE, event_extra=lambda record, **_: step, entity=None)
    return machine.run(
        record=matter,
        action=action,
        by=by,
        note=note,
        version=version,
        guards=guards,
        audit_detail={
            "step": workflow.STEP_NUMBER.get(action),
            "meeting": getattr(meeting, "pk", None),
        },
        request=request,
    )


def steps_of(matter: Matter, steps: list[MatterStep]) -> list[dict[str, Any]]:
    """The five steps with the event that recorded each (None: not yet)."""
    by_action = {s.action: s for s in steps}
    rows = []
    for number, label, actions in workflow.STEPS:
        done = [by_action[a] for a in actions if a in by_action]
        rows.append({"number": number, "label": label, "done": done})
    return rows
