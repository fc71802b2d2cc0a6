"""What each app contributes to the shared surfaces, declared in its ``manifest.py``.

Decidim's ``register_component`` is the model: each app registers, once, its navigation items,
its page URLs and API router, the links and cards of the phone homes and the to-do items of the
console home (``register_component``), its figures (``register_figure``), its point sources
(``register_point_sources``) and its upload folders (``register_uploads``). ``accounts``,
``urls.py``, ``api.py`` and the homes read what is registered here; they never name an app
above them, so adding an app is its folder and one line in ``INSTALLED_APPS``.

core's AppConfig imports every installed app's ``manifest.py`` when Django starts
(``autodiscover_modules``), in ``INSTALLED_APPS`` order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

# --- components -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NavItem:
    """A console page in the side navigation, shown to the roles (strings) that may use it.
    The page guard (``accounts.permissions.page_allowed``) reads the same item, so a link and
    its page never disagree. ``primary``: also a button at the head of the console home."""

    key: str
    label: Any
    url_name: str
    roles: frozenset[str]
    order: int = 100
    primary: bool = False


@dataclass(frozen=True)
class Urls:
    """Page URLs mounted at ``prefix`` (``"console/party/"``): ``target`` is what
    ``django.urls.include`` takes (a module's dotted path, or ``(patterns, app_name)``)."""

    prefix: str
    target: Any
    namespace: str | None = None


@dataclass(frozen=True)
class Api:
    """A django-ninja router mounted at ``prefix`` (``"/party"``): the router or its dotted
    path (``"jiceng.party.api.router"``), imported when the API is built."""

    prefix: str
    router: Any


# The homes: "console" (the staff's and administrators' 工作台), "resident" and "member" (the
# phone homes). Each shows, from what the apps register for it, its to-do lines (``Todo``), its
# buttons (``HomeLink``, phone homes; the console's buttons are the ``primary`` NavItems) and
# its cards (``HomeCard``).
HOMES = ("console", "resident", "member")


@dataclass(frozen=True)
class HomeLink:
    """A button on a phone home (``home``: ``"resident"`` or ``"member"``); its
    ``data-testid`` is ``<key>-link``."""

    home: str
    key: str
    label: Any
    url_name: str
    order: int = 100


@dataclass(frozen=True)
class HomeCard:
    """A card on a home (``home``: one of ``HOMES``): ``template`` rendered with ``card`` =
    ``context(user, place)`` (``place``: on a phone home the division, chain, street, community
    and grid; on the console the user's ``scopes``); a card whose context is ``None`` is left
    out (a role it does not concern, nothing to show). A card's context costs at most one
    query: a home renders in a fixed number of queries whatever the data."""

    home: str
    key: str
    template: str
    context: Callable[[Any, dict[str, Any]], dict[str, Any] | None]
    order: int = 100


@dataclass(frozen=True)
class Todo:
    """One line of a home's to-do list (``home``: one of ``HOMES``). ``count`` is a number or
    the queryset of the records waiting (counted with every other line in one query);
    ``overdue`` a flag or the queryset of the late ones among them. ``url`` opens the list that
    shows exactly those records."""

    label: Any
    url: str
    count: int | QuerySet
    overdue: bool | QuerySet = False
    home: str = "console"


TodoSource = Callable[[Any], Iterable[Todo]]


@dataclass(frozen=True)
class TodoLine:
    """A to-do line as the home shows it: counted."""

    label: Any
    url: str
    count: int
    overdue: bool


@dataclass(frozen=True)
class Component:
    name: str
    nav: tuple[NavItem, ...] = ()
    urls: tuple[Urls, ...] = ()
    api: tuple[Api, ...] = ()
    home_links: tuple[HomeLink, ...] = ()
    home_cards: tuple[HomeCard, ...] = ()
    todos: TodoSource | None = None
    order: int = field(default=0, compare=False)


_components: dict[str, Component] = {}


def register_component(
    name: str,
    *,
    nav: Sequence[NavItem] = (),
    urls: Sequence[Urls] = (),
    api: Sequence[Api] = (),
    home_links: Sequence[HomeLink] = (),
    home_cards: Sequence[HomeCard] = (),
    todos: TodoSource | None = None,
) -> Component:
    """Declare what the app ``name`` gives the navigation, the URLs, the API and the homes.
    Registering the same name again replaces it (keeps its place in the order)."""
    keys = {item.key for c in _components.values() if c.name != name for item in c.nav}
    for item in nav:
        if item.key in keys:
            raise ValueError(f"navigation key {item.key!r} is registered twice")
    order = _components[name].order if name in _components else len(_components)
    component = Component(
        name,
        tuple(nav),
        tuple(urls),
        tuple(api),
        tuple(home_links),
        tuple(home_cards),
        todos,
        order,
    )
    _components[name] = component
    return component


def unregister_component(name: str) -> None:
    """Take a component off the surfaces (tests that register a fake one)."""
    _components.pop(name, None)


def components() -> list[Component]:
    """The registered components, in the order they were registered (INSTALLED_APPS)."""
    return sorted(_components.values(), key=lambda c: c.order)


def navigation() -> list[NavItem]:
    """Every navigation item, in order."""
    return sorted((i for c in components() for i in c.nav), key=lambda i: (i.order, i.key))


def nav_item(key: str) -> NavItem | None:
    return next((i for c in _components.values() for i in c.nav if i.key == key), None)


def nav_allowed(roles: Iterable[str], key: str) -> bool:
    """Do ``roles`` see the page ``key``? An unknown key opens to no one."""
    item = nav_item(key)
    return item is not None and bool(item.roles & set(roles))


def navigation_for(roles: Iterable[str]) -> list[NavItem]:
    roles = set(roles)
    return [item for item in navigation() if item.roles & roles]


def url_mounts() -> list[Urls]:
    return [u for c in components() for u in c.urls]


def api_mounts() -> list[Api]:
    return [a for c in components() for a in c.api]


def home_links(home: str) -> list[HomeLink]:
    links = (link for c in components() for link in c.home_links if link.home == home)
    return sorted(links, key=lambda link: link.order)


def home_cards(home: str) -> list[HomeCard]:
    cards = (card for c in components() for card in c.home_cards if card.home == home)
    return sorted(cards, key=lambda card: card.order)


def todos_for(user: Any, home: str = "console") -> list[TodoLine]:
    """The user's to-do lines of ``home`` from every component, counted in one query; lines
    with nothing waiting are left out; the overdue ones first, then in the components' order."""
    if home not in HOMES:
        raise ValueError(f"unknown home {home!r}")
    pending = [t for c in components() if c.todos for t in c.todos(user) if t.home == home]
    values = count_all([v for t in pending for v in (t.count, t.overdue)])
    lines = [
        TodoLine(t.label, t.url, int(count), bool(overdue))
        for t, count, overdue in zip(pending, values[::2], values[1::2], strict=True)
        if count
    ]
    return sorted(lines, key=lambda line: not line.overdue)


def count_all(values: Sequence[Any]) -> list[int | float | bool]:
    """``values`` with every queryset replaced by its row count, all counted in one statement
    per database (``SELECT (SELECT COUNT(*) FROM (...)), ...``); plain values pass through."""
    out = list(values)
    by_db: dict[str, list[int]] = {}
    for i, v in enumerate(values):
        if isinstance(v, QuerySet):
            by_db.setdefault(v.db, []).append(i)
    for db, indexes in by_db.items():
        parts, params, counted = [], [], []
        for i in indexes:
            query = values[i].order_by().values("pk").query
            try:
                sql, p = query.get_compiler(using=db).as_sql()
            except EmptyResultSet:  # .none(), pk__in=[]: nothing to ask the database
                out[i] = 0
                continue
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS c{len(counted)})")
            params.extend(p)
            counted.append(i)
        if not counted:
            continue
        with connections[db].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            row = cursor.fetchone()
        for i, count in zip(counted, row, strict=True):
            out[i] = count
    return out


# --- figures --------------------------------------------------------------------------------


class Figure:
    """A number for the console home and the dashboards, computed for a list of scopes.
    ``source(scopes)`` returns the number, or the queryset whose rows it counts (the home
    counts those of every figure in one query)."""

    def __init__(self, key: str, label: Any, source: Callable[[Any], Any], roles=None, shown=None):
        self.key, self.label, self.source, self.roles = key, label, source, roles
        # shown(scopes) -> bool: whether the figure means anything for these scopes (a count of
        # streets does not, for a community's staff); None: always.
        self.shown = shown

    def compute(self, scopes: Any) -> int | float:
        value = self.source(scopes)
        return value.count() if isinstance(value, QuerySet) else value

    def __repr__(self) -> str:
        return f"Figure({self.key!r})"


_figures: dict[str, Figure] = {}


def register_figure(
    key: str,
    label: Any,
    compute: Callable[[Any], Any],
    roles: set[str] | None = None,
    shown: Callable[[Any], bool] | None = None,
) -> None:
    """``compute(scopes)`` returns a number or the queryset of the records it counts;
    ``shown(scopes)``, where given, says whether it means anything for those scopes."""
    _figures[key] = Figure(key, label, compute, frozenset(roles) if roles else None, shown)


def figures_for(roles: set[str], scopes: Any = None) -> list[Figure]:
    """The figures these roles see; with ``scopes``, only those that mean something there."""
    return [
        f
        for f in _figures.values()
        if (f.roles is None or f.roles & roles)
        and (scopes is None or f.shown is None or f.shown(scopes))
    ]


def figure_values(figures: Sequence[Figure], scopes: Any) -> list[int | float]:
    """The figures' values for ``scopes``; the counted ones in one query. They are kept in the
    cache for ``JICENG_FIGURES_TTL`` seconds per (scopes, figures): a place's counts a few
    minutes old serve a home as well, and a district's are costly (hundreds of thousands of
    rows)."""
    ttl = getattr(settings, "JICENG_FIGURES_TTL", 0)
    if not ttl or not figures:
        return count_all([f.source(scopes) for f in figures])
    name = "|".join([",".join(sorted(scopes or ())), *(f.key for f in figures)])
    key = "jiceng:figures:" + hashlib.sha256(name.encode()).hexdigest()
    values = cache.get(key)
    if values is None or len(values) != len(figures):
        values = count_all([f.source(scopes) for f in figures])
        cache.set(key, values, ttl)
    return values


# Point sources. ``points`` sits above the apps whose actions earn points (DESIGN.md: a lower
# app never imports a higher one), so those apps cannot call ``points.services`` by name. Each
# declares its sources in its manifest.py (``register_point_sources``) and each service that
# earns points calls ``points_earned(...)`` explicitly, in its own transaction, right after its
# write. The points app plugs its booking function in when Django starts. No signal: the call is
# visible in the service, and with no receiver connected nothing scores.


class PointReceiver(Protocol):
    def earned(
        self, *, source: str, source_key: str, member: Any, occurred_at: datetime, by: Any
    ) -> int: ...

    def revoked(self, *, source_key: str, by: Any, reason: str) -> int: ...


_point_sources: dict[str, Any] = {}
_point_receivers: list[PointReceiver] = []


def register_point_sources(sources: dict[str, Any]) -> None:
    """Declare what earns points: ``{"app.thing": label}``; rules name these sources."""
    _point_sources.update(sources)


def point_sources() -> dict[str, Any]:
    return dict(_point_sources)


def connect_points(receiver: PointReceiver) -> None:
    """Called once by the points app at start-up."""
    if receiver not in _point_receivers:
        _point_receivers.append(receiver)


def points_earned(
    *, source: str, source_key: str, member: Any, occurred_at: datetime, by: Any
) -> int:
    """Report that ``member`` (a party Member) did ``source`` (unique ``source_key``, so that a
    replay never scores twice); returns the points booked."""
    if source not in _point_sources:
        raise ValueError(f"undeclared point source {source!r}")
    return sum(
        r.earned(
            source=source, source_key=source_key, member=member, occurred_at=occurred_at, by=by
        )
        for r in _point_receivers
    )


def points_revoked(*, source_key: str, by: Any, reason: str) -> int:
    """Report that what ``source_key`` names no longer counts; the ledger reverses it."""
    return sum(r.revoked(source_key=source_key, by=by, reason=reason) for r in _point_receivers)


# Uploaded files. Photos of residents' problems, wishes and meetings are personal data: core's
# file view serves one only to a viewer who may see the record it belongs to, and only the app
# that owns the record can tell. Each app declares, in its manifest.py, the folder its uploads
# are stored under and a check ``may_see(user, name) -> bool`` built on its own ``visible_``
# querysets; the view asks ``upload_visible``. A file under no declared folder is served to no
# one.

UploadCheck = Callable[[Any, str], bool]

_upload_checks: dict[str, UploadCheck] = {}


def register_uploads(prefix: str, may_see: UploadCheck) -> None:
    """Declare who may see the files stored under ``prefix`` (a folder of the media storage,
    ``"cases/"``): ``may_see(user, name)`` is True when a record the user may see holds the file
    ``name``, False otherwise (no such record included)."""
    if not prefix.endswith("/") or prefix.startswith("/"):
        raise ValueError(f"an upload folder is relative and ends with '/': {prefix!r}")
    _upload_checks[prefix] = may_see


def upload_visible(user: Any, name: str) -> bool:
    """May ``user`` see the stored file ``name``? Asks the app that declared its folder."""
    prefix = max((p for p in _upload_checks if name.startswith(p)), key=len, default=None)
    return prefix is not None and bool(_upload_checks[prefix](user, name))


def upload_folders() -> list[str]:
    return sorted(_upload_checks)


# Audit actions in words. The audit log keeps each action's code ("case.accept"); the audit page
# shows what the code means in the reader's language. A state machine (core.workflow) names its
# transitions' actions itself; an app adds its other actions in its manifest.

_audit_labels: dict[str, Any] = {}


def register_audit_actions(labels: dict[str, Any]) -> None:
    """``{"case.accept": _("案件：受理"), ...}``, lazy labels read in the reader's language."""
    _audit_labels.update(labels)


def audit_action_label(code: str) -> str:
    """What ``code`` means, or the code itself where no app has said."""
    label = _audit_labels.get(code)
    return str(label) if label is not None else code


# Indicators (DESIGN.md "Indicators: the same number everywhere"). Each app declares its
# indicators in its manifest.py with a definition a secretary can read; the ``dashboard`` app
# computes them into snapshots (place, indicator, period) each night and every surface reads the
# snapshots. ``compute(within, start, end)`` counts the app's own records of the period
# [start, end) inside the division code ``within`` and returns ``{scope_code: (numerator,
# denominator)}`` grouped by the records' own ``scope_code`` (one GROUP BY); the dashboard adds
# each code into every place above it, so counts add up the tree and a rate is the sum of the
# numerators over the sum of the denominators, never an average of rates. A count's denominator
# is 0 and ignored.

COUNT, RATE = "count", "rate"


@dataclass(frozen=True)
class Indicator:
    """One indicator. ``key``: "<app>.<name>"; ``name``, ``definition`` and ``unit``: lazy text
    (Chinese source, English in the app's locale); ``domain`` and ``category``: keys of the
    starter classification the district may re-file (the dashboard keeps the editable tree);
    ``kind``: COUNT (values add) or RATE (numerator over denominator, shown as a share);
    ``records(user, code, start, end)``: the URL of the scoped list of the records counted, or
    None where no list exists; ``public``: shown on a community's public page unless the district
    says otherwise. ``by_unit(within, start, end)``: where the records have a unit that handled
    them (a case's handler), the same numerator and denominator grouped by that unit
    (``{partner_id: (n, d)}``), and ``unit_records(user, unit_id, start, end)`` the scoped list
    of one unit's records counted; None for indicators only places have."""

    key: str
    name: Any
    definition: Any
    unit: Any
    domain: str
    category: str
    compute: Callable[[str, Any, Any], dict[str, tuple[int | float, int | float]]]
    kind: str = COUNT
    higher_is_better: bool = True
    records: Callable[[Any, str, Any, Any], str | None] | None = None
    public: bool = False
    order: int = 100
    by_unit: Callable[[str, Any, Any], dict[int, tuple[int | float, int | float]]] | None = None
    unit_records: Callable[[Any, int, Any, Any], str | None] | None = None


_indicators: dict[str, Indicator] = {}


def register_indicator(indicator: Indicator) -> None:
    """Declare an indicator (its key once in the whole platform)."""
    if indicator.kind not in (COUNT, RATE):
        raise ValueError(f"indicator {indicator.key!r}: kind is {COUNT!r} or {RATE!r}")
    old = _indicators.get(indicator.key)
    if old is not None and old.compute.__qualname__ != indicator.compute.__qualname__:
        raise ValueError(f"indicator {indicator.key!r} is registered twice")
    _indicators[indicator.key] = indicator


def unregister_indicator(key: str) -> None:
    """Take an indicator off (tests that register a fake one)."""
    _indicators.pop(key, None)


def indicators() -> list[Indicator]:
    """Every registered indicator, by domain, order and key."""
    return sorted(_indicators.values(), key=lambda i: (i.domain, i.order, i.key))


def indicator(key: str) -> Indicator | None:
    return _indicators.get(key)


# Warnings. Each app declares the conditions it watches (a case past its deadline, a branch
# behind on meetings, a member behind on dues, an order nobody accepted, a deadline to come) as a
# warning source in its manifest.py; the ``dashboard`` app's warning centre runs every source's
# ``collect(today)``, opens a warning for each new key, keeps it while the key comes back and
# clears it when the condition ends. Owners are the users holding ``owner_roles`` at the
# warning's place (the nearest place above it that has one).

WARNING, SEVERE = "warning", "severe"


@dataclass(frozen=True)
class Alert:
    """One condition as a source sees it now: ``key`` names it for good (the same condition
    gives the same key on every run: "party.meetings:<org>:<kind>:<period start>"),
    ``scope_code`` its place, ``title`` what it is in Chinese, ``since`` since when it holds,
    ``url`` where it is dealt with. ``body``: what the owners are told beside the title;
    ``also_tell``: ``(users, title, body, url)`` for someone told besides the owners (the member
    behind with dues); ``told``: the app told the owners before the warning centre existed (the
    centre records it and tells no one again)."""

    key: str
    scope_code: str
    title: str
    since: Any
    url: str = ""
    severity: str = WARNING
    body: str = ""
    also_tell: tuple[Any, ...] | None = None
    told: bool = False


@dataclass(frozen=True)
class WarningSource:
    kind: str
    label: Any
    collect: Callable[[Any], Iterable[Alert]]
    owner_roles: frozenset[str]
    order: int = 100


_warning_sources: dict[str, WarningSource] = {}


def register_warning_source(source: WarningSource) -> None:
    """Declare what an app warns about (``kind``: "<app>.<what>", once in the platform)."""
    _warning_sources[source.kind] = source


def unregister_warning_source(kind: str) -> None:
    _warning_sources.pop(kind, None)


def warning_sources() -> list[WarningSource]:
    return sorted(_warning_sources.values(), key=lambda s: (s.order, s.kind))


# Onboarding (a district going live). The system administrator's onboarding page lists, line by
# line, what the district has loaded and what is still missing (grids without a grid worker,
# categories without a handling unit, the calendar's next year), each with a link to where it is
# fixed. Each app declares its own lines in its manifest.py; the page counts them all in one
# query and shows a fix only to the roles that may open it.


@dataclass(frozen=True)
class Fix:
    """Where a missing thing is fixed: a URL name (``reverse`` with ``args``), shown to
    ``roles``; a URL name that does not exist (an optional app) is left out."""

    label: Any
    url_name: str
    roles: frozenset[str]
    args: tuple[Any, ...] = ()


@dataclass(frozen=True)
class OnboardingCheck:
    """One line of the onboarding page for the district ``code``: ``loaded(code)`` what is
    there (a number or a queryset, or None), ``missing(code)`` what is still missing (counted
    the same way; 0 is done), ``missing_label`` what the missing ones are ("网格没有网格员"),
    ``fixes`` where to fix them."""

    key: str
    label: Any
    missing: Callable[[str], Any]
    missing_label: Any
    loaded: Callable[[str], Any] | None = None
    fixes: tuple[Fix, ...] = ()
    order: int = 100


_onboarding_checks: dict[str, OnboardingCheck] = {}


def register_onboarding_check(check: OnboardingCheck) -> None:
    """Declare a line of the onboarding page (``key``: "<app>.<what>", once in the platform)."""
    _onboarding_checks[check.key] = check


def unregister_onboarding_check(key: str) -> None:
    _onboarding_checks.pop(key, None)


def onboarding_checks() -> list[OnboardingCheck]:
    return sorted(_onboarding_checks.values(), key=lambda c: (c.order, c.key))


_onboarding_fixes: dict[str, list[Fix]] = {}


def register_onboarding_fix(key: str, fix: Fix) -> None:
    """A higher app offers a fix for a lower app's line (the going-live imports fill the
    accounts' and the units' lines), so that the lower app never names the higher app's URL."""
    fixes = _onboarding_fixes.setdefault(key, [])
    if fix not in fixes:
        fixes.append(fix)


def onboarding_fixes(check: OnboardingCheck) -> tuple[Fix, ...]:
    """The line's own fixes, then those other apps offer for it."""
    return (*check.fixes, *_onboarding_fixes.get(check.key, ()))


# Map layers. The dashboard's map (一张图) draws, over the places' polygons, the points that apps
# declare here: venues, service stations ... ``points(within)`` returns the app's active points
# inside the division code ``within``; a point without coordinates is drawn near its place's
# centre.


@dataclass(frozen=True)
class MapPoint:
    scope_code: str
    name: str
    url: str = ""
    lon: float | None = None
    lat: float | None = None
    key: str = ""


@dataclass(frozen=True)
class MapLayer:
    key: str
    label: Any
    colour: str
    points: Callable[[str], Iterable[MapPoint]]
    order: int = 100


_map_layers: dict[str, MapLayer] = {}


def register_map_layer(layer: MapLayer) -> None:
    _map_layers[layer.key] = layer


def map_layers() -> list[MapLayer]:
    return sorted(_map_layers.values(), key=lambda layer: (layer.order, layer.key))


# Record books (台账). Each app declares the books communities keep on paper and the platform
# now writes from the records already there (the case ledger, 三会一课 records, the dues ledger,
# volunteer hours...) in its manifest.py; the ``reports`` app lists the books a person may take
# for a place and a period and writes each as Excel (core.xlsx, user text as text) and, where
# ``printed``, as a PDF with a title (place and period), numbered rows and a signature block.
# ``rows(user, code, start, end)`` yields one sequence of cells per row, in the columns' order,
# for the records of [start, end) inside the division code ``code`` (the reports app has already
# resolved ``code`` through what ``user`` may see); it streams (an iterator over ``.iterator()``
# or ``values_list``), so a street's month at city scale never sits in memory whole.

MONTH, QUARTER, YEAR = "month", "quarter", "year"


@dataclass(frozen=True)
class BookColumn:
    """One column: ``label`` lazy text (Chinese source); ``width`` in characters (Excel and the
    PDF's relative widths)."""

    key: str
    label: Any
    width: int = 12


@dataclass(frozen=True)
class RecordBook:
    """One record book. ``key``: "<app>.<name>"; ``title``: lazy text (案件台账); ``levels``: the
    place levels it is kept at (geo's Level values: "district", "street", "community", "grid");
    ``period``: MONTH, QUARTER or YEAR (the period a book covers); ``roles``: who may take it (at
    a place they may see); ``printed``: also given as a PDF to print and sign; ``signatures``:
    the signature block's lines (lazy text: 记录人, 审核人); ``definition``: what the book holds,
    in a sentence a secretary reads."""

    key: str
    title: Any
    levels: frozenset[str]
    columns: tuple[BookColumn, ...]
    rows: Callable[[Any, str, Any, Any], Iterable[Sequence[Any]]]
    roles: frozenset[str]
    period: str = MONTH
    printed: bool = True
    signatures: tuple[Any, ...] = ()
    definition: Any = ""
    order: int = 100


_books: dict[str, RecordBook] = {}


def register_record_book(book: RecordBook) -> None:
    """Declare a record book (its key once in the whole platform)."""
    if book.period not in (MONTH, QUARTER, YEAR):
        raise ValueError(f"record book {book.key!r}: period is month, quarter or year")
    old = _books.get(book.key)
    if old is not None and old.rows.__qualname__ != book.rows.__qualname__:
        raise ValueError(f"record book {book.key!r} is registered twice")
    _books[book.key] = book


def unregister_record_book(key: str) -> None:
    """Take a book off (tests that register a fake one)."""
    _books.pop(key, None)


def record_books() -> list[RecordBook]:
    """Every registered book, by order and key."""
    return sorted(_books.values(), key=lambda b: (b.order, b.key))


def record_book(key: str) -> RecordBook | None:
    return _books.get(key)
