"""The one state-machine module: a record with stages moves only through a ``Machine``.

Each app keeps its states and its ``TRANSITIONS`` table in its own ``workflow.py`` (which
action moves a record from which stages to which, who acts, whether a note is required, any
guards) and one service function per transition that calls ``Machine.run``. ``run`` is the
only place that moves a record, and it checks in the same order for every entity:

1. the actor: may this user act on this record at all, and is this action theirs
   (``visible`` → 404, then ``may_act`` → 403), so that nobody learns a stage they may not see;
2. the version the page was read at, where the record keeps one (409: changed since);
3. the stage: the record's status is one of the action's sources (409, naming the stage);
4. the guards: the note the action needs, then the transition's and the caller's own checks
   (each raises a ``UserError`` with its own status).

All of it under a row lock (``select_for_update``: two people acting at once cannot both win;
SQLite's IMMEDIATE transactions serialize writers the same way), then one write: the fields,
the status, the version, one ``<Entity>Event`` row (who, when, from, to, note) and one audit
entry, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.core.models import AppendOnlyQuerySet
from jiceng.core.registry import register_audit_actions

# A guard looks at the locked record (and the keyword arguments of the run) and raises a
# UserError when the transition may not happen.
Guard = Callable[..., None]


@dataclass(frozen=True)
class Transition:
    """One row of a table: from which stages, to which (None: the service decides), who acts."""

    sources: frozenset[str]
    target: str | None
    actor: str
    label: str
    note_required: bool = False
    guards: tuple[Guard, ...] = ()
    # The entity's own wording, where it has one: refused for the stage (formatted with
    # {stage}, also named {status}, and {action}; or a function of the record that gives it),
    # for the person, or for a missing note.
    refused: str | Callable[[Any], str] | None = None
    forbidden: str | None = None
    note_missing: str | None = None
    note_label: str | None = None  # what the note is called in the messages ("说明")
    # The audit entry's action where it is not ``<audit_prefix><action>``.
    audit_action: str | None = None


@dataclass(frozen=True)
class Machine:
    """An entity's state machine: its model, its event log, its table and who may act."""

    model: type[models.Model]
    event_model: type[models.Model]
    event_owner: str  # the event's foreign key to the record: "case", "order", "wish" ...
    transitions: Mapping[str, Transition]
    may_act: Callable[[Any, str, Any], bool]  # (user, action, record) -> bool, the stage aside
    audit_prefix: str
    # Messages, formatted with {stage} and {action}; lazy, so read in the actor's language.
    wrong_stage: str
    forbidden: str
    stale: str = gettext_lazy("该记录刚被他人处理过，请刷新后再操作。")
    visible: Callable[[Any, Any], bool] | None = None  # (user, record) -> bool; False is 404
    not_found: str = gettext_lazy("记录不存在。")
    related: tuple[str, ...] = ()
    lock: Callable[[Any], Any] | None = None  # takes the row lock(s), returns the locked record
    version_field: str | None = None
    status_field: str = "status"
    note_field: str = "note"
    note_limit: int = 1000
    # Called on every run just before the save (after the changes and the new status), with
    # previous=, now= and note= (as kept): fields that follow from the stage (deadlines, ...).
    prepare: Callable[..., None] | None = None
    save: Callable[[Any], None] | None = None
    audit_note: bool = False  # the audit entry's detail carries the note too
    # What the audit entry names, where not the record itself (a sign-up's activity).
    audit_object: Callable[[Any], Any] | None = None
    # More fields of the event, read after the save: (record, previous=, now=) -> fields.
    event_extra: Callable[..., dict[str, Any]] | None = None
    # What the record is called ("案件"): the audit page then shows "案件：受理" for the code.
    entity: Any = None

    def __post_init__(self) -> None:
        if self.entity is not None:
            register_audit_actions(
                {
                    t.audit_action or f"{self.audit_prefix}{name}": format_lazy(
                        gettext_lazy("{entity}：{action}"), entity=self.entity, action=t.label
                    )
                    for name, t in self.transitions.items()
                }
            )

    # --- the checks, in their one order -------------------------------------------------------

    def locked(self, record: Any) -> Any:
        """The record again, under its row lock (inside the caller's transaction)."""
        if self.lock is not None:
            return self.lock(record)
        rows = self.model.objects.select_for_update(of=("self",))
        if self.related:
            rows = rows.select_related(*self.related)
        return rows.get(pk=record.pk)

    def stage_label(self, record: Any) -> str:
        status = getattr(record, self.status_field)
        getter = getattr(record, f"get_{self.status_field}_display", None)
        return str(getter()) if getter is not None else str(status)

    def check_actor(self, record: Any, action: str, by: Any) -> Transition:
        t = self.transitions[action]
        if self.visible is not None and not self.visible(by, record):
            raise NotFound(str(self.not_found))
        if not self.may_act(by, action, record):
            raise Forbidden(str(t.forbidden or self.forbidden).format(action=t.label))
        return t

    def check_version(self, record: Any, version: Any) -> None:
        if version is None or self.version_field is None:
            return
        try:
            expected = int(version)
        except (TypeError, ValueError):
            expected = None
        if expected != getattr(record, self.version_field):
            raise UserError(str(self.stale), status=409)

    def check_stage(self, record: Any, t: Transition) -> None:
        if getattr(record, self.status_field) not in t.sources:
            message = t.refused or self.wrong_stage
            if isinstance(message, Callable):  # worded by the stage the record is in
                message = message(record)
            stage = self.stage_label(record)
            raise UserError(
                str(message).format(stage=stage, status=stage, action=t.label), status=409
            )

    def check_note(self, t: Transition, note: Any) -> str:
        note = (note or "").strip() if isinstance(note, str) or note is None else str(note)
        what = str(t.note_label) if t.note_label else _("说明")
        if t.note_required and not note:
            missing = str(t.note_missing) if t.note_missing else None
            raise UserError(missing or _("请填写{what}。").format(what=what), field=self.note_field)
        if len(note) > self.note_limit:
            raise UserError(
                _("{what}不能超过 {most} 字（现有 {n} 字）。").format(
                    what=what, most=self.note_limit, n=len(note)
                ),
                field=self.note_field,
            )
        return note

    def check(
        self,
        record: Any,
        action: str,
        by: Any,
        *,
        note: Any = "",
        version: Any = None,
        guards: Iterable[Guard] = (),
        **context: Any,
    ) -> tuple[Transition, str]:
        """Every check of ``run`` on a record already locked; returns the transition and the
        note as it will be kept. Raises the first refusal."""
        if action not in self.transitions:
            raise UserError(_("未知的操作。"), field="action")
        t = self.check_actor(record, action, by)
        self.check_version(record, version)
        self.check_stage(record, t)
        note = self.check_note(t, note)
        for guard in (*t.guards, *guards):
            guard(record, by=by, **context)
        return t, note

    def allowed(self, record: Any, by: Any) -> list[str]:
        """The actions ``by`` may take on ``record`` in its stage (the guards aside)."""
        status = getattr(record, self.status_field)
        return [
            name
            for name, t in self.transitions.items()
            if status in t.sources and self.may_act(by, name, record)
        ]

    # --- the one write ------------------------------------------------------------------------

    def run(
        self,
        *,
        record: Any,
        action: str,
        by: Any,
        note: Any = "",
        version: Any = None,
        target: str | None = None,
        changes: Mapping[str, Any] | None = None,
        guards: Iterable[Guard] = (),
        audit_detail: Mapping[str, Any] | Callable[[Any], Mapping[str, Any]] | None = None,
        request: Any = None,
        before_save: Callable[..., None] | None = None,
        **context: Any,
    ) -> Any:
        """Lock, check (actor, version, stage, guards), write the record, one event and one
        audit entry; returns the locked record as saved."""
        with transaction.atomic():
            locked = self.locked(record)
            t, note = self.check(
                locked, action, by, note=note, version=version, guards=guards, **context
            )
            now = timezone.now()
            previous = getattr(locked, self.status_field)
            for name, value in (changes or {}).items():
                setattr(locked, name, value)
            new = target or t.target
            if new is None:
                raise ValueError(f"{action}: the service must name the target")
            setattr(locked, self.status_field, new)
            if self.version_field is not None:
                setattr(locked, self.version_field, getattr(locked, self.version_field) + 1)
            for hook in (self.prepare, before_save):
                if hook is not None:
                    hook(locked, previous=previous, now=now, note=note)
            if self.save is not None:
                self.save(locked)
            else:
                locked.save()
            extra = self.event_extra(locked, previous=previous, now=now) if self.event_extra else {}
            self.write_event(
                locked, action=action, by=by, previous=previous, note=note, at=now, **extra
            )
            if callable(audit_detail):  # read after the write (who moved up, ...)
                audit_detail = audit_detail(locked)
            audit(
                actor=by,
                action=t.audit_action or f"{self.audit_prefix}{action}",
                obj=self.audit_object(locked) if self.audit_object else locked,
                request=request,
                detail={
                    "from": previous,
                    "to": new,
                    **({"note": note} if self.audit_note else {}),
                    **(audit_detail or {}),
                },
            )
        return locked

    def write_event(
        self, record: Any, *, action: str, by: Any, previous: str, note: str = "", at=None, **extra
    ) -> models.Model:
        """One row of the record's log; also for the records a service writes itself (the
        first one, made at ``from_status=""``, and rows moved in bulk under the same lock)."""
        return self.event_model.objects.create(
            **self.event_values(
                record, action=action, by=by, previous=previous, note=note, at=at, **extra
            )
        )

    def event_values(
        self, record: Any, *, action: str, by: Any, previous: str, note: str = "", at=None, **extra
    ) -> dict[str, Any]:
        """The columns of one row of the record's log, by attribute name: what ``write_event``
        writes, and what a service writing the row in its own statement writes."""
        return {
            f"{self.event_owner}_id": record.pk,
            "at": at or timezone.now(),
            "actor_id": getattr(by, "pk", None),
            "action": action,
            "from_status": previous,
            "to_status": getattr(record, self.status_field),
            "note": note or "",
            **extra,
        }

    def write_events(
        self,
        records: Iterable[Any],
        *,
        action: str,
        by: Any,
        previous: str,
        note: str = "",
        at=None,
    ) -> None:
        """The events of many records moved together by one update (same action, same stage)."""
        at = at or timezone.now()
        actor = by if getattr(by, "pk", None) else None
        self.event_model.objects.bulk_create(
            self.event_model(
                **{self.event_owner: record},
                at=at,
                actor=actor,
                action=action,
                from_status=previous,
                to_status=getattr(record, self.status_field),
                note=note or "",
            )
            for record in records
        )


class TransitionEvent(models.Model):
    """The shape of an ``<Entity>Event``: one transition of a record; append-only."""

    at = models.DateTimeField(gettext_lazy("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(gettext_lazy("操作"), max_length=16)
    from_status = models.CharField(gettext_lazy("原状态"), max_length=16, blank=True)
    to_status = models.CharField(gettext_lazy("新状态"), max_length=16)
    note = models.CharField(gettext_lazy("说明"), max_length=1000, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("append-only: events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("append-only: events cannot be deleted")
