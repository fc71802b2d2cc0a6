"""The venues JSON API: venues to book, a venue's week, bookings and the owner's decisions."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from jiceng.core.inputs import Count, Day, Id, Moment, Pagination
from jiceng.venues import selectors, services
from jiceng.venues.models import Booking

router = Router(tags=["venues"])


class WindowOut(Schema):
    weekday: int
    starts: str
    ends: str


class VenueOut(Schema):
    id: int
    name: str
    kind: str
    address: str
    capacity: int
    facilities: list[str]
    scope_code: str
    owner_partner_id: int | None
    approval_required: bool
    residents_only: bool
    contact_phone: str  # masked; whole through POST /venues/{id}/contact with a reason
    windows: list[WindowOut]

    @staticmethod
    def resolve_contact_phone(obj) -> str:
        return obj.contact_phone_masked

    @staticmethod
    def resolve_facilities(obj) -> list[str]:
        return obj.facility_list

    @staticmethod
    def resolve_windows(obj) -> list[dict]:
        return [
            {"weekday": w.weekday, "starts": f"{w.starts:%H:%M}", "ends": f"{w.ends:%H:%M}"}
            for w in obj.windows.all()
        ]


class SegmentOut(Schema):
    starts: datetime
    ends: datetime
    state: str
    title: str = ""


class DayOut(Schema):
    date: date
    closed: str
    segments: list[SegmentOut]


class BookingIn(Schema):
    starts_at: Moment
    ends_at: Moment
    title: str
    attendees: Count
    notes: str = ""
    contact_phone: str = ""
    organization_id: Id | None = None
    weeks: Count = 1  # the same time every week, this many weeks (all or none)


class BookingOut(Schema):
    id: int
    venue_id: Id
    title: str
    attendees: int
    starts_at: datetime
    ends_at: datetime
    status: str
    reason: str
    organization_id: int | None
    contact_phone: str  # masked; whole through POST /bookings/{id}/contact with a reason

    @staticmethod
    def resolve_contact_phone(obj) -> str:
        return obj.contact_phone_masked


class ReasonIn(Schema):
    reason: str = ""


class ContactOut(Schema):
    contact_phone: str


@router.get("/venues", response=list[VenueOut])
@paginate(Pagination)
def venues(request, q: str = ""):
    """Venues the caller may book (their streets; a community-only venue to its community)."""
    return selectors.bookable_venues(user=request.user, query=q)


@router.get("/venues/{venue_id}/week", response=list[DayOut])
def venue_week(request, venue_id: Id, start: Day | None = None):
    """Seven days from the Monday of ``start``: free and taken stretches of each window."""
    venue = selectors.bookable_venue(user=request.user, pk=venue_id)
    monday = selectors.monday_of(start or timezone.localdate())
    return [
        {
            "date": d.date,
            "closed": d.closed,
            "segments": [
                {
                    "starts": s.starts,
                    "ends": s.ends,
                    "state": s.state,
                    "title": s.booking.title if s.booking and s.mine else "",
                }
                for s in d.segments
            ],
        }
        for d in selectors.week(venue=venue, monday=monday, user=request.user)
    ]


@router.post("/venues/{venue_id}/bookings", response={201: list[BookingOut]})
def booking_create(request, venue_id: Id, payload: BookingIn):
    """Ask for a time, or the same time for several weeks (approved at once at a venue that
    needs no approval); all the bookings made, in order."""
    venue = selectors.bookable_venue(user=request.user, pk=venue_id)
    organization = None
    if payload.organization_id is not None:
        organization = selectors.booking_unit(user=request.user, pk=payload.organization_id)
    made = services.booking_create_series(
        by=request.user,
        venue=venue,
        weeks=payload.weeks,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        title=payload.title,
        attendees=payload.attendees,
        notes=payload.notes,
        contact_phone=payload.contact_phone,
        organization=organization,
        request=request,
    )
    return Status(201, made)


@router.get("/bookings/mine", response=list[BookingOut])
@paginate(Pagination)
def my_bookings(request):
    return selectors.my_bookings(user=request.user)


@router.get("/bookings/pending", response=list[BookingOut])
@paginate(Pagination)
def pending(request):
    """Requests waiting for the caller's decision, soonest first."""
    return selectors.pending_requests(user=request.user)


def _console_booking(request, booking_id: Id) -> Booking:
    return selectors.booking_for_console(user=request.user, pk=booking_id)


@router.post("/bookings/{booking_id}/approve", response=BookingOut)
def approve(request, booking_id: Id):
    return services.booking_approve(
        by=request.user, booking=_console_booking(request, booking_id), request=request
    )


@router.post("/bookings/{booking_id}/decline", response=BookingOut)
def decline(request, booking_id: Id, payload: ReasonIn):
    return services.booking_decline(
        by=request.user,
        booking=_console_booking(request, booking_id),
        reason=payload.reason,
        request=request,
    )


@router.post("/bookings/{booking_id}/cancel", response=BookingOut)
def cancel(request, booking_id: Id, payload: ReasonIn):
    """The booker withdraws, or the venue's manager cancels with a reason."""
    booking = selectors.booking_for_booker_or_console(user=request.user, pk=booking_id)
    return services.booking_cancel(
        by=request.user, booking=booking, reason=payload.reason, request=request
    )


@router.post("/venues/{venue_id}/contact", response=ContactOut)
def venue_contact(request, venue_id: Id, payload: ReasonIn):
    """A venue's phone whole, for its managers and its current bookers, with a reason (audited)."""
    venue = selectors.bookable_venue(user=request.user, pk=venue_id)
    phone = services.reveal_contact(
        by=request.user, obj=venue, reason=payload.reason, request=request
    )
    return {"contact_phone": phone}


@router.post("/bookings/{booking_id}/contact", response=ContactOut)
def booking_contact(request, booking_id: Id, payload: ReasonIn):
    """A booker's phone whole, for the venue's managers, with a reason (audited)."""
    booking = _console_booking(request, booking_id)
    phone = services.reveal_contact(
        by=request.user, obj=booking, reason=payload.reason, request=request
    )
    return {"contact_phone": phone}
