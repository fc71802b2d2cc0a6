"""The warning centre: runs every registered warning source (``core.registry.warning_sources``),
records each condition once as a ``Warning`` (its key unique for good), tells its owners once,
clears it when the condition ends, and lets the place's staff acknowledge it, close it with a
note and add follow-up notes (跟踪问效). Who sees which warnings, the list's filters and counts
by street and community live here too.

The states (core.workflow):
```
open ─acknowledge→ acknowledged
open | acknowledged ─close (note)→ closed
open | acknowledged ─clear (the run: condition ended)→ cleared ─reopen (it came back)→ open
any ─note→ the same state (a follow-up note)
```
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.accounts.models import RoleAssignment
from jiceng.accounts.roles import MANAGER_ROLES, Role
from jiceng.core.audit import audit
from jiceng.core.errors import UserError
from jiceng.core.notify import notify
from jiceng.core.registry import SEVERE, Alert, register_audit_actions, warning_sources
from jiceng.core.scope import (
    code_at,
    covers,
    enclosing,
    level_of,
    user_covers,
    visible_or_404,
)
from jiceng.core.workflow import Machine, Transition
from jiceng.dashboard.models import Severity, Warning, WarningEvent
from jiceng.geo.models import Division

S = Warning.State
LIVE = (S.OPEN, S.ACKNOWLEDGED)
# Who sees and handles warnings: the staff of a place (community, street, district).
STAFF_ROLES = tuple(MANAGER_ROLES)

register_audit_actions({"warning.run": gettext_lazy("预警中心：运行预警规则")})

# --- who sees what -------------------------------------------------------------------------


def visible_warnings(user) -> QuerySet[Warning]:
    """The warnings of the places where ``user`` is staff; nothing for anyone else."""
    if not getattr(user, "is_authenticated", False):
        return Warning.objects.none()
    return Warning.objects.within(*user.scopes_for(*STAFF_ROLES))


def _may_act(user, action: str, record: Warning) -> bool:
    return (
        action != "clear"
        and action != "reopen"
        and user_covers(user, STAFF_ROLES, record.scope_code)
    )


def _visible(user, record: Warning) -> bool:
    return user_covers(user, STAFF_ROLES, record.scope_code)


TRANSITIONS: dict[str, Transition] = {
    "acknowledge": Transition(
        frozenset({S.OPEN}),
        S.ACKNOWLEDGED,
        "staff",
        gettext_lazy("签收"),
        refused=gettext_lazy("该预警的状态是「{status}」，无需签收。"),
    ),
    "close": Transition(
        frozenset(LIVE),
        S.CLOSED,
        "staff",
        gettext_lazy("办结"),
        note_required=True,
        note_missing=gettext_lazy("请填写办结说明：做了什么、结果如何。"),
        refused=gettext_lazy("该预警的状态是「{status}」，不能再办结。"),
    ),
    "note": Transition(
        frozenset(S.values),
        None,
        "staff",
        gettext_lazy("跟踪记录"),
        note_required=True,
        note_missing=gettext_lazy("请填写跟踪记录的内容。"),
    ),
    "clear": Transition(frozenset(LIVE), S.CLEARED, "system", gettext_lazy("消除")),
    "reopen": Transition(frozenset({S.CLEARED}), S.OPEN, "system", gettext_lazy("重新出现")),
}

MACHINE = Machine(
    model=Warning,
    event_model=WarningEvent,
    event_owner="warning",
    transitions=TRANSITIONS,
    may_act=_may_act,
    visible=_visible,
    audit_prefix="warning.",
    wrong_stage=gettext_lazy("该预警的状态是「{stage}」，不能{action}。"),
    forbidden=gettext_lazy("只有预警所在地的工作人员可以{action}。"),
    not_found=gettext_lazy("预警不存在，或不在您的管辖范围内。"),
    version_field="version",
    status_field="state",
    audit_note=True,
    entity=gettext_lazy("预警"),
)


# --- actions of the staff ------------------------------------------------------------------


def warning_acknowledge(*, warning: Warning, by, version=None, request=None) -> Warning:
    return MACHINE.run(
        record=warning, action="acknowledge", by=by, version=version, request=request
    )


def warning_close(*, warning: Warning, by, note: str, version=None, request=None) -> Warning:
    def resolved(record, **_kw):
        record.resolved_at = timezone.now()
        record.note = (note or "").strip()[:1000]

    return MACHINE.run(
        record=warning,
        action="close",
        by=by,
        note=note,
        version=version,
        request=request,
        before_save=resolved,
    )


def warning_note(*, warning: Warning, by, note: str, request=None) -> Warning:
    """A follow-up note (跟踪问效): the state stays."""
    return MACHINE.run(
        record=warning, action="note", by=by, note=note, target=warning.state, request=request
    )


# --- the run -------------------------------------------------------------------------------


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time.min))
    return timezone.now()


class _Owners:
    """The active holders of roles by place, read once per run; a warning's owners are the
    holders of its source's roles at the nearest place at or above it that has any."""

    def __init__(self, roles: Iterable[str]):
        self.by_place: dict[tuple[str, str], list] = defaultdict(list)
        rows = RoleAssignment.objects.filter(
            role__in=set(roles), ended_at__isnull=True, user__is_active=True, unit__isnull=True
        ).select_related("user")
        for row in rows:
            self.by_place[(row.scope_code, row.role)].append(row.user)

    def find(self, code: str, roles: Iterable[str]) -> tuple[str, list]:
        for place in [code, *reversed(enclosing(code))]:
            users = [u for role in roles for u in self.by_place.get((place, role), [])]
            if users:
                return place, users
        return "", []


@dataclass
class RunResult:
    opened: int = 0
    told: int = 0
    cleared: int = 0
    reopened: int = 0
    still: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def run_sources(*, today: date | None = None, kinds: Iterable[str] | None = None) -> RunResult:
    """Run every warning source (or those of ``kinds``): open a warning for each new key and
    tell its owners once, keep those that come back, clear those whose condition ended, open
    again a cleared one that came back (told no more). One audit entry for the run."""
    today = today or timezone.localdate()
    sources = [s for s in warning_sources() if kinds is None or s.kind in set(kinds)]
    owners = _Owners({r for s in sources for r in s.owner_roles})
    result = RunResult()
    now = timezone.now()
    for source in sources:
        alerts = {a.key: a for a in source.collect(today)}
        with transaction.atomic():
            _apply(source, alerts, owners, now, result)
    audit(actor=None, action="warning.run", detail=result.as_dict())
    return result


def _apply(source, alerts: dict[str, Alert], owners: _Owners, now: datetime, result) -> None:
    roles = sorted(source.owner_roles)
    existing: dict[str, Warning] = {}
    keys = list(alerts)
    for i in range(0, len(keys), 500):
        for w in Warning.objects.select_for_update().filter(key__in=keys[i : i + 500]):
            existing[w.key] = w
    # live ones whose condition ended
    live = Warning.objects.select_for_update().filter(kind=source.kind, state__in=LIVE)
    ended = [w for w in live.only("pk", "key", "state") if w.key not in alerts]
    for state in LIVE:
        gone = [w for w in ended if w.state == state]
        if gone:
            Warning.objects.filter(pk__in=[w.pk for w in gone]).update(
                state=S.CLEARED, resolved_at=now, updated_at=now
            )
            for w in gone:
                w.state = S.CLEARED
            MACHINE.write_events(gone, action="clear", by=None, previous=state, at=now)
            result.cleared += len(gone)
    new, seen, reopened, changed = [], [], [], []
    for key, alert in alerts.items():
        w = existing.get(key)
        if w is None:
            place, users = owners.find(alert.scope_code, roles)
            new.append(
                (
                    Warning(
                        kind=source.kind,
                        key=key[:200],
                        title=alert.title[:200],
                        url=alert.url[:300],
                        severity=alert.severity if alert.severity in Severity.values else "warning",
                        state=S.OPEN,
                        since=_moment(alert.since),
                        scope_code=alert.scope_code,
                        owner_code=place,
                        owner_roles=",".join(roles),
                        last_seen_at=now,
                        notified_at=None if alert.told else now,
                    ),
                    alert,
                    users,
                )
            )
            continue
        seen.append(w.pk)
        if w.state == S.CLEARED:
            reopened.append(w)
        if w.severity != alert.severity and alert.severity in Severity.values:
            w.severity = alert.severity
            changed.append(w)
    if seen:
        for i in range(0, len(seen), 500):
            Warning.objects.filter(pk__in=seen[i : i + 500]).update(last_seen_at=now)
        result.still += len(seen) - len(reopened)
    if changed:
        Warning.objects.bulk_update(changed, ["severity"])
    if reopened:
        Warning.objects.filter(pk__in=[w.pk for w in reopened]).update(
            state=S.OPEN, resolved_at=None, updated_at=now
        )
        for w in reopened:
            w.state = S.OPEN
        MACHINE.write_events(reopened, action="reopen", by=None, previous=S.CLEARED, at=now)
        result.reopened += len(reopened)
    if new:
        made = Warning.objects.bulk_create([w for w, _a, _u in new], batch_size=500)
        if made and made[0].pk is None:  # databases that return no ids
            by_key = Warning.objects.filter(key__in=[w.key for w in made]).in_bulk(field_name="key")
            made = [by_key[w.key] for w in made]
        MACHINE.write_events(made, action="open", by=None, previous="", at=now)
        result.opened += len(made)
        for w, (_w, alert, users) in zip(made, new, strict=True):
            if alert.told:
                continue
            notify(users=users, title=w.title, body=alert.body, url=w.url)
            if alert.also_tell:
                who, title, body, url = alert.also_tell
                notify(users=who, title=title, body=body, url=url)
            result.told += 1


# --- reads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    state: str = "live"
    place: str = ""
    severity: str = ""

    @classmethod
    def from_params(cls, params) -> Filters:
        kinds = {s.kind for s in warning_sources()}
        kind = params.get("kind", "").strip()
        if kind and kind not in kinds:
            raise UserError(_("未知的预警类别：{kind}").format(kind=kind), field="kind")
        state = params.get("state", "live").strip() or "live"
        if state not in (*S.values, "live", "all"):
            raise UserError(_("未知的预警状态：{state}").format(state=state), field="state")
        severity = params.get("severity", "").strip()
        if severity and severity not in Severity.values:
            raise UserError(_("未知的严重程度：{s}").format(s=severity), field="severity")
        place = params.get("place", "").strip()
        if place and (not place.isdigit() or level_of(place) is None):
            raise UserError(_("区划代码格式不对：{code}").format(code=place), field="place")
        return cls(kind=kind, state=state, place=place, severity=severity)

    def query(self, exclude: str = "") -> dict[str, str]:
        values = {
            "kind": self.kind,
            "state": self.state,
            "place": self.place,
            "severity": self.severity,
        }
        return {k: v for k, v in values.items() if v and k != exclude}


def warning_list(*, user, filters: Filters) -> QuerySet[Warning]:
    """The warnings the user sees, filtered; the severe and the oldest first. A place outside
    the user's scope finds nothing (the page answers 404 before asking)."""
    rows = visible_warnings(user)
    if filters.place:
        rows = rows.within(filters.place)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.state == "live":
        rows = rows.filter(state__in=LIVE)
    elif filters.state != "all":
        rows = rows.filter(state=filters.state)
    if filters.severity:
        rows = rows.filter(severity=filters.severity)
    return rows.order_by("severity", "since", "id")  # "severe" sorts before "warning"


def place_in_scope(user, code: str) -> bool:
    return covers(user.scopes_for(*STAFF_ROLES), code)


@dataclass
class PlaceCount:
    code: str
    name: str
    total: int
    severe: int


def counts_by_place(rows: QuerySet[Warning], *, level: str) -> list[PlaceCount]:
    """The warnings of ``rows`` counted by the street or community (``level``) they are in,
    the most first; two queries."""
    length = {"street": 9, "community": 12, "grid": 15}[level]
    counted: dict[str, list[int]] = {}
    grouped = (
        rows.order_by()
        .values("scope_code", "severity")
        .annotate(n=Count("id"))
        .values_list("scope_code", "severity", "n")
    )
    for scope, severity, n in grouped:
        code = scope[:length] if len(scope) >= length else ""
        if not code:
            continue
        entry = counted.setdefault(code, [0, 0])
        entry[0] += n
        if severity == SEVERE:
            entry[1] += n
    names = dict(Division.objects.filter(code__in=counted).values_list("code", "name"))
    out = [PlaceCount(c, names.get(c, c), t, s) for c, (t, s) in counted.items()]
    return sorted(out, key=lambda p: (-p.severe, -p.total, p.code))


def group_level(user, filters: Filters) -> str | None:
    """Group by the level under the place looked at (the filter's, or the user's own)."""
    place = filters.place
    if not place:
        scopes = user.scopes_for(*STAFF_ROLES)
        place = min(scopes, key=len) if scopes else ""
    level = level_of(place)
    return {"district": "street", "street": "community", "community": "grid"}.get(level or "")


def warning_for(*, user, pk) -> Warning:
    return visible_or_404(visible_warnings(user), pk=pk)


def owner_label(warning: Warning, names: dict[str, str]) -> str:
    roles = [r for r in warning.owner_roles.split(",") if r]
    labels = "、".join(str(Role(r).label) for r in roles if r in Role.values)
    if not warning.owner_code:  # nobody holds these roles at the place or above it
        return _("（无人在岗）{roles}").format(roles=labels)
    return f"{names.get(warning.owner_code, warning.owner_code)} {labels}".strip()


def place_names(codes: Iterable[str]) -> dict[str, str]:
    codes = {c for c in codes if c}
    every = codes | {code_at(c, lvl) for c in codes for lvl in ("street", "community")}
    return dict(Division.objects.filter(code__in=every - {""}).values_list("code", "name"))


def todo_counts(user) -> tuple[QuerySet[Warning], QuerySet[Warning]]:
    live = visible_warnings(user).filter(state__in=LIVE)
    return live, live.filter(Q(severity=SEVERE))
