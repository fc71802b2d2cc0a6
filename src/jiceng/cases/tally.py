"""Each case's tally (models.CaseTally): the metrics' reading of the event log, kept with it.

``refresh`` recomputes one case's tally from its events inside the transaction that wrote
the event; ``rebuild`` recomputes every tally from the log in one statement (after a bulk load,
or to check). Both read the same definitions as ``metrics`` does from the log.
"""

from __future__ import annotations

from django.db import connection

from jiceng.cases.models import TALLY_STAGES, Case, CaseEvent, CaseTally
from jiceng.cases.workflow import Status

VERIFY_ACTIONS = ("verify_ok", "verify_fail")
# Flags set when a case has had any of these actions (RULES.md's dispatch accuracy and handling
# rates).
ACTION_FLAGS = {
    "dispatched": ("dispatch",),
    "returned": ("return",),
    "handling": ("accept", "start"),
    "handled": ("report_back",),
}


def refresh(case: Case) -> CaseTally:
    """Recompute this case's tally from its events (called after each event is written)."""
    values = {
        "scope_code": case.scope_code,
        "reported_at": case.created_at,
        "status": case.status,
        "rating": case.rating,
        "handler_id": case.handler_id,
        "answered_on_time": False,
        "late": False,
        "verified": False,
        "reworked": False,
        **{flag: False for flag in ACTION_FLAGS},
        "handled_late": False,
        **{f"hours_{s}": None for s in TALLY_STAGES},
    }
    events = (
        CaseEvent.objects.filter(case_id=case.pk)
        .exclude(action="whistle")
        .values_list("action", "from_status", "on_time", "span_hours")
        .order_by()
    )
    for action, from_status, on_time, hours in events:
        values["answered_on_time"] |= from_status == Status.REPORTED and on_time is True
        values["late"] |= on_time is False
        values["verified"] |= action in VERIFY_ACTIONS
        values["reworked"] |= action == "verify_fail"
        for flag, actions in ACTION_FLAGS.items():
            values[flag] |= action in actions
        values["handled_late"] |= action == "report_back" and on_time is False
        if hours is not None and from_status in TALLY_STAGES:
            key = f"hours_{from_status}"
            values[key] = (values[key] or 0.0) + hours
    tally, _ = CaseTally.objects.update_or_create(case_id=case.pk, defaults=values)
    return tally


def _flag(condition: str) -> str:
    return f"coalesce(max(CASE WHEN {condition} THEN 1 ELSE 0 END), 0) = 1"


def rebuild(*, since_id: int = 0) -> int:
    """Recompute the tallies of all cases (or of those with ``id > since_id``) from the log in
    one statement; returns how many were written."""
    hours = ", ".join(
        f"sum(CASE WHEN e.from_status = '{s}' THEN e.span_hours END)" for s in TALLY_STAGES
    )
    columns = ", ".join(f"hours_{s}" for s in TALLY_STAGES)
    verify = "', '".join(VERIFY_ACTIONS)
    flag_columns = ", ".join(ACTION_FLAGS)
    flags = ", ".join(
        _flag("e.action IN ('{}')".format("', '".join(actions)))
        for actions in ACTION_FLAGS.values()
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_casetally WHERE case_id > %s", [since_id])
        cursor.execute(
            f"""
            INSERT INTO cases_casetally (case_id, scope_code, reported_at, status, rating,
                handler_id, answered_on_time, late, verified, reworked, {flag_columns},
                handled_late, {columns})
            SELECT c.id, c.scope_code, c.created_at, c.status, c.rating, c.handler_id,
                   {_flag("e.from_status = 'reported' AND e.on_time")},
                   {_flag("e.on_time = false")},
                   {_flag(f"e.action IN ('{verify}')")},
                   {_flag("e.action = 'verify_fail'")},
                   {flags},
                   {_flag("e.action = 'report_back' AND e.on_time = false")},
                   {hours}
            FROM cases_case c
            LEFT JOIN cases_caseevent e ON e.case_id = c.id AND e.action <> 'whistle'
            WHERE c.id > %s
            GROUP BY c.id, c.scope_code, c.created_at, c.status, c.rating, c.handler_id
            """,
            [since_id],
        )
        return cursor.rowcount
