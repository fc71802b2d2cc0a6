"""The needs list (需求清单): a need is posted, then reviewed once through the Machine of
workflow.NEED_TRANSITIONS (accepted, merged into another, or declined), each with a NeedEvent."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from jiceng.community import workflow
from jiceng.community.checks import MAX_TEXT, _community, _text
from jiceng.community.models import Need, NeedEvent
from jiceng.community.permissions import can_act_on_need, can_manage, home_communities
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.notify import in_stored_language, notify
from jiceng.core.workflow import Machine
from jiceng.geo.models import Division


@transaction.atomic
def need_post(
    *,
    by,
    title: str,
    description: str = "",
    source: str = Need.Source.ONLINE,
    community: Division | str | None = None,
    request: Any = None,
) -> Need:
    """A need enters the list: a resident posts one from the phone (online message board), or
    staff enter one collected on a visit, at a forum or from the suggestion box."""
    if source not in Need.Source.values:
        raise UserError(_("未知的需求来源。"), field="source")
    if community is None:
        homes = home_communities(by)
        if not homes:
            raise UserError(_("尚未登记所在社区，无法提交需求。"))
        community = homes[0]
    place = _community(community)
    staff = can_manage(by, place)
    if not staff and place.code not in home_communities(by):
        raise Forbidden(_("只能向自己所在的社区提交需求。"))
    if not staff:
        source = Need.Source.ONLINE
    need = Need.objects.create(
        community=place,
        scope_code=place.code,
        title=_text(title, _("需求"), "title"),
        description=_text(
            description,
            pgettext("description", "说明"),
            "description",
            required=False,
            limit=MAX_TEXT,
        ),
        source=source,
        posted_by=by,
    )
    MACHINE.write_event(need, action="post", by=by, previous="")
    audit(actor=by, action="services.need_post", obj=need, request=request)
    return need


MACHINE = Machine(
    model=Need,
    event_model=NeedEvent,
    event_owner="need",
    transitions=workflow.NEED_TRANSITIONS,
    may_act=can_act_on_need,
    audit_prefix="services.need_",
    entity=gettext_lazy("需求"),
    wrong_stage=workflow.NEED_REVIEWED,
    forbidden=workflow.MANAGERS_ONLY,
    note_field="reason",
    note_limit=500,
)


def _reviewed(by, need: Need, action: str, reason: str, guards=(), **extra) -> Need:
    """One review through ``MACHINE``; the resident is told (in the stored language)."""

    def stamp(locked: Need, *, now, note: str, **_context: Any) -> None:
        locked.reason = note or getattr(locked, "_default_reason", "")
        locked.reviewed_by = by
        locked.reviewed_at = now

    need = MACHINE.run(
        record=need,
        action=action,
        by=by,
        note=reason,
        changes=extra,
        guards=guards,
        before_save=stamp,
        audit_detail=lambda locked: {
            "reason": locked.reason,
            **{k: getattr(v, "pk", v) for k, v in extra.items()},
        },
    )
    if need.posted_by_id and need.posted_by_id != by.pk:
        with in_stored_language():
            label = need.get_status_display()
            notify(
                users=[need.posted_by],
                title=f"您的需求“{need.title[:40]}”：{label}",
                body=need.reason,
                url="/m/services/needs/",
            )
    return need


@transaction.atomic
def need_accept(*, by, need: Need, note: str = "") -> Need:
    """The monthly review puts the need on the needs list."""
    return _reviewed(by, need, "accept", note)


@transaction.atomic
def need_merge(*, by, need: Need, into: Need, note: str = "") -> Need:
    """The need repeats one already on the list: merged into it (the resident is told which)."""
    into = Need.objects.filter(pk=getattr(into, "pk", into)).first()

    def into_an_accepted_need_here(locked: Need, **_context: Any) -> None:
        if into is None or into.pk == locked.pk or into.scope_code != locked.scope_code:
            raise UserError(_("只能合并到本社区的另一条需求。"), field="into")
        if into.status != Need.Status.ACCEPTED:
            raise UserError(_("只能合并到已列入清单的需求。"), field="into")
        # The stored reason stays in the source language: the resident reads it, whatever the
        # reviewer's language.
        locked._default_reason = f"与“{into.title}”合并办理"

    return _reviewed(
        by, need, "merge", note, guards=(into_an_accepted_need_here,), merged_into=into
    )


@transaction.atomic
def need_decline(*, by, need: Need, reason: str) -> Need:
    """Not put on the list; the reason is shown to the resident."""
    return _reviewed(by, need, "decline", reason)
