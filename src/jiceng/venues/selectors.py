"""Reads of the venues app: scoped lists, the week view, the iCalendar feed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.errors import Forbidden, NotFound
from jiceng.core.scope import visible_or_404
from jiceng.partners.models import Partner
from jiceng.venues.hours import closed_reason
from jiceng.venues.models import Booking, Closure, Venue
from jiceng.venues.permissions import (
    MANAGER_ROLES,
    home_communities,
    home_streets,
    may_book,
    partner_units,
    visible_bookings,
    visible_venues,
)

# The feed shows approved bookings from this long ago onwards (a calendar app keeps the rest).
FEED_PAST = timedelta(days=90)
FEED_CACHE_SECONDS = 24 * 3600


def venue_list(*, user, query: str = "") -> QuerySet[Venue]:
    """The console's venues (page them, then count their requests with ``pending_counts``)."""
    rows = (
        visible_venues(user)
        .select_related("division", "owner_partner")
        .order_by("scope_code", "name")
    )
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(address__icontains=query))
    return rows


def pending_counts(venue_ids: list[int]) -> dict[int, int]:
    """Requests still to decide, per venue, for one page of venues (one grouped query)."""
    rows = (
        Booking.objects.filter(
            venue_id__in=venue_ids, status=Booking.Status.PENDING, starts_at__gt=timezone.now()
        )
        .values("venue_id")
        .annotate(n=Count("id"))
    )
    return {r["venue_id"]: r["n"] for r in rows}


def venue_detail(*, user, pk: int) -> Venue:
    venue = (
        visible_venues(user)
        .select_related("division", "owner_partner")
        .prefetch_related("windows")
        .filter(pk=pk)
        .first()
    )
    if venue is None:
        raise NotFound(_("场地不存在，或不在您的管辖范围内。"))
    return venue


def pending_requests(*, user) -> QuerySet[Booking]:
    """Requests waiting for this user's decision, soonest first: the community venues of the
    user's managing scopes and the rooms of the user's units (by the bookings' own scope code,
    which the status-and-time index serves for a scope of any size)."""
    condition = (
        Booking.objects.scope_q(*user.scopes_for(*MANAGER_ROLES)) if user.is_authenticated else None
    )
    if condition is not None:
        condition &= Q(venue__owner_partner__isnull=True)
    units = partner_units(user)
    if units:
        unit = Q(venue__owner_partner_id__in=units)
        condition = unit if condition is None else condition | unit
    if condition is None:
        return Booking.objects.none()
    return (
        Booking.objects.filter(
            condition, status=Booking.Status.PENDING, starts_at__gt=timezone.now()
        )
        .select_related("venue", "booker", "organization")
        .order_by("starts_at", "id")
    )


def booking_for_console(*, user, pk: int) -> Booking:
    booking = visible_bookings(user).select_related("venue", "booker").filter(pk=pk).first()
    if booking is None:
        raise NotFound(_("预约不存在，或不在您的管辖范围内。"))
    return booking


def venue_bookings(*, venue: Venue, since: datetime | None = None) -> QuerySet[Booking]:
    rows = Booking.objects.filter(venue=venue).select_related("booker", "organization")
    if since is not None:
        rows = rows.filter(ends_at__gt=since)
    return rows.order_by("starts_at", "id")


def bookable_venues(*, user, query: str = "") -> QuerySet[Venue]:
    """The venues of the streets a person lives or works in; a venue for its own community
    only shows to that community."""
    communities = home_communities(user)
    streets = home_streets(user)
    if not streets:
        return Venue.objects.none()
    mine = Venue.objects.scope_q(*communities) if communities else None
    rows = (
        Venue.objects.within(*streets)
        .filter(is_active=True)
        .filter((Q(residents_only=False) | mine) if mine is not None else Q(residents_only=False))
        .select_related("division", "owner_partner")
        .prefetch_related("windows")
    )
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(address__icontains=query))
    if mine is None:
        return rows.order_by("scope_code", "name")
    # the person's own community first, then the rest of the street
    return rows.annotate(
        own=Case(When(mine, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("own", "scope_code", "name")


def bookable_venue(*, user, pk: int) -> Venue:
    """One venue for the phone pages: any active venue the person may book."""
    # Through the list the person is offered (the venues of their streets): a venue elsewhere
    # reads like one that does not exist.
    venue = bookable_venues(user=user).filter(pk=pk).first()
    if venue is None or not may_book(user, venue):
        raise NotFound(_("场地不存在或未开放预约。"))
    return venue


def booking_unit(*, user, pk) -> Partner:
    """The unit a person books for: one they work for. Any other unit, existing or not, gets the
    same refusal, so that the answer tells nothing about units elsewhere."""
    units = Partner.objects.filter(pk__in=partner_units(user))
    try:
        return visible_or_404(units, pk=pk)
    except NotFound:
        raise Forbidden(_("您不是该单位的工作人员，不能以该单位名义预约。")) from None


def booking_for_booker_or_console(*, user, pk) -> Booking:
    """A booking the person made, or one of the venues they see in the console."""
    rows = Booking.objects.filter(booker=user) | visible_bookings(user)
    return visible_or_404(
        rows.select_related("venue", "booker"), _("预约不存在，或不在您的管辖范围内。"), pk=pk
    )


def my_bookings(*, user, upcoming: bool = False) -> QuerySet[Booking]:
    """The user's bookings, latest first; ``upcoming``: those asked or approved still to
    start (the resident home's to-do)."""
    rows = Booking.objects.filter(booker=user)
    if upcoming:
        rows = rows.filter(
            status__in=[Booking.Status.PENDING, Booking.Status.APPROVED],
            starts_at__gte=timezone.now(),
        )
    return rows.select_related("venue", "organization").order_by("-starts_at", "-id")


# --- the week view ----------------------------------------------------------------------------


@dataclass
class Segment:
    starts: datetime
    ends: datetime
    state: str  # free, taken, pending, past
    booking: Booking | None = None
    mine: bool = False

    @property
    def label(self) -> str:
        return f"{self.starts:%H:%M}-{self.ends:%H:%M}"


@dataclass
class Day:
    date: date
    closed: str = ""
    segments: list[Segment] = field(default_factory=list)

    @property
    def free_count(self) -> int:
        return sum(1 for s in self.segments if s.state == "free")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week(
    *,
    venue: Venue,
    monday: date,
    user=None,
    now: datetime | None = None,
    all_pending: bool = False,
) -> list[Day]:
    """Seven days from ``monday``: each opening window cut into free and taken stretches by the
    approved bookings; the viewer's own pending requests (the manager: every one) show as
    pending. Two queries."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    start = datetime.combine(monday, time.min, tzinfo=tz)
    end = start + timedelta(days=7)
    rows = list(
        Booking.objects.filter(venue=venue, starts_at__lt=end, ends_at__gt=start)
        .filter(
            Q(status=Booking.Status.APPROVED)
            | (
                Q(status=Booking.Status.PENDING)
                if all_pending
                else Q(status=Booking.Status.PENDING, booker_id=getattr(user, "pk", None))
            )
        )
        .only("id", "starts_at", "ends_at", "status", "title", "booker_id", "organization_id")
        .order_by("starts_at")
    )
    closures = list(
        Closure.objects.filter(
            venue=venue, starts_on__lte=monday + timedelta(days=6), ends_on__gte=monday
        )
    )
    windows = list(venue.windows.all())
    days: list[Day] = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        entry = Day(date=day, closed=closed_reason(venue, day, closures))
        if not entry.closed:
            for w in (w for w in windows if w.weekday == day.weekday()):
                ws = datetime.combine(day, w.starts, tzinfo=tz)
                we = datetime.combine(day, w.ends, tzinfo=tz)
                entry.segments.extend(_cut(ws, we, rows, user, now))
        days.append(entry)
    return days


def _cut(ws: datetime, we: datetime, rows: list[Booking], user, now: datetime) -> list[Segment]:
    segments: list[Segment] = []
    cursor = ws
    user_pk = getattr(user, "pk", None)
    inside = [b for b in rows if b.starts_at < we and b.ends_at > ws]
    for b in inside:
        bs, be = max(b.starts_at, ws), min(b.ends_at, we)
        if b.status == Booking.Status.PENDING:
            continue  # drawn over the free stretch below
        if bs > cursor:
            segments.append(Segment(timezone.localtime(cursor), timezone.localtime(bs), "free"))
        segments.append(
            Segment(
                timezone.localtime(bs),
                timezone.localtime(be),
                "taken",
                b,
                mine=b.booker_id == user_pk,
            )
        )
        cursor = max(cursor, be)
    if cursor < we:
        segments.append(Segment(timezone.localtime(cursor), timezone.localtime(we), "free"))
    for s in segments:
        if s.state == "free" and s.ends <= now:
            s.state = "past"
        elif s.state == "free" and any(
            b.status == Booking.Status.PENDING and b.starts_at < s.ends and b.ends_at > s.starts
            for b in inside
        ):
            s.state = "pending"
    return segments


# --- the iCalendar feed -----------------------------------------------------------------------


def feed_bookings(*, venue: Venue, now: datetime | None = None) -> QuerySet[Booking]:
    since = (now or timezone.now()) - FEED_PAST
    return (
        Booking.objects.filter(venue=venue, status=Booking.Status.APPROVED, ends_at__gt=since)
        .select_related("organization")
        .only(
            "id",
            "starts_at",
            "ends_at",
            "title",
            "updated_at",
            "created_at",
            "organization__name",
        )
        .order_by("starts_at")
    )


def feed_version(*, venue: Venue, now: datetime | None = None) -> str:
    """Changes whenever the feed's content would: a booking written, the venue edited, a day
    passing (old bookings leave the feed). One small indexed query."""
    stats = Booking.objects.filter(venue=venue).aggregate(n=Count("id"), last=Max("updated_at"))
    last = stats["last"].timestamp() if stats["last"] else 0
    day = timezone.localdate(now or timezone.now())
    return f"{venue.pk}-{venue.updated_at.timestamp():.6f}-{day:%Y%m%d}-{stats['n']}-{last:.6f}"


def ical_cached(*, venue: Venue) -> tuple[str, bytes]:
    """The feed and its version (an ETag): built once per version, then served from the cache
    (calendar apps poll feeds every few minutes; building one takes ~1 ms per event)."""
    import hashlib

    version = hashlib.sha1(feed_version(venue=venue).encode()).hexdigest()[:20]
    key = f"venues:feed:{venue.pk}:{version}"
    body = cache.get(key)
    if body is None:
        body = ical(venue=venue)
        cache.set(key, body, timeout=FEED_CACHE_SECONDS)
    return version, body


def ical(*, venue: Venue, now: datetime | None = None) -> bytes:
    """The venue's approved bookings as an RFC 5545 calendar (times in UTC; no personal data:
    the activity's name and the booking unit only)."""
    from icalendar import Calendar, Event

    now = now or timezone.now()
    cal = Calendar()
    cal.add("prodid", "-//jiceng//venues//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{venue.name} 预约")
    cal.add("x-wr-timezone", str(timezone.get_current_timezone()))
    stamp = now.astimezone(UTC)
    for b in feed_bookings(venue=venue, now=now):
        event = Event()
        event.add("uid", f"venue-booking-{b.pk}@jiceng")
        event.add("dtstamp", stamp)
        event.add("dtstart", b.starts_at)
        event.add("dtend", b.ends_at)
        summary = b.title if not b.organization_id else f"{b.title}（{b.organization.name}）"
        event.add("summary", summary)
        event.add("location", f"{venue.name}，{venue.address}")
        event.add("status", "CONFIRMED")
        event.add("last-modified", b.updated_at)
        cal.add_component(event)
    return cal.to_ical()
