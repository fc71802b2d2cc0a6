"""The demo district's venues: like Yuehu's case study, 40 venues (a 党群服务中心 per street,
partner units' rooms opened at staggered hours, community meeting rooms) and 136 grid stations,
with eight weeks of past bookings and four weeks ahead, some waiting for a decision."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from jiceng.accounts.models import RoleAssignment, User
from jiceng.core.scope import community_of, covers, street_of
from jiceng.geo.models import Division
from jiceng.partners.models import Partner
from jiceng.venues.generate import PATTERNS, plan_bookings
from jiceng.venues.models import Booking, OpeningWindow, Venue

PARTNER_ROOMS = {
    "enterprise": ("职工活动室", "activity_room", 40, "桌椅、投影、茶水"),
    "property_company": ("业主议事厅", "meeting_room", 30, "桌椅、白板"),
    "agency": ("操场和阅览室", "sports", 120, "篮球场、阅览室、卫生间"),
    "social_org": ("社工活动室", "activity_room", 25, "桌椅、儿童绘本、投影"),
}


def _t(hhmm: str) -> time:
    return time.fromisoformat(hhmm)


def build_venues(*, district: str, seed: int = 2026, stations: int = 136) -> dict[str, int]:
    """Fill the demo district with venues, windows and bookings (straight into the tables)."""
    rng = random.Random(seed)
    streets = list(
        Division.objects.filter(level="street", code__startswith=district).order_by("code")
    )
    communities = list(
        Division.objects.filter(level="community", code__startswith=district).order_by("code")
    )
    grids = list(Division.objects.filter(level="grid", code__startswith=district).order_by("code"))
    venues: list[tuple[Venue, dict]] = []
    for street in streets:
        home = next((c for c in communities if covers([street.code], c.code)), None)
        if home is None:  # a street-level unit without communities (a development zone)
            continue
        venues.append(
            (
                Venue(
                    name=f"{street.name}党群服务中心多功能厅",
                    kind="center",
                    division=home,
                    address=f"{street.name}{home.name}服务中心一楼",
                    capacity=120,
                    facilities="投影、音响、舞台、桌椅",
                    description="街道党群服务中心，可举办讲座、演出和议事会。",
                    approval_required=True,
                ),
                PATTERNS[0],
            )
        )
    for p in Partner.objects.filter(scope_code__startswith=district).exclude(kind="department"):
        word, kind, capacity, facilities = PARTNER_ROOMS.get(
            p.kind, ("活动室", "activity_room", 30, "桌椅")
        )
        home = next((c for c in communities if covers([p.scope_code], c.code)), None)
        if home is None:
            continue
        venues.append(
            (
                Venue(
                    name=f"{p.name}{word}",
                    kind=kind,
                    division=home,
                    owner_partner=p,
                    address=f"{home.name}内（{p.name}）",
                    capacity=capacity,
                    facilities=facilities,
                    description="共建单位错时开放：工作日晚上和周末向居民开放。",
                    approval_required=True,
                ),
                PATTERNS[1],
            )
        )
    for c in communities:
        if len(venues) >= 40:
            break
        if any(v.division_id == c.pk for v, _ in venues):
            continue
        venues.append(
            (
                Venue(
                    name=f"{c.name}会议室",
                    kind="meeting_room",
                    division=c,
                    address=f"{c.name}居委会二楼",
                    capacity=30,
                    facilities="桌椅、投影",
                    approval_required=True,
                    residents_only=True,
                ),
                PATTERNS[2],
            )
        )
    step = max(1, len(grids) // stations)
    for g in grids[::step][:stations]:
        venues.append(
            (
                Venue(
                    name=f"{g.name}党群服务站",
                    kind="station",
                    division=g,
                    address=f"{g.name}网格服务点",
                    capacity=15,
                    facilities="桌椅、饮水机、图书角",
                    approval_required=rng.random() < 0.5,
                ),
                PATTERNS[3],
            )
        )
    for v, _ in venues:
        v.scope_code = v.division.code
        # The keeper's mobile (synthetic), encrypted like every number (shown masked).
        v.contact_phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
    made = Venue.objects.bulk_create([v for v, _ in venues])
    if made and made[0].pk is None:
        by_name = {v.name: v.pk for v in Venue.objects.filter(scope_code__startswith=district)}
        for v in made:
            v.pk = by_name[v.name]
    windows = []
    for v, (_, pattern) in zip(made, venues, strict=True):
        for d, spans in pattern.items():
            windows.extend(
                OpeningWindow(venue=v, weekday=d, starts=_t(s), ends=_t(e)) for s, e in spans
            )
    OpeningWindow.objects.bulk_create(windows)
    by_venue: dict[int, list] = {}
    for w in windows:
        by_venue.setdefault(w.venue_id, []).append((w.weekday, w.starts, w.ends))

    bookers = list(
        RoleAssignment.objects.filter(role="resident")
        .within(district)
        .values_list("user_id", "scope_code")[:2000]
    )
    today = timezone.localdate()
    now = timezone.now()
    rows: list[Booking] = []
    for v in made:
        near = [b for b in bookers if covers([community_of(v.scope_code)], b[1])] or bookers
        per_day = 0.9 if v.kind in ("center", "meeting_room") else 0.5
        for s, e, status, title, attendees in plan_bookings(
            rng,
            by_venue[v.pk],
            first=today - timedelta(days=56),
            days=84,
            today=today,
            per_day=per_day,
        ):
            if status == "pending" and s <= now:
                status = "approved"
            rows.append(
                Booking(
                    venue=v,
                    scope_code=v.scope_code,
                    booker_id=rng.choice(near)[0],
                    title=title,
                    attendees=min(attendees, v.capacity),
                    starts_at=s,
                    ends_at=e,
                    status=status,
                    decided_at=s - timedelta(days=2)
                    if status in ("approved", "declined")
                    else None,
                    reason="该时段社区另有安排。" if status == "declined" else "",
                )
            )
    Booking.objects.bulk_create(rows, batch_size=2000)
    _for_the_demo_logins(made, by_venue, rng)
    return {
        "venues": len(made),
        "bookings": Booking.objects.filter(scope_code__startswith=district).count(),
    }


def _for_the_demo_logins(made: list[Venue], by_venue: dict, rng: random.Random) -> None:
    """The demo resident has bookings in each state at their community's venues."""
    resident = User.objects.filter(username="resident").first()
    if resident is None:
        return
    home = resident.role_assignments.filter(role="resident").first()
    if home is None:
        return
    mine = [v for v in made if covers([street_of(home.scope_code)], v.scope_code)][:3]
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    for offset, status, venue in zip(
        (3, 5, -4), ("approved", "pending", "approved"), mine, strict=False
    ):
        day = today + timedelta(days=offset)
        spans = [(s, e) for d, s, e in by_venue[venue.pk] if d == day.weekday()]
        if not spans:
            continue
        s, e = spans[-1]
        start = datetime.combine(day, s, tzinfo=tz)
        end = min(start + timedelta(hours=1), datetime.combine(day, e, tzinfo=tz))
        if Booking.objects.filter(
            venue=venue, status="approved", starts_at__lt=end, ends_at__gt=start
        ).exists():
            continue
        Booking.objects.create(
            venue=venue,
            scope_code=venue.scope_code,
            booker=resident,
            title="楼道邻里议事会",
            attendees=min(12, venue.capacity),
            contact_phone=f"13{rng.randrange(10**9):09d}",
            starts_at=start,
            ends_at=end,
            status=status,
            decided_at=timezone.now() if status == "approved" else None,
        )
