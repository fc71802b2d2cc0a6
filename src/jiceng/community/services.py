"""Every write of the three lists, volunteer teams and activities: keyword-only functions, one
transaction each, audited. Orders are in orders.py, micro-wishes in wishes.py."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jiceng.community import scoring
from jiceng.community.models import (
    Activity,
    Need,
    Offer,
    Project,
    Signup,
    TeamMember,
    VolunteerTeam,
)
from jiceng.community.permissions import can_manage, home_communities, member_of
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.core.notify import in_stored_language, notify
from jiceng.geo.models import Division

MAX_TEXT = 2000
CHECKIN_SALT = "jiceng.community.checkin"
# A code on the activity's screen is good for this long; the screen shows a fresh one every
# CHECKIN_REFRESH seconds, so a photo of it sent elsewhere soon stops working.
CHECKIN_MAX_AGE = 120
CHECKIN_REFRESH = 60
CHECKIN_EARLY = timedelta(minutes=30)
CHECKIN_LATE = timedelta(minutes=30)
CHECKOUT_LATE = timedelta(hours=2)


def _require_manager(by, obj) -> None:
    if not can_manage(by, obj):
        raise Forbidden(_("您无权管理该社区的服务事项。"))


def _text(value: Any, what: str, field: str, *, required: bool = True, limit: int = 100) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not value:
        raise UserError(_("请填写{what}。").format(what=what), field=field)
    if len(value) > limit:
        raise UserError(
            _("{what}不能超过 {most} 字（现有 {n} 字）。").format(
                what=what, most=limit, n=len(value)
            ),
            field=field,
        )
    return value


def _community(community: Division | str | None) -> Division:
    if isinstance(community, Division):
        if community.level != "community":
            raise UserError(_("请选择社区。"), field="community")
        return community
    found = Division.objects.filter(code=str(community or ""), level="community").first()
    if found is None:
        raise UserError(_("请选择社区。"), field="community")
    return found


def first_of_month(day: date) -> date:
    return day.replace(day=1)


# --- needs list -------------------------------------------------------------------------------


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
    audit(actor=by, action="services.need_post", obj=need, request=request)
    return need


def _review_lock(by, need: Need) -> Need:
    need = Need.objects.select_for_update().get(pk=need.pk)
    _require_manager(by, need)
    if need.status != Need.Status.PENDING:
        raise UserError(_("该需求已审核。"), status=409)
    return need


def _reviewed(by, need: Need, status: str, reason: str, **extra) -> Need:
    need.status = status
    need.reason = reason
    need.reviewed_by = by
    need.reviewed_at = timezone.now()
    for key, value in extra.items():
        setattr(need, key, value)
    need.save()
    audit(
        actor=by,
        action=f"services.need_{status}",
        obj=need,
        detail={"reason": reason, **{k: getattr(v, "pk", v) for k, v in extra.items()}},
    )
    if need.posted_by_id and need.posted_by_id != by.pk:
        with in_stored_language():
            label = need.get_status_display()
            notify(
                users=[need.posted_by],
                title=f"您的需求“{need.title[:40]}”：{label}",
                body=reason,
                url="/m/services/needs/",
            )
    return need


@transaction.atomic
def need_accept(*, by, need: Need, note: str = "") -> Need:
    """The monthly review puts the need on the needs list."""
    need = _review_lock(by, need)
    return _reviewed(
        by,
        need,
        Need.Status.ACCEPTED,
        _text(note, _("意见"), "reason", required=False, limit=500),
    )


@transaction.atomic
def need_merge(*, by, need: Need, into: Need, note: str = "") -> Need:
    """The need repeats one already on the list: merged into it (the resident is told which)."""
    need = _review_lock(by, need)
    into = Need.objects.filter(pk=getattr(into, "pk", into)).first()
    if into is None or into.pk == need.pk or into.scope_code != need.scope_code:
        raise UserError(_("只能合并到本社区的另一条需求。"), field="into")
    if into.status != Need.Status.ACCEPTED:
        raise UserError(_("只能合并到已列入清单的需求。"), field="into")
    # The stored reason stays in the source language: the resident reads it, whatever the
    # reviewer's language.
    reason = (
        _text(note, _("意见"), "reason", required=False, limit=500) or f"与“{into.title}”合并办理"
    )
    return _reviewed(by, need, Need.Status.MERGED, reason, merged_into=into)


@transaction.atomic
def need_decline(*, by, need: Need, reason: str) -> Need:
    """Not put on the list; the reason is shown to the resident."""
    need = _review_lock(by, need)
    return _reviewed(
        by, need, Need.Status.DECLINED, _text(reason, _("不列入的理由"), "reason", limit=500)
    )


# --- teams ------------------------------------------------------------------------------------


@transaction.atomic
def team_create(
    *, by, community: Division | str, name: str, description: str = "", partner=None
) -> VolunteerTeam:
    """A volunteer team of the community."""
    place = _community(community)
    _require_manager(by, place)
    name = _text(name, _("服务队名称"), "name")
    if VolunteerTeam.objects.filter(community=place, name=name).exists():
        raise UserError(_("本社区已有同名服务队。"), field="name")
    team = VolunteerTeam.objects.create(
        community=place,
        scope_code=place.code,
        name=name,
        description=_text(
            description, pgettext("field label", "简介"), "description", required=False, limit=500
        ),
        partner=partner,
    )
    audit(actor=by, action="services.team_create", obj=team)
    return team


def _kind_of(user) -> str:
    if member_of(user) is not None:
        return TeamMember.Kind.MEMBER
    if user.has_role("partner_staff"):
        return TeamMember.Kind.PARTNER_STAFF
    return TeamMember.Kind.RESIDENT


@transaction.atomic
def team_join(*, by, team: VolunteerTeam, user, leader: bool = False) -> TeamMember:
    """Add a person to a team (staff); the kind (resident, member, partner staff) follows the
    person's records."""
    _require_manager(by, team)
    if not team.is_active:
        raise UserError(_("该服务队已撤销。"))
    if TeamMember.objects.filter(team=team, user=user, left_on__isnull=True).exists():
        raise UserError(_("此人已在该服务队中。"), status=409)
    row = TeamMember.objects.create(
        team=team, user=user, kind=_kind_of(user), is_leader=leader, joined_on=timezone.localdate()
    )
    audit(
        actor=by, action="services.team_join", obj=team, detail={"user": user.pk, "leader": leader}
    )
    return row


@transaction.atomic
def team_set_leader(*, by, row: TeamMember, leader: bool) -> TeamMember:
    _require_manager(by, row.team)
    row.is_leader = leader
    row.save(update_fields=["is_leader", "updated_at"])
    audit(
        actor=by,
        action="services.team_leader",
        obj=row.team,
        detail={"user": row.user_id, "leader": leader},
    )
    return row


@transaction.atomic
def team_leave(*, by, row: TeamMember) -> TeamMember:
    """A person leaves the team; their hours stay in the record."""
    own = row.user_id == getattr(by, "pk", None)
    if not own:
        _require_manager(by, row.team)
    if row.left_on is not None:
        raise UserError(_("已退出该服务队。"))
    row.left_on = timezone.localdate()
    row.is_leader = False
    row.save(update_fields=["left_on", "is_leader", "updated_at"])
    audit(actor=by, action="services.team_leave", obj=row.team, detail={"user": row.user_id})
    return row


# --- offers and projects ----------------------------------------------------------------------


@transaction.atomic
def offer_create(
    *,
    by,
    community: Division | str,
    title: str,
    kind: str,
    capacity: Any,
    when: str,
    where: str,
    partner=None,
    team: VolunteerTeam | None = None,
    member=None,
) -> Offer:
    """An entry on the offers list: what a partner unit, a team or a member offers."""
    place = _community(community)
    _require_manager(by, place)
    if kind not in Offer.Kind.values:
        raise UserError(_("请选择服务类别。"), field="kind")
    if sum(x is not None for x in (partner, team, member)) != 1:
        raise UserError(_("请选择一个提供方：共建单位、服务队或党员。"), field="provider")
    if team is not None and team.scope_code != place.code:
        raise UserError(_("服务队不属于本社区。"), field="provider")
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        raise UserError(_("可服务人数应为正整数。"), field="capacity") from None
    if capacity <= 0:
        raise UserError(_("可服务人数应为正整数。"), field="capacity")
    offer = Offer.objects.create(
        community=place,
        scope_code=place.code,
        title=_text(title, _("服务内容"), "title"),
        kind=kind,
        capacity=capacity,
        when=_text(when, _("服务时间"), "when"),
        where=_text(where, _("服务地点"), "where"),
        partner=partner,
        team=team,
        member=member,
    )
    audit(actor=by, action="services.offer_create", obj=offer)
    return offer


@transaction.atomic
def project_create(
    *,
    by,
    community: Division | str,
    month: date,
    title: str,
    needs: list[Need],
    offers: list[Offer],
    responsible=None,
    responsible_team: VolunteerTeam | None = None,
    description: str = "",
) -> Project:
    """A month's project that answers accepted needs with offers, under a responsible unit."""
    place = _community(community)
    _require_manager(by, place)
    if responsible is None and responsible_team is None:
        raise UserError(_("请指定责任单位。"), field="responsible")
    # Read again: the caller's objects may be stale (reviewed since they were loaded).
    needs = list(Need.objects.filter(pk__in=[getattr(n, "pk", n) for n in needs or []]))
    offers = list(Offer.objects.filter(pk__in=[getattr(o, "pk", o) for o in offers or []]))
    if not needs:
        raise UserError(_("请选择项目对应的需求。"), field="needs")
    if not offers:
        raise UserError(_("请选择项目对应的服务。"), field="offers")
    for need in needs:
        if need.scope_code != place.code or need.status != Need.Status.ACCEPTED:
            raise UserError(
                _("需求“{title}”不是本社区已列入清单的需求。").format(title=need.title),
                field="needs",
            )
    for offer in offers:
        if offer.scope_code != place.code or not offer.is_active:
            raise UserError(
                _("服务“{title}”不是本社区有效的服务。").format(title=offer.title), field="offers"
            )
    project = Project.objects.create(
        community=place,
        scope_code=place.code,
        month=first_of_month(month),
        title=_text(title, _("项目名称"), "title"),
        description=_text(description, _("内容"), "description", required=False, limit=MAX_TEXT),
        responsible=responsible,
        responsible_team=responsible_team,
    )
    project.needs.set(needs)
    project.offers.set(offers)
    audit(actor=by, action="services.project_create", obj=project)
    return project


@transaction.atomic
def project_publish(*, by, project: Project) -> Project:
    """Publish the project with its activities (at the start of its month, or before)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require_manager(by, project)
    if project.status == Project.Status.PUBLISHED:
        raise UserError(_("项目已发布。"), status=409)
    if project.month < first_of_month(timezone.localdate()):
        raise UserError(_("不能发布已过去月份的项目。"))
    project.status = Project.Status.PUBLISHED
    project.published_at = timezone.now()
    project.save(update_fields=["status", "published_at", "updated_at"])
    audit(actor=by, action="services.project_publish", obj=project)
    return project


@transaction.atomic
def month_publish(*, by, community: Division | str, month: date) -> int:
    """Publish every draft project of a community's month at once (the start-of-month notice);
    returns how many were published."""
    place = _community(community)
    _require_manager(by, place)
    drafts = list(
        Project.objects.select_for_update().filter(
            scope_code=place.code, month=first_of_month(month), status=Project.Status.DRAFT
        )
    )
    for project in drafts:
        project_publish(by=by, project=project)
    return len(drafts)


# --- activities -------------------------------------------------------------------------------


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


# PostgreSQL: one statement takes the activity's row lock and decides, from the row as it was,
# whether this sign-up gets a place or a place on the waiting list.
TAKE_PLACE_SQL = """
WITH old AS (
    SELECT taken, capacity FROM community_activity WHERE id = %s AND status = 'published'
    FOR UPDATE
)
UPDATE community_activity AS a
   SET taken = a.taken + CASE WHEN old.taken < old.capacity THEN 1 ELSE 0 END,
       waiting = a.waiting + CASE WHEN old.taken < old.capacity THEN 0 ELSE 1 END
  FROM old
 WHERE a.id = %s
RETURNING old.taken < old.capacity, a.waiting
"""


def _take_place(pk: int) -> tuple[bool, int] | None:
    """Count one more sign-up on the activity under its row lock: (True, _) a place, (False, n)
    number n on the waiting list (the counter is the list's length, and the newcomer is last);
    None: the activity is no longer published."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(TAKE_PLACE_SQL, [pk, pk])
            found = cursor.fetchone()
        return None if found is None else (bool(found[0]), int(found[1]))
    locked = Activity.objects.select_for_update().filter(pk=pk, status="published").first()
    if locked is None:
        return None
    if locked.taken < locked.capacity:
        Activity.objects.filter(pk=pk).update(taken=F("taken") + 1)
        return True, locked.waiting
    Activity.objects.filter(pk=pk).update(waiting=F("waiting") + 1)
    return False, locked.waiting + 1


def signup(*, by, activity: Activity | int, request: Any = None) -> Signup:
    """Sign up: a place while places are left, else a place on the waiting list.

    Many phones at once: the activity's row lock orders them and the count of places taken is
    kept on that row, so the last place is given exactly once. Everything that can be refused
    is refused, and everything that can be written is written, before the lock.
    """
    if not getattr(by, "is_authenticated", False):
        raise Forbidden(_("请先登录。"))
    pk = activity.pk if isinstance(activity, Activity) else int(activity)
    now = timezone.now()
    try:
        with transaction.atomic():
            current = (
                Activity.objects.filter(pk=pk)
                .only("id", "title", "scope_code", "status", "signup_opens_at", "signup_closes_at")
                .first()
            )
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
            if (
                Signup.objects.filter(activity_id=pk, user=by)
                .exclude(status=Signup.Status.CANCELLED)
                .exists()
            ):
                raise UserError(_("您已报名该活动，无需重复报名。"), status=409)
            # The row and its audit entry are written before the lock, so that the lock is
            # held for the counting statement (and, for the few who get a place, one update)
            # and the commit only. Two presses of one person at once: the unique constraint
            # refuses the second before it ever waits for the lock.
            row = Signup.objects.create(activity_id=pk, user=by, status=Signup.Status.WAITING)
            audit(
                actor=by,
                action="services.signup",
                obj=current,
                request=request,
                detail={"signup": row.pk},
            )
            taken = _take_place(pk)
            if taken is None:
                raise UserError(_("活动已取消。"))
            confirmed, position = taken
            if confirmed:
                Signup.objects.filter(pk=row.pk).update(
                    status=Signup.Status.CONFIRMED, confirmed_at=now
                )
                row.status, row.confirmed_at = Signup.Status.CONFIRMED, now
            # Where the newcomer stands, known from the locking statement (no count after).
            row.position_at_signup = None if confirmed else position
    except IntegrityError:
        raise UserError(_("您已报名该活动，无需重复报名。"), status=409) from None
    return row


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


@transaction.atomic
def signup_cancel(*, by, activity: Activity, request: Any = None) -> Signup:
    """Give up a place (or a place on the waiting list) before the activity starts; the first
    person waiting moves up and is told."""
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    row = (
        Signup.objects.select_for_update()
        .filter(activity=locked, user=by)
        .exclude(status=Signup.Status.CANCELLED)
        .first()
    )
    if row is None:
        raise UserError(_("您没有报名该活动。"), status=404)
    now = timezone.now()
    if now >= locked.starts_at:
        raise UserError(_("活动已开始，不能取消报名。"))
    was = row.status
    row.status = Signup.Status.CANCELLED
    row.cancelled_at = now
    row.save(update_fields=["status", "cancelled_at"])
    promoted = None
    if was == Signup.Status.CONFIRMED:
        locked.taken -= 1
        promoted = (
            Signup.objects.select_for_update()
            .filter(activity=locked, status=Signup.Status.WAITING)
            .order_by("pk")
            .first()
        )
        if promoted is not None:
            promoted.status = Signup.Status.CONFIRMED
            promoted.confirmed_at = now
            promoted.save(update_fields=["status", "confirmed_at"])
            locked.taken += 1
            locked.waiting -= 1
    else:
        locked.waiting -= 1
    Activity.objects.filter(pk=locked.pk).update(taken=locked.taken, waiting=locked.waiting)
    if promoted is not None:
        notify(
            users=[promoted.user],
            title=f"候补成功：活动“{locked.title[:40]}”",
            body=f"{timezone.localtime(locked.starts_at):%m月%d日 %H:%M} · {locked.place}",
            url=f"/m/services/activities/{locked.pk}/",
        )
    audit(
        actor=by,
        action="services.signup_cancel",
        obj=locked,
        request=request,
        detail={"was": was, "promoted": promoted.user_id if promoted else None},
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
