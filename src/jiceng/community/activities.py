"""Activities, sign-ups and check-in: publishing and calling off a session, signing up (a place
or the waiting list), giving a place up through the Machine of workflow.SIGNUP_TRANSITIONS
(each move of a sign-up is a RegistrationEvent), checking in and out with the QR code, rating."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core import signing
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from jiceng.community import scoring, workflow
from jiceng.community.checks import MAX_TEXT, _community, _require_manager, _text
from jiceng.community.models import Activity, Project, RegistrationEvent, Signup, VolunteerTeam
from jiceng.community.permissions import can_act_on_signup, member_of
from jiceng.core.audit import RowRef, audit
from jiceng.core.audit import entry as audit_entry
from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.core.models import AuditEntry
from jiceng.core.notify import notify
from jiceng.core.prepared import PreparedStatement
from jiceng.core.workflow import Machine
from jiceng.geo.models import Division

CHECKIN_SALT = "jiceng.community.checkin"
# A code on the activity's screen is good for this long; the screen shows a fresh one every
# CHECKIN_REFRESH seconds, so a photo of it sent elsewhere soon stops working.
CHECKIN_MAX_AGE = 120
CHECKIN_REFRESH = 60
CHECKIN_EARLY = timedelta(minutes=30)
CHECKIN_LATE = timedelta(minutes=30)
CHECKOUT_LATE = timedelta(hours=2)


@transaction.atomic
def activity_create(
    *,
    by,
    community: Division | str,
    title: str,
    place: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: Any,
    signup_opens_at: datetime | None = None,
    signup_closes_at: datetime | None = None,
    description: str = "",
    project: Project | None = None,
    team: VolunteerTeam | None = None,
) -> Activity:
    """Publish an activity session. The sign-up window defaults to now until it starts."""
    where = _community(community)
    _require_manager(by, where)
    if starts_at is None or ends_at is None:
        raise UserError(_("请填写活动时间。"), field="starts_at")
    if ends_at <= starts_at:
        raise UserError(_("结束时间应晚于开始时间。"), field="ends_at")
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        raise UserError(_("名额应为正整数。"), field="capacity") from None
    if not 0 < capacity <= 100_000:
        raise UserError(_("名额应为正整数。"), field="capacity")
    opens = signup_opens_at or timezone.now()
    closes = signup_closes_at or starts_at
    if closes <= opens:
        raise UserError(_("报名截止时间应晚于报名开始时间。"), field="signup_closes_at")
    if closes > ends_at:
        raise UserError(_("报名截止时间不能晚于活动结束。"), field="signup_closes_at")
    if project is not None and project.scope_code != where.code:
        raise UserError(_("所选项目不属于本社区。"), field="project")
    if team is not None and team.scope_code != where.code:
        raise UserError(_("所选服务队不属于本社区。"), field="project")
    activity = Activity.objects.create(
        community=where,
        scope_code=where.code,
        title=_text(title, _("活动名称"), "title"),
        description=_text(description, _("介绍"), "description", required=False, limit=MAX_TEXT),
        place=_text(place, _("地点"), "place"),
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        signup_opens_at=opens,
        signup_closes_at=closes,
        project=project,
        team=team,
        created_by=by,
    )
    audit(actor=by, action="services.activity_create", obj=activity)
    return activity


@transaction.atomic
def activity_cancel(*, by, activity: Activity, reason: str) -> Activity:
    """Call the activity off; everyone signed up or waiting is told."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require_manager(by, activity)
    if activity.status == Activity.Status.CANCELLED:
        raise UserError(_("活动已取消。"), status=409)
    if activity.ends_at <= timezone.now():
        raise UserError(_("活动已结束，不能取消。"))
    reason = _text(reason, _("取消原因"), "reason", limit=500)
    activity.status = Activity.Status.CANCELLED
    activity.save(update_fields=["status", "updated_at"])
    people = [
        s.user
        for s in activity.signups.exclude(status=Signup.Status.CANCELLED).select_related("user")
    ]
    notify(
        users=people,
        title=f"活动“{activity.title[:40]}”已取消",
        body=reason,
        url=f"/m/services/activities/{activity.pk}/",
    )
    audit(actor=by, action="services.activity_cancel", obj=activity, detail={"reason": reason})
    return activity


# PostgreSQL: the whole sign-up is one statement. It takes the activity's row lock if the
# activity is published and open for sign-up now, decides from the row as it was whether this
# sign-up gets a place or a place on the waiting list, and writes the sign-up, its event and its
# audit entry; run on its own (autocommit) it is its own transaction, so the lock is held for this
# statement and its commit inside the server, with no round trip to the client in between (200
# phones at once wait for this lock one after the other: issue 17). It is prepared once a
# connection (``core.prepared``): parsing and planning it cost as much as running it. The activity
# is read by Python only when the statement found it closed, to word the refusal
# (``_check_open``). The rows' values are the ones Django writes for each model
# (``_InsertSelect``: ``pre_save`` and ``get_db_prep_save`` of every column), the event's
# ``Machine.event_values``, the audit entry's ``core.audit.entry`` (the activity named as
# ``str(activity)`` names it: its title, at most 200 characters); a second sign-up of one person
# breaks the unique constraint, and then nothing is written.
SIGNUP_SQL = """
WITH old AS (
    SELECT taken, capacity, title, scope_code FROM community_activity
     WHERE id = %s AND status = 'published' AND signup_opens_at <= %s AND %s <= signup_closes_at
    FOR UPDATE
), counted AS (
    UPDATE community_activity AS a
       SET taken = a.taken + CASE WHEN old.taken < old.capacity THEN 1 ELSE 0 END,
           waiting = a.waiting + CASE WHEN old.taken < old.capacity THEN 0 ELSE 1 END
      FROM old
     WHERE a.id = %s
    RETURNING CASE WHEN old.taken < old.capacity THEN %s ELSE %s END AS status,
              CASE WHEN old.taken < old.capacity THEN %s END AS confirmed_at,
              a.waiting, old.title, old.scope_code
), ins AS (
    INSERT INTO {signups.table} ({signups.columns}) SELECT {signups.values} FROM counted
    RETURNING id, status, created_at, confirmed_at
), logged AS (
    INSERT INTO {events.table} ({events.columns}) SELECT {events.values} FROM ins
), audited AS (
    INSERT INTO {audits.table} ({audits.columns}) SELECT {audits.values} FROM ins, counted
)
SELECT ins.id, ins.status, ins.created_at, ins.confirmed_at, counted.waiting FROM ins, counted
"""


class _InsertSelect:
    """The table, the columns and the SELECT list of the row Django would insert for ``model``:
    each column's value as Django writes it (``pre_save`` and ``get_db_prep_save``: ``params``)
    or, for a column named in ``computed``, that SQL expression. The text is made once a process,
    the values for each row."""

    def __init__(self, model: type[models.Model], computed: dict[str, str]):
        quote = connection.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.table = quote(model._meta.db_table)
        self.columns = ", ".join(quote(f.column) for f in fields)
        self.values = ", ".join(computed.get(f.column, "%s") for f in fields)
        self.fields = [f for f in fields if f.column not in computed]
        self.types = [f.cast_db_type(connection) for f in self.fields]

    def params(self, obj: models.Model, on) -> list:
        return [f.get_db_prep_save(f.pre_save(obj, True), on) for f in self.fields]


@functools.cache
def _signup_statement() -> tuple[PreparedStatement, _InsertSelect, _InsertSelect, _InsertSelect]:
    """``SIGNUP_SQL`` with its three rows' columns, made on the first sign-up of the process."""
    signups = _InsertSelect(
        Signup, {"status": "counted.status", "confirmed_at": "counted.confirmed_at"}
    )
    events = _InsertSelect(RegistrationEvent, {"signup_id": "ins.id", "to_status": "ins.status"})
    audits = _InsertSelect(
        AuditEntry,
        {
            "object_repr": "left(counted.title, 200)",
            "scope_code": "counted.scope_code",
            "detail": "jsonb_build_object('signup', ins.id)",
        },
    )
    status = Signup._meta.get_field("status").cast_db_type(connection)
    at = Signup._meta.get_field("confirmed_at").cast_db_type(connection)
    statement = PreparedStatement(
        "jiceng_signup",
        SIGNUP_SQL.format(signups=signups, events=events, audits=audits),
        # the activity, now twice, the activity, the two statuses, now; then the rows' columns
        ["bigint", at, at, "bigint", status, status, at]
        + signups.types
        + events.types
        + audits.types,
    )
    return statement, signups, events, audits


def _signup_in_one_statement(pk: int, *, by, now, request) -> Signup | None:
    """PostgreSQL's sign-up (``SIGNUP_SQL``); None: the activity is not open for sign-up now
    (gone, called off, or outside its sign-up window)."""
    statement, signups, events, audits = _signup_statement()
    on = connections[DEFAULT_DB_ALIAS]
    confirmed, waiting = Signup.Status.CONFIRMED, Signup.Status.WAITING
    row = Signup(activity_id=pk, user=by, status=waiting)
    event = RegistrationEvent(
        **SIGNUPS.event_values(row, action="signup", by=by, previous="", at=now)
    )
    entry = audit_entry(
        actor=by, action="services.signup", obj=RowRef(Activity, pk, ""), request=request
    )
    params = [
        *(pk, now, now, pk, confirmed, waiting, now),
        *signups.params(row, on),
        *events.params(event, on),
        *audits.params(entry, on),
    ]

    found = statement.fetchone(on, params)
    if found is None:
        return None
    row.pk, row.status, row.created_at, row.confirmed_at, position = found
    row._state.adding, row._state.db = False, on.alias
    row.position_at_signup = None if row.status == confirmed else position
    return row


def _take_place(row: Signup, *, by, now: datetime) -> tuple[bool, int] | None:
    """SQLite's sign-up after the row and its audit entry (PostgreSQL's is ``SIGNUP_SQL``): count
    the new sign-up ``row`` (written as waiting) on its activity under the activity's row lock,
    mark it confirmed if it got a place and write its event: (True, _) a place, (False, n)
    number n on the waiting list (the counter is the list's length, and the newcomer is last);
    None: the activity is no longer published."""
    pk = row.activity_id
    locked = Activity.objects.select_for_update().filter(pk=pk, status="published").first()
    if locked is None:
        return None
    if locked.taken < locked.capacity:
        Activity.objects.filter(pk=pk).update(taken=F("taken") + 1)
        confirmed, position = True, locked.waiting
        Signup.objects.filter(pk=row.pk).update(status=Signup.Status.CONFIRMED, confirmed_at=now)
        row.status, row.confirmed_at = Signup.Status.CONFIRMED, now
    else:
        Activity.objects.filter(pk=pk).update(waiting=F("waiting") + 1)
        confirmed, position = False, locked.waiting + 1
    SIGNUPS.write_event(row, action="signup", by=by, previous="", at=now)
    return confirmed, position


def _check_open(current: Activity | None, now) -> None:
    if current is None:
        raise NotFound(_("活动不存在。"))
    if current.status == Activity.Status.CANCELLED:
        raise UserError(_("活动已取消。"))
    if now < current.signup_opens_at:
        opens = timezone.localtime(current.signup_opens_at)
        raise UserError(
            _("报名尚未开始（{month}月{day}日 {time} 开始）。").format(
                month=f"{opens:%m}", day=f"{opens:%d}", time=f"{opens:%H:%M}"
            )
        )
    if now > current.signup_closes_at:
        raise UserError(_("报名已截止。"))


def signup(*, by, activity: Activity | int, request: Any = None) -> Signup:
    """Sign up: a place while places are left, else a place on the waiting list.

    Many phones at once: the activity's row lock orders them and the count of places taken is
    kept on that row, so the last place is given exactly once. On PostgreSQL the sign-up is one
    statement (``SIGNUP_SQL``) that writes only while the activity is open for sign-up; the
    activity is read only to word a refusal. On SQLite (one writer at a time) everything that
    can be refused is refused before any write, and the row and its audit entry are written
    before the lock.
    """
    if not getattr(by, "is_authenticated", False):
        raise Forbidden(_("请先登录。"))
    pk = activity.pk if isinstance(activity, Activity) else int(activity)
    now = timezone.now()
    try:
        if connection.vendor == "postgresql":
            row = _signup_in_one_statement(pk, by=by, now=now, request=request)
            if row is None:
                _check_open(_activity_as_read(pk), now)
                raise UserError(_("活动已取消。"))
            return row
        current = _activity_as_read(pk)
        _check_open(current, now)
        with transaction.atomic():
            # A second sign-up of one person (a second press, at once or later) is refused by
            # the unique constraint on the row that is not cancelled: no query asks first.
            row = Signup.objects.create(activity_id=pk, user=by, status=Signup.Status.WAITING)
            audit(
                actor=by,
                action="services.signup",
                obj=current,
                request=request,
                detail={"signup": row.pk},
            )
            taken = _take_place(row, by=by, now=now)
            if taken is None:
                raise UserError(_("活动已取消。"))
            confirmed, position = taken
            # Where the newcomer stands, known from the locking statement (no count after).
            row.position_at_signup = None if confirmed else position
    except IntegrityError:
        raise UserError(_("您已报名该活动，无需重复报名。"), status=409) from None
    return row


def _activity_as_read(pk: int) -> Activity | None:
    """What a sign-up needs to know of its activity: its window and status, and how the audit
    entry names it."""
    return (
        Activity.objects.filter(pk=pk)
        .only("id", "title", "scope_code", "status", "signup_opens_at", "signup_closes_at")
        .first()
    )


def waiting_position(row: Signup) -> int | None:
    """1 for the first on the waiting list."""
    if row.status != Signup.Status.WAITING:
        return None
    return (
        Signup.objects.filter(
            activity_id=row.activity_id, status=Signup.Status.WAITING, pk__lt=row.pk
        ).count()
        + 1
    )


def _lock_signup(row: Signup) -> Signup:
    """The activity's lock first (it orders every sign-up write), then the sign-up's row."""
    activity = Activity.objects.select_for_update().get(pk=row.activity_id)
    locked = Signup.objects.select_for_update().get(pk=row.pk)
    locked.activity = activity
    return locked


SIGNUPS = Machine(
    model=Signup,
    event_model=RegistrationEvent,
    event_owner="signup",
    transitions=workflow.SIGNUP_TRANSITIONS,
    may_act=can_act_on_signup,
    audit_prefix="services.signup_",
    entity=gettext_lazy("活动报名"),
    wrong_stage=gettext_lazy("您没有报名该活动。"),
    forbidden=gettext_lazy("您没有报名该活动。"),
    lock=_lock_signup,
    save=lambda row: row.save(update_fields=["status", "confirmed_at", "cancelled_at"]),
    audit_object=lambda row: row.activity,
)


def _before_the_start(row: Signup, **_context: Any) -> None:
    if timezone.now() >= row.activity.starts_at:
        raise UserError(_("活动已开始，不能取消报名。"))


def _free_the_place(row: Signup, *, previous: str, now: datetime, by, **_context: Any) -> None:
    """Count the place given up; a confirmed place goes to the first person waiting."""
    row.cancelled_at = now
    activity = row.activity
    row.was, row.promoted = previous, None
    if previous == Signup.Status.CONFIRMED:
        activity.taken -= 1
        promoted = (
            Signup.objects.select_for_update()
            .filter(activity=activity, status=Signup.Status.WAITING)
            .order_by("pk")
            .first()
        )
        if promoted is not None:
            promoted.status = Signup.Status.CONFIRMED
            promoted.confirmed_at = now
            promoted.save(update_fields=["status", "confirmed_at"])
            SIGNUPS.write_event(
                promoted, action="promote", by=by, previous=Signup.Status.WAITING, at=now
            )
            activity.taken += 1
            activity.waiting -= 1
            row.promoted = promoted
    else:
        activity.waiting -= 1
    Activity.objects.filter(pk=activity.pk).update(taken=activity.taken, waiting=activity.waiting)


@transaction.atomic
def signup_cancel(*, by, activity: Activity, request: Any = None) -> Signup:
    """Give up a place (or a place on the waiting list) before the activity starts; the first
    person waiting moves up and is told."""
    Activity.objects.select_for_update().filter(pk=activity.pk).first()
    row = (
        Signup.objects.filter(activity_id=activity.pk, user=by)
        .exclude(status=Signup.Status.CANCELLED)
        .first()
    )
    if row is None:
        raise UserError(_("您没有报名该活动。"), status=404)
    row = SIGNUPS.run(
        record=row,
        action="cancel",
        by=by,
        guards=(_before_the_start,),
        before_save=lambda locked, **context: _free_the_place(locked, by=by, **context),
        audit_detail=lambda locked: {
            "was": locked.was,
            "promoted": locked.promoted.user_id if locked.promoted else None,
        },
        request=request,
    )
    promoted, locked = row.promoted, row.activity
    if promoted is not None:
        notify(
            users=[promoted.user],
            title=f"候补成功：活动“{locked.title[:40]}”",
            body=f"{timezone.localtime(locked.starts_at):%m月%d日 %H:%M} · {locked.place}",
            url=f"/m/services/activities/{locked.pk}/",
        )
    return row


def checkin_code(activity: Activity, kind: str = "in") -> str:
    """A signed, time-stamped code for the activity's check-in (or check-out) QR."""
    if kind not in ("in", "out"):
        raise ValueError(kind)
    return signing.TimestampSigner(salt=CHECKIN_SALT).sign(f"{activity.pk}:{kind}")


def _from_code(code: str) -> tuple[Activity, str]:
    signer = signing.TimestampSigner(salt=CHECKIN_SALT)
    try:
        value = signer.unsign(code or "", max_age=CHECKIN_MAX_AGE)
    except signing.SignatureExpired:
        raise UserError(_("签到码已过期，请扫描现场屏幕上最新的二维码。"), status=410) from None
    except signing.BadSignature:
        raise UserError(_("签到码无效，请扫描活动现场的二维码。")) from None
    pk, _colon, kind = value.partition(":")
    activity = Activity.objects.filter(pk=int(pk)).first()
    if activity is None or kind not in ("in", "out"):
        raise NotFound(_("活动不存在。"))
    return activity, kind


def checked_already(*, by, code: str) -> tuple[Signup, str] | None:
    """The person's sign-up and "in" or "out" when they already did what the code asks (reads
    only); None when the code does not read or they have not, so that the scan page offers the
    button and the check-in itself explains a refusal."""
    try:
        activity, kind = _from_code(code)
    except UserError:
        return None
    row = (
        Signup.objects.select_related("activity")
        .filter(activity=activity, user=by, status=Signup.Status.CONFIRMED)
        .first()
    )
    done = row and (row.checked_in_at if kind == "in" else row.checked_out_at)
    return (row, kind) if done else None


def _hours(start: datetime, end: datetime) -> Decimal:
    seconds = Decimal((end - start).total_seconds())
    return (seconds / Decimal(3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def activity_checkin(*, by, code: str, request: Any = None) -> tuple[Signup, str, int]:
    """Check in (or out) with the activity's QR code; returns the sign-up, "in" or "out", and
    the points booked. Service hours run from check-in to check-out."""
    activity, kind = _from_code(code)
    if activity.status == Activity.Status.CANCELLED:
        raise UserError(_("活动已取消。"))
    now = timezone.now()
    with transaction.atomic():
        row = (
            Signup.objects.select_for_update()
            .filter(activity=activity, user=by)
            .exclude(status=Signup.Status.CANCELLED)
            .first()
        )
        if row is None:
            raise Forbidden(_("您没有报名该活动，不能签到。"))
        if row.status != Signup.Status.CONFIRMED:
            raise Forbidden(_("您在候补名单中，尚未获得名额，不能签到。"))
        points = 0
        if kind == "in":
            if now < activity.starts_at - CHECKIN_EARLY or now > activity.ends_at + CHECKIN_LATE:
                raise UserError(_("不在签到时间内（活动开始前 30 分钟至结束后 30 分钟）。"))
            if row.checked_in_at is not None:
                raise UserError(_("您已签到，无需重复签到。"), status=409)
            row.checked_in_at = now
            row.save(update_fields=["checked_in_at"])
            member = member_of(by)
            if member is not None:
                points = scoring.earned(
                    source=scoring.ACTIVITY_CHECKIN,
                    source_key=f"svc-signup:{row.pk}",
                    member=member,
                    occurred_at=now,
                    by=by,
                )
        else:
            if row.checked_in_at is None:
                raise UserError(_("您还没有签到，请先扫签到码。"))
            if row.checked_out_at is not None:
                raise UserError(_("您已签退。"), status=409)
            if now > activity.ends_at + CHECKOUT_LATE:
                raise UserError(_("签退时间已过（活动结束后 2 小时内）。"))
            row.checked_out_at = now
            row.hours = _hours(row.checked_in_at, now)
            row.save(update_fields=["checked_out_at", "hours"])
        audit(
            actor=by,
            action=f"services.check{kind}",
            obj=activity,
            request=request,
            detail={"points": points, "hours": str(row.hours) if row.hours is not None else None},
        )
    return row, kind, points


@transaction.atomic
def activity_rate(*, by, activity: Activity, rating: Any, comment: str = "") -> Signup:
    """A participant (checked in) rates the activity once, after checking out or after it ends."""
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        raise UserError(_("请选择 1 至 5 星。"), field="rating") from None
    if not 1 <= rating <= 5:
        raise UserError(_("请选择 1 至 5 星。"), field="rating")
    comment = _text(comment, pgettext("field label", "评价"), "comment", required=False, limit=500)
    row = (
        Signup.objects.select_for_update()
        .filter(activity=activity, user=by, checked_in_at__isnull=False)
        .exclude(status=Signup.Status.CANCELLED)
        .first()
    )
    if row is None:
        raise Forbidden(_("只有签到参加了活动的人可以评价。"))
    if row.rated_at is not None:
        raise UserError(_("您已评价过该活动。"), status=409)
    if row.checked_out_at is None and timezone.now() < activity.ends_at:
        raise UserError(_("活动结束（或签退）后才能评价。"))
    row.rating = rating
    row.comment = comment
    row.rated_at = timezone.now()
    row.save(update_fields=["rating", "comment", "rated_at"])
    audit(actor=by, action="services.activity_rate", obj=activity, detail={"rating": rating})
    return row
