"""Polls: who sees and manages them, the electorate a rule and a place give, creating, opening
and closing, the count and the rules that decide (城市居民委员会组织法 art. 9, the double
threshold of owners' matters, 民法典 art. 278).

The ballots themselves (web, paper batches, receipts) are in ``ballots.py``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.roles import MANAGER_ROLES, Role
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.scope import community_of, covers, user_covers
from jiceng.deliberation.models import (
    Ballot,
    BallotMark,
    Poll,
    PollDelegate,
    PollOption,
    PollOutcome,
    RegisterLink,
    VoteRecord,
)
from jiceng.geo.models import Division
from jiceng.registry.models import Household, Person

RESIDENT_ROLES = (Role.RESIDENT, Role.MEMBER)
ADULT_AGE = 18  # 城市居民委员会组织法 art. 9: residents aged 18 and over

# What happens when a poll of a purpose closes (compacts adopt a version, selections take the
# votes): the modules that own those records put their function here when they are imported.
AFTER_CLOSE: dict[str, Callable[[Poll, dict[str, Any], Any], None]] = {}


# --- who sees what ------------------------------------------------------------------------------


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def visible_polls(user) -> QuerySet[Poll]:
    """The console's polls: those of the staff member's scope."""
    return Poll.objects.visible_to(user)


def can_manage(user, poll: Poll) -> bool:
    return user_covers(user, MANAGER_ROLES, poll.scope_code)


def require_manage(user, poll: Poll) -> None:
    if not can_manage(user, poll):
        raise Forbidden(_("只有本社区的工作人员可以管理此票决。"))


def person_of(user) -> Person | None:
    """The resident's person in the register (through the confirmed link), or None."""
    if not _authenticated(user):
        return None
    if "_register_person" not in user.__dict__:  # asked several times in one request
        link = (
            RegisterLink.objects.filter(user=user)
            .select_related("person__household__dwelling__building")
            .first()
        )
        user.__dict__["_register_person"] = link.person if link else None
    return user.__dict__["_register_person"]


def resident_communities(user) -> list[str]:
    """The communities whose polls a resident sees: where their register entry lives, and the
    places of their resident and member roles."""
    if not _authenticated(user):
        return []
    codes = {community_of(c) for c in user.scopes_for(*RESIDENT_ROLES)}
    person = person_of(user)
    if person is not None and person.scope_code:
        codes.add(community_of(person.scope_code))
    return sorted(c for c in codes if c)


def resident_polls(user) -> QuerySet[Poll]:
    """The polls a resident sees on the phone: open or closed ones of their communities."""
    codes = resident_communities(user)
    if not codes:
        return Poll.objects.none()
    return Poll.objects.within(*codes).exclude(status=Poll.Status.DRAFT)


# --- the electorate -----------------------------------------------------------------------------


def adult_cutoff(on: date) -> date:
    """The latest birth date of someone aged 18 or more on ``on``."""
    try:
        return on.replace(year=on.year - ADULT_AGE)
    except ValueError:  # 29 February
        return on.replace(year=on.year - ADULT_AGE, day=28)


def _place_q(poll: Poll, prefix: str = "") -> Q:
    """Records whose dwelling is in the poll's place (``prefix`` leads to the dwelling)."""
    if poll.building_id:
        return Q(**{f"{prefix}building_id": poll.building_id})
    if poll.compound_id:
        return Q(**{f"{prefix}building__compound_id": poll.compound_id})
    return Q()


def adults(on: date) -> QuerySet[Person]:
    return Person.objects.filter(status=Person.Status.LIVING, birth_date__lte=adult_cutoff(on))


def electorate(poll: Poll, on: date | None = None) -> QuerySet:
    """Who holds a ballot: households (with an adult living in them), adults, or delegates."""
    on = on or timezone.localdate()
    code = poll.division.code if poll.division_id else poll.scope_code
    if poll.electorate == Poll.Electorate.HOUSEHOLD:
        return (
            Household.objects.within(code)
            .filter(_place_q(poll, "dwelling__"))
            .filter(Exists(adults(on).filter(household_id=OuterRef("pk"))))
        )
    if poll.electorate == Poll.Electorate.ADULT:
        return adults(on).within(code).filter(_place_q(poll, "dwelling__"))
    return Person.objects.filter(
        pk__in=PollDelegate.objects.filter(poll=poll).values("person_id"),
        status=Person.Status.LIVING,
    )


@dataclass
class Voter:
    """Who holds the ballot under the poll's rule, as the voted register keys it."""

    key: str
    household: Household | None
    person: Person | None
    scope_code: str


def voter_for(poll: Poll, person: Person | None, on: date | None = None) -> Voter:
    """The ballot this person may cast in this poll, or a refusal in the user's language."""
    on = on or timezone.localdate()
    if person is None:
        raise UserError(
            _("您的账号尚未与居民登记信息关联，请联系社区核实身份后再投票。"), status=403
        )
    if person.status != Person.Status.LIVING or not person.birth_date:
        raise UserError(_("您不在本次票决的投票范围内。"), status=403)
    if person.birth_date > adult_cutoff(on):
        raise UserError(_("年满18周岁的居民才能投票。"), status=403)
    if poll.electorate == Poll.Electorate.HOUSEHOLD:
        if (
            not person.household_id
            or not electorate(poll, on).filter(pk=person.household_id).exists()
        ):
            raise UserError(_("您的家庭不在本次票决的投票范围内。"), status=403)
        return Voter(f"h{person.household_id}", person.household, person, person.scope_code)
    if not electorate(poll, on).filter(pk=person.pk).exists():
        raise UserError(_("您不在本次票决的投票范围内。"), status=403)
    return Voter(f"p{person.pk}", person.household, person, person.scope_code)


def household_voter(poll: Poll, household: Household, on: date | None = None) -> Voter:
    """A paper ballot's household (household polls): in the electorate, or a refusal."""
    if not electorate(poll, on).filter(pk=household.pk).exists():
        raise UserError(_("该户不在本次票决的投票范围内。"))
    return Voter(f"h{household.pk}", household, None, household.scope_code)


def person_voter(poll: Poll, person: Person, on: date | None = None) -> Voter:
    """A paper ballot's person (adults' and delegates' polls)."""
    if not electorate(poll, on).filter(pk=person.pk).exists():
        raise UserError(_("此人不在本次票决的投票范围内。"))
    return Voter(f"p{person.pk}", person.household, person, person.scope_code)


# --- making, opening and closing ----------------------------------------------------------------

YES_NO_OPTIONS = (("yes", "赞成"), ("no", "反对"), ("abstain", "弃权"))


def poll_create(
    *,
    by,
    division: Division,
    title: str,
    kind: str,
    electorate: str,
    closes_at: datetime,
    options: list[str] = (),
    description: str = "",
    purpose: str = Poll.Purpose.GENERAL,
    compound=None,
    building=None,
    max_choices: int = 1,
    score_max: int = 5,
    seats: int = 1,
    quorum_share: Decimal = Decimal("0.5"),
    pass_share: Decimal = Decimal("0.5"),
    at_least: bool = False,
    area_share: Decimal | None = None,
    delegates: list[Person] = (),
    request=None,
) -> Poll:
    """A draft poll of a community (or of one of its compounds or buildings)."""
    if not user_covers(by, MANAGER_ROLES, division.code) or division.level != "community":
        raise Forbidden(_("只有本社区的工作人员可以发起票决。"))
    if kind not in Poll.Kind.values:
        raise UserError(_("请选择投票方式。"), field="kind")
    if electorate not in Poll.Electorate.values:
        raise UserError(_("请选择投票人。"), field="electorate")
    if closes_at <= timezone.now():
        raise UserError(_("截止时间须晚于现在。"), field="closes_at")
    if building is not None and not covers([division.code], building.scope_code):
        raise UserError(_("楼栋不在本社区。"), field="building")
    if compound is not None and compound.community_id != division.pk:
        raise UserError(_("小区不在本社区。"), field="compound")
    labels = [o.strip() for o in options if o and o.strip()]
    if kind == Poll.Kind.YES_NO:
        labels = []
    elif len(labels) < 2:
        raise UserError(_("至少需要两个选项。"), field="options")
    elif len(set(labels)) != len(labels):
        raise UserError(_("选项不能重复。"), field="options")
    for share in (quorum_share, pass_share, area_share):
        if share is not None and not Decimal(0) <= Decimal(share) <= Decimal(1):
            raise UserError(_("比例须在 0 到 1 之间。"), field="pass_share")
    if kind == Poll.Kind.APPROVAL and not 1 <= max_choices <= len(labels):
        raise UserError(_("最多可选数须在 1 到选项数之间。"), field="max_choices")
    if kind == Poll.Kind.SCORE and not 1 <= score_max <= 100:
        raise UserError(_("最高分须在 1 到 100 之间。"), field="score_max")
    with transaction.atomic():
        poll = Poll.objects.create(
            division=division,
            compound=compound,
            building=building,
            title=title.strip(),
            description=description,
            kind=kind,
            electorate=electorate,
            purpose=purpose,
            max_choices=max_choices if kind == Poll.Kind.APPROVAL else 1,
            score_max=score_max,
            seats=seats,
            quorum_share=quorum_share,
            pass_share=pass_share,
            at_least=at_least,
            area_share=area_share,
            closes_at=closes_at,
            created_by=by,
        )
        if kind == Poll.Kind.YES_NO:
            rows = [
                PollOption(poll=poll, label=label, code=code, position=i + 1)
                for i, (code, label) in enumerate(YES_NO_OPTIONS)
            ]
        else:
            rows = [
                PollOption(poll=poll, label=label, position=i + 1) for i, label in enumerate(labels)
            ]
        PollOption.objects.bulk_create(rows)
        PollDelegate.objects.bulk_create([PollDelegate(poll=poll, person=p) for p in delegates])
        audit(actor=by, action="poll.create", obj=poll, request=request, detail={"kind": kind})
    return poll


def poll_open(*, poll: Poll, by, request=None) -> Poll:
    """Open the vote: the electorate is counted now and kept with the poll."""
    require_manage(by, poll)
    with transaction.atomic():
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        if poll.status != Poll.Status.DRAFT:
            raise UserError(_("只有草稿状态的票决可以开始投票。"), status=409)
        poll.electorate_size = electorate(poll).count()
        if not poll.electorate_size:
            raise UserError(_("投票范围内没有可以投票的居民或家庭。"))
        poll.status = Poll.Status.OPEN
        poll.opens_at = timezone.now()
        poll.save(update_fields=["status", "opens_at", "electorate_size", "updated_at"])
        audit(
            actor=by,
            action="poll.open",
            obj=poll,
            request=request,
            detail={"electorate": poll.electorate_size},
        )
    return poll


def poll_close(*, poll: Poll, by, request=None) -> Poll:
    """Close the vote and count it: the outcome is written for the app that carries it out."""
    require_manage(by, poll)
    with transaction.atomic():
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        if poll.status != Poll.Status.OPEN:
            raise UserError(_("只有投票中的票决可以结束。"), status=409)
        poll.status = Poll.Status.CLOSED
        poll.closed_at = timezone.now()
        result = tally(poll)
        poll.passed = result.passed
        poll.outcome = result.statement()[:500]
        poll.save(update_fields=["status", "closed_at", "passed", "outcome", "updated_at"])
        winner = result.winners[0] if result.winners else None
        PollOutcome.objects.create(
            poll=poll,
            purpose=poll.purpose,
            option_id=winner.id if winner else None,
            title=(winner.label if winner and poll.kind != Poll.Kind.YES_NO else poll.title)[:300],
            passed=bool(result.passed),
            scope_code=poll.scope_code,
        )
        audit(
            actor=by,
            action="poll.close",
            obj=poll,
            request=request,
            detail={"ballots": result.ballots, "passed": result.passed},
        )
        handler = AFTER_CLOSE.get(poll.purpose)
        if handler is not None:
            handler(poll, result, by)
    return poll


# --- the rules that decide ----------------------------------------------------------------------


def share_reached(
    part: int | Decimal, whole: int | Decimal, share: Decimal, at_least: bool = False
) -> bool:
    """Is ``part`` more than (or, ``at_least``, at least) ``share`` of ``whole``? Exact:
    decimals, never floats, so that 1 of 2 is not "more than half"."""
    if not whole:
        return False
    part, target = Decimal(part), Decimal(share) * Decimal(whole)
    return part >= target if at_least else part > target


def residents_meeting(*, present: int, electorate: int, yes: int) -> tuple[bool, bool]:
    """城市居民委员会组织法 art. 9: (quorum met, passed). It may decide with more than half of
    the electorate present; a decision passes with more than half of those present."""
    quorum = share_reached(present, electorate, Decimal("0.5"))
    return quorum, quorum and share_reached(yes, present, Decimal("0.5"))


def double_threshold(
    *,
    yes: int,
    present: int,
    yes_area: Decimal,
    present_area: Decimal,
    share: Decimal,
    area_share: Decimal,
    at_least: bool = False,
) -> bool:
    """Both the share of voters and the share of floor area (owners' matters, 民法典 art. 278:
    more than half of both for ordinary matters, at least 3/4 of both for major ones)."""
    return share_reached(yes, present, share, at_least) and share_reached(
        yes_area, present_area, area_share, at_least
    )


def owners_quorum(*, owners: int, all_owners: int, area: Decimal, all_area: Decimal) -> bool:
    """民法典 art. 278: owners holding at least 2/3 of the area and at least 2/3 of the owners
    take part."""
    two_thirds = Decimal(2) / Decimal(3)
    return share_reached(owners, all_owners, two_thirds, True) and share_reached(
        area, all_area, two_thirds, True
    )


@dataclass
class OptionResult:
    id: int
    label: str
    code: str
    votes: int = 0
    total: int = 0
    area: Decimal = Decimal(0)
    mean: Decimal | None = None
    passes: bool = False


@dataclass
class Result:
    poll: Poll
    ballots: int
    electorate: int
    by_channel: dict[str, int]
    options: list[OptionResult]
    quorum_met: bool
    passed: bool | None
    winners: list[OptionResult] = field(default_factory=list)
    rounds: list[dict[int, int]] = field(default_factory=list)  # ranked: the counts per round

    @property
    def turnout(self) -> Decimal:
        if not self.electorate:
            return Decimal(0)
        return (Decimal(self.ballots) * 100 / self.electorate).quantize(Decimal("0.1"))

    def statement(self) -> str:
        """The outcome in words (the poll keeps it)."""
        if not self.quorum_met:
            return _("参与人数未达到法定人数，表决无效。")
        if self.poll.kind == Poll.Kind.YES_NO:
            return _("表决通过。") if self.passed else _("表决未通过。")
        if not self.winners:
            return _("没有选项达到通过比例。")
        return _("当选：%(names)s") % {"names": "、".join(w.label for w in self.winners)}


def _irv(rankings: list[list[int]], options: list[int]) -> tuple[int | None, list[dict[int, int]]]:
    """Instant run-off: drop the option with the fewest first choices until one has a majority."""
    alive, rounds = set(options), []
    while alive:
        firsts = Counter({o: 0 for o in alive})
        for ranking in rankings:
            top = next((o for o in ranking if o in alive), None)
            if top is not None:
                firsts[top] += 1
        rounds.append(dict(firsts))
        counted = sum(firsts.values())
        best, votes = max(firsts.items(), key=lambda kv: (kv[1], -kv[0]))
        if not counted:
            return None, rounds
        if votes * 2 > counted or len(alive) == 1:
            return best, rounds
        alive.discard(min(firsts.items(), key=lambda kv: (kv[1], -kv[0]))[0])
    return None, rounds


def tally(poll: Poll) -> Result:
    """The count from the ballots (one grouped query per table; a ranked poll reads its marks)."""
    options = {o.id: OptionResult(o.id, o.label, o.code) for o in poll.options.all()}
    by_channel = dict(
        Ballot.objects.filter(poll=poll).values_list("channel").annotate(n=Count("id")).order_by()
    )
    ballots = sum(by_channel.values())
    marks = (
        BallotMark.objects.filter(poll=poll)
        .values_list("option_id")
        .annotate(n=Count("id"), total=Sum("value"))
        .order_by()
    )
    for option_id, n, total in marks:
        options[option_id].votes, options[option_id].total = n, total or 0
    present_area = Decimal(0)
    if poll.area_share is not None:  # the double threshold: the floor area behind each option
        present_area = Ballot.objects.filter(poll=poll).aggregate(a=Sum("area"))["a"] or 0
        for option_id, area in (
            BallotMark.objects.filter(poll=poll)
            .values_list("option_id")
            .annotate(a=Sum("ballot__area"))
            .order_by()
        ):
            options[option_id].area = area or Decimal(0)
    rows = list(options.values())
    quorum = share_reached(ballots, poll.electorate_size, poll.quorum_share, poll.at_least)
    result = Result(poll, ballots, poll.electorate_size, by_channel, rows, quorum, None)
    if poll.kind == Poll.Kind.SCORE:
        for o in rows:
            o.mean = (Decimal(o.total) / o.votes).quantize(Decimal("0.01")) if o.votes else None
        ranked = sorted((o for o in rows if o.votes), key=lambda o: (-(o.mean or 0), o.id))
        result.winners = ranked[: poll.seats] if quorum else []
    elif poll.kind == Poll.Kind.RANKED:
        per_ballot: dict[Any, list[tuple[int, int]]] = defaultdict(list)
        for ballot_id, option_id, rank in BallotMark.objects.filter(poll=poll).values_list(
            "ballot_id", "option_id", "value"
        ):
            per_ballot[ballot_id].append((rank, option_id))
        rankings = [[o for _, o in sorted(marks)] for marks in per_ballot.values()]
        winner, result.rounds = _irv(rankings, list(options))
        result.winners = [options[winner]] if quorum and winner is not None else []
    else:
        for o in rows:
            o.passes = share_reached(o.votes, ballots, poll.pass_share, poll.at_least)
            if poll.area_share is not None:
                o.passes = o.passes and share_reached(
                    o.area, present_area, poll.area_share, poll.at_least
                )
        if poll.kind == Poll.Kind.YES_NO:
            yes = next(o for o in rows if o.code == "yes")
            result.winners = [yes] if quorum and yes.passes else []
        else:
            ranked = sorted((o for o in rows if o.passes), key=lambda o: (-o.votes, o.id))
            result.winners = ranked[: poll.seats] if quorum else []
    result.passed = bool(result.winners)
    return result


def results_visible(poll: Poll) -> bool:
    """Results are hidden until the poll closes."""
    return poll.status == Poll.Status.CLOSED


def turnout_by_grid(poll: Poll) -> list[dict[str, Any]]:
    """While the vote runs: how many of each grid's electorate have voted (two grouped queries)."""
    voted = dict(
        VoteRecord.objects.filter(poll=poll)
        .values_list("scope_code")
        .annotate(n=Count("id"))
        .order_by()
    )
    base = electorate(poll, (poll.opens_at or timezone.now()).date())
    total = dict(base.values_list("scope_code").annotate(n=Count("pk")).order_by())
    names = dict(
        Division.objects.filter(code__in=set(voted) | set(total)).values_list("code", "name")
    )
    rows = []
    for code in sorted(set(voted) | set(total)):
        v, t = voted.get(code, 0), total.get(code, 0)
        rows.append(
            {
                "code": code,
                "name": names.get(code, code),
                "voted": v,
                "electorate": t,
                "share": round(100 * v / t, 1) if t else None,
            }
        )
    return rows
