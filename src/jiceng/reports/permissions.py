"""Who takes which books for which places. Staff of a place (the community's, the street's, the
district's) take the books of the places in their scope; every place and every generated file
named by a request is resolved through that scope (outside it: 404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jiceng.accounts.roles import MANAGER_ROLES, Role
from jiceng.core.errors import NotFound
from jiceng.core.registry import RecordBook, record_books
from jiceng.core.scope import level_of, user_covers, visible_or_404
from jiceng.geo.models import Division
from jiceng.reports.models import BookRequest, Generation, RequestAnswer

READER_ROLES = tuple(MANAGER_ROLES)
CONSOLE_ROLES = frozenset(READER_ROLES)
ASKER_ROLES = (Role.STREET_STAFF, Role.DISTRICT_STAFF)
ANSWER_ROLES = (Role.COMMUNITY_SECRETARY, Role.COMMUNITY_WORKER)
PLACE_LEVELS = ("district", "street", "community")


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def scopes(user) -> list[str]:
    if not _signed_in(user):
        return []
    return user.scopes_for(*READER_ROLES)


def visible_places(user) -> QuerySet[Division]:
    """The districts, streets and communities ``user`` may take books for."""
    codes = scopes(user)
    if not codes:
        return Division.objects.none()
    return (
        Division.objects.within(*codes)
        .filter(level__in=PLACE_LEVELS, is_active=True)
        .defer("boundary")
        .order_by("code")
    )


def place_for(user, code: str | None) -> Division:
    """The place a request names (its code), or the user's own (the first scope) when none."""
    if not code:
        codes = sorted(scopes(user), key=len)
        code = codes[0] if codes else None
    return visible_or_404(visible_places(user), code=code)


def may_take(user, book: RecordBook, code: str) -> bool:
    return level_of(code) in book.levels and user_covers(user, book.roles, code)


def books_for(user, place: Division) -> list[RecordBook]:
    """The books ``user`` may take at ``place``: kept at its level, and the user holds one of
    the book's roles there."""
    return [b for b in record_books() if may_take(user, b, place.code)]


def book_for(user, place: Division, key: str) -> RecordBook:
    for book in books_for(user, place):
        if book.key == key:
            return book
    raise NotFound(_("没有找到，或不在您可以查看的范围内。"))


def visible_generations(user) -> QuerySet[Generation]:
    if not scopes(user):
        return Generation.objects.none()
    return Generation.objects.within(*scopes(user))


def visible_requests(user) -> QuerySet[BookRequest]:
    """Requests sent from a place in the user's scope, or to a community in it."""
    codes = scopes(user)
    if not codes:
        return BookRequest.objects.none()
    asked = BookRequest.objects.within(*codes)
    to_us = BookRequest.objects.filter(
        pk__in=RequestAnswer.objects.within(*codes).values("request_id")
    )
    return (asked | to_us).distinct()


def answers_to_give(user) -> QuerySet[RequestAnswer]:
    """The answers a community's staff still owe."""
    if not _signed_in(user) or not user.has_role(*ANSWER_ROLES):
        return RequestAnswer.objects.none()
    codes = user.scopes_for(*ANSWER_ROLES)
    return RequestAnswer.objects.within(*codes).filter(status=RequestAnswer.Status.WAITING)


def may_ask(user, place: Division) -> bool:
    return place.level in ("district", "street") and user_covers(user, ASKER_ROLES, place.code)


def may_answer(user, answer: RequestAnswer) -> bool:
    return user_covers(user, ANSWER_ROLES, answer.scope_code)
