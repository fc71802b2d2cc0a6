"""Ballots: cast on the phone, or on paper and typed in by staff in signed batches, twice.

Who voted and what they chose are written in one transaction to two tables that share no key:
``VoteRecord`` (the voted register; a unique constraint per poll and household or person, so a
household votes once whatever the channel, even at the same moment) and ``Ballot`` with its
marks (a random key, no voter). A web voter gets a receipt code; only its hash is kept with the
ballot, so the voter can see their ballot counted and nobody can tie it to them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.audit import audit
from jiceng.core.errors import UserError
from jiceng.deliberation.models import (
    Ballot,
    BallotMark,
    Channel,
    PaperBatch,
    PaperEntry,
    Poll,
    PollOption,
    VoteRecord,
)
from jiceng.deliberation.polls import (
    Voter,
    household_voter,
    person_of,
    person_voter,
    require_manage,
    voter_for,
)
from jiceng.registry.models import Household, Person

Marks = list[tuple[int, int]]  # (option id, value)

# --- what a ballot says ---------------------------------------------------------------------


def marks_for(
    poll: Poll,
    *,
    options: list[int] | None = None,
    scores: dict[int, int] | None = None,
    ranking: list[int] | None = None,
) -> Marks:
    """Check a ballot against the poll's kind and options; the marks it makes."""
    known = {o.id: o for o in poll.options.all()}
    chosen = list(options or []) + list(scores or {}) + list(ranking or [])
    if any(o not in known for o in chosen):
        raise UserError(_("所选选项不存在。"), field="options")
    kind = poll.kind
    if kind in (Poll.Kind.YES_NO, Poll.Kind.SINGLE):
        if len(options or []) != 1:
            raise UserError(_("请选择一项。"), field="options")
        return [(options[0], 1)]
    if kind == Poll.Kind.APPROVAL:
        picked = list(dict.fromkeys(options or []))
        if not picked:
            raise UserError(_("请至少选择一项。"), field="options")
        if len(picked) > poll.max_choices:
            raise UserError(_("最多可选 %(n)d 项。") % {"n": poll.max_choices}, field="options")
        return [(o, 1) for o in picked]
    if kind == Poll.Kind.SCORE:
        if not scores or set(scores) != set(known):
            raise UserError(_("请为每个选项评分。"), field="scores")
        if any(not 0 <= int(s) <= poll.score_max for s in scores.values()):
            raise UserError(_("评分须在 0 到 %(n)d 之间。") % {"n": poll.score_max}, field="scores")
        return [(o, int(s)) for o, s in scores.items()]
    order = list(ranking or [])
    if not order or len(set(order)) != len(order):
        raise UserError(_("请按顺序排列选项，每项只能出现一次。"), field="ranking")
    return [(o, rank) for rank, o in enumerate(order, start=1)]


VOID = "void"
_YES_NO_WORDS = {"赞成": 1, "同意": 1, "反对": 2, "不同意": 2, "弃权": 3, "y": 1, "n": 2, "a": 3}


def marks_from_text(poll: Poll, text: str) -> Marks | str:
    """A paper ballot as typed: option numbers as printed (single ``2``, several ``1,3``, scores
    in option order ``4,5,3``, a ranking ``2,1,3``; for yes/no also 赞成/反对/弃权); ``作废``
    for a spoiled ballot (it counts as present, for no option)."""
    text = text.strip().replace("，", ",").replace("、", ",").replace(">", ",")
    if text in ("作废", "废票", "0", VOID):
        return VOID
    by_position = {o.position: o.id for o in poll.options.all()}
    if poll.kind == Poll.Kind.YES_NO and text.lower() in _YES_NO_WORDS:
        text = str(_YES_NO_WORDS[text.lower()])
    try:
        numbers = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise UserError(_("无法识别选票内容。")) from None
    if poll.kind == Poll.Kind.SCORE:
        if len(numbers) != len(by_position):
            raise UserError(_("请为每个选项评分。"))
        return marks_for(
            poll,
            scores={by_position[p]: s for p, s in zip(sorted(by_position), numbers, strict=True)},
        )
    if any(n not in by_position for n in numbers):
        raise UserError(_("所选选项不存在。"))
    ids = [by_position[n] for n in numbers]
    if poll.kind == Poll.Kind.RANKED:
        return marks_for(poll, ranking=ids)
    return marks_for(poll, options=ids)


# --- the one write of a ballot ----------------------------------------------------------------


def _lock_open(poll: Poll) -> Poll:
    """Read the poll under a shared lock, so that closing waits for the ballots being written
    and no ballot lands after the count (PostgreSQL ``FOR SHARE``; SQLite writes one at a
    time)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {Poll._meta.db_table} WHERE id = %s FOR SHARE", [poll.pk]
            )
    poll = Poll.objects.get(pk=poll.pk)
    if poll.status != Poll.Status.OPEN or poll.closes_at <= timezone.now():
        raise UserError(
            _("投票已结束。")
            if poll.status == Poll.Status.CLOSED or poll.closes_at <= timezone.now()
            else _("投票尚未开始。"),
            status=409,
        )
    return poll


def already_voted_message(poll: Poll) -> str:
    if poll.electorate == Poll.Electorate.HOUSEHOLD:
        return _("本户已投票，每户只能投一票。")
    return _("您已投票，每人只能投一票。")


def receipt_hash(poll_id: int, code: str) -> str:
    key = f"{settings.SECRET_KEY}:{poll_id}:{code.strip().upper()}"
    return hashlib.sha256(key.encode()).hexdigest()


_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _receipt_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def _write(
    poll: Poll, voter: Voter, marks: Marks | str, *, channel: str, by, batch=None, receipt=""
) -> None:
    """The voted register's row and the ballot, inside the caller's transaction. A second
    ballot of the same household or person is refused by the database's unique constraint
    (an IntegrityError the caller turns into the message: ``_refused_twice``)."""
    VoteRecord.objects.create(
        poll=poll,
        voter_key=voter.key,
        household=voter.household,
        person=voter.person if channel == Channel.WEB else None,
        channel=channel,
        batch=batch,
        by=by,
        scope_code=voter.scope_code,
    )
    ballot = Ballot.objects.create(
        poll=poll,
        channel=channel,
        receipt_hash=receipt_hash(poll.pk, receipt) if receipt else "",
    )
    if marks != VOID:
        BallotMark.objects.bulk_create(
            [BallotMark(ballot=ballot, poll=poll, option_id=o, value=v) for o, v in marks]
        )


def cast_web(
    *,
    poll: Poll,
    user,
    options: list[int] | None = None,
    scores: dict[int, int] | None = None,
    ranking: list[int] | None = None,
    request=None,
) -> str:
    """Cast the resident's ballot (their household's, in a household poll); the receipt code."""
    person = person_of(user)
    try:
        with transaction.atomic():
            poll = _lock_open(poll)
            voter = voter_for(poll, person)
            marks = marks_for(poll, options=options, scores=scores, ranking=ranking)
            code = _receipt_code()
            # The register's row first: a second ballot of the household stops here, on the
            # unique constraint, before anything else is written.
            _write(poll, voter, marks, channel=Channel.WEB, by=user, receipt=code)
            # The audit names the voter and the poll, never the choice.
            audit(actor=user, action="poll.ballot.web", obj=poll, request=request)
    except IntegrityError:
        raise UserError(already_voted_message(poll), status=409) from None
    return code


def my_vote(poll: Poll, user) -> VoteRecord | None:
    """The voted register's row of the resident's household (or of the resident)."""
    person = person_of(user)
    if person is None:
        return None
    keys = [f"p{person.pk}"] + ([f"h{person.household_id}"] if person.household_id else [])
    return VoteRecord.objects.filter(poll=poll, voter_key__in=keys).first()


def receipt_counted(poll: Poll, code: str) -> bool:
    """Is there a counted ballot with this receipt code?"""
    if not code or len(code) > 40:
        return False
    return Ballot.objects.filter(poll=poll, receipt_hash=receipt_hash(poll.pk, code)).exists()


# --- paper batches ----------------------------------------------------------------------------


@dataclass
class Line:
    line: int
    household: Household | None
    person: Person | None
    choice: Any  # marks as a list of [option id, value], or "void"


def _voter_of_line(poll: Poll, line: Line) -> Voter:
    if line.household is not None:
        return household_voter(poll, line.household)
    return person_voter(poll, line.person)


def parse_lines(poll: Poll, text: str, sheets: int) -> list[Line]:
    """The typed lines of a batch: ``<户编号 or 人员编号> <选择>``, one ballot a line. Every
    problem is reported with its line number."""
    rows = [r for r in (text or "").splitlines() if r.strip()]
    if len(rows) != sheets:
        raise UserError(
            _("录入了 %(typed)d 张，批次登记为 %(sheets)d 张。")
            % {"typed": len(rows), "sheets": sheets},
            field="lines",
        )
    ids, lines, errors = [], [], []
    for row in rows:
        parts = re.split(r"[\s:：]+", row.strip(), maxsplit=1)
        try:
            ids.append(int(parts[0]))
        except ValueError:
            ids.append(None)
    household_poll = poll.electorate == Poll.Electorate.HOUSEHOLD
    model = Household if household_poll else Person
    found = {o.pk: o for o in model.objects.filter(pk__in=[i for i in ids if i and i < 2**62])}
    seen: set[int] = set()
    for n, (row, ident) in enumerate(zip(rows, ids, strict=True), start=1):
        parts = re.split(r"[\s:：]+", row.strip(), maxsplit=1)
        try:
            if ident is None or ident not in found or len(parts) < 2:
                raise UserError(_("请写明编号和选择，如“1024 1”。"))
            if ident in seen:
                raise UserError(_("同一批次中重复录入。"))
            seen.add(ident)
            record = found[ident]
            line = Line(
                n, record if household_poll else None, None if household_poll else record, None
            )
            _voter_of_line(poll, line)
            marks = marks_from_text(poll, parts[1])
            line.choice = marks if marks == VOID else [list(m) for m in marks]
            lines.append(line)
        except UserError as exc:
            errors.append(_("第%(n)d行：%(msg)s") % {"n": n, "msg": exc.message})
    if errors:
        raise UserError("；".join(errors[:10]), field="lines")
    return lines


def _save_round(batch: PaperBatch, lines: list[Line], round_: int, by) -> None:
    PaperEntry.objects.bulk_create(
        [
            PaperEntry(
                batch=batch,
                round=round_,
                line=line.line,
                household=line.household,
                person=line.person,
                choice=line.choice,
                by=by,
            )
            for line in lines
        ]
    )


def batch_create(
    *, poll: Poll, by, sheets: int, signed_by: str, lines: str, request=None
) -> PaperBatch:
    """The first typing of a batch of paper ballots, signed by whoever counted the sheets."""
    require_manage(by, poll)
    if poll.status != Poll.Status.OPEN:
        raise UserError(_("只有投票中的票决可以录入纸质选票。"), status=409)
    if not 1 <= sheets <= 500:
        raise UserError(_("每批 1 到 500 张。"), field="sheets")
    if not signed_by.strip():
        raise UserError(_("请填写签字人。"), field="signed_by")
    parsed = parse_lines(poll, lines, sheets)
    with transaction.atomic():
        Poll.objects.select_for_update().get(pk=poll.pk)
        number = (
            poll.batches.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        batch = PaperBatch.objects.create(
            poll=poll, number=number, sheets=sheets, signed_by=signed_by.strip(), first_by=by
        )
        _save_round(batch, parsed, 1, by)
        audit(
            actor=by,
            action="poll.paper.first",
            obj=batch,
            scope_code=poll.scope_code,
            request=request,
            detail={"poll": poll.pk, "sheets": sheets, "signed_by": batch.signed_by},
        )
    return batch


def differences(batch: PaperBatch) -> list[dict[str, Any]]:
    """The lines where the two typings disagree (nothing before the second typing)."""
    entries = batch.entries.filter(superseded=False).select_related("household__dwelling", "person")
    rounds: dict[int, dict[int, PaperEntry]] = {1: {}, 2: {}}
    for e in entries:
        rounds[e.round][e.line] = e
    if not rounds[2]:
        return []
    labels = option_labels(batch.poll)
    rows = []
    for line in range(1, batch.sheets + 1):
        a, b = rounds[1].get(line), rounds[2].get(line)
        key = lambda e: (e.household_id, e.person_id, e.choice) if e else None  # noqa: E731
        if key(a) != key(b):
            rows.append(
                {
                    "line": line,
                    "first": a,
                    "second": b,
                    "first_text": entry_text(a, labels),
                    "second_text": entry_text(b, labels),
                }
            )
    return rows


def entry_text(entry: PaperEntry | None, labels: dict[int, str]) -> str:
    """A typed line in words: who, and what the ballot chose."""
    if entry is None:
        return ""
    who = entry.household_id or entry.person_id
    if entry.choice == VOID:
        return f"{who} · {_('作废')}"
    marks = "、".join(f"{labels.get(o, o)}" + (f"({v})" if v != 1 else "") for o, v in entry.choice)
    return f"{who} · {marks}"


def _recompare(batch: PaperBatch) -> None:
    batch.status = PaperBatch.Status.DIFFERS if differences(batch) else PaperBatch.Status.AGREED
    batch.save(update_fields=["status", "updated_at"])


def batch_second(*, batch: PaperBatch, by, lines: str, request=None) -> PaperBatch:
    """The second typing, by someone else; differences are shown and hold the batch back."""
    poll = batch.poll
    require_manage(by, poll)
    if batch.status != PaperBatch.Status.FIRST:
        raise UserError(_("该批次已经录入过两次。"), status=409)
    if batch.first_by_id == by.pk:
        raise UserError(_("第二次录入须由另一位工作人员完成。"), status=403)
    parsed = parse_lines(poll, lines, batch.sheets)
    with transaction.atomic():
        batch = PaperBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != PaperBatch.Status.FIRST:
            raise UserError(_("该批次已经录入过两次。"), status=409)
        _save_round(batch, parsed, 2, by)
        batch.second_by = by
        batch.save(update_fields=["second_by", "updated_at"])
        _recompare(batch)
        audit(
            actor=by,
            action="poll.paper.second",
            obj=batch,
            scope_code=poll.scope_code,
            request=request,
            detail={"poll": poll.pk, "status": batch.status},
        )
    return batch


def batch_correct(
    *, batch: PaperBatch, by, round: int, line: int, text: str, request=None
) -> PaperBatch:
    """Correct one typed line of one round after checking the paper sheet; the old entry is kept
    (superseded) and the correction audited."""
    poll = batch.poll
    require_manage(by, poll)
    if batch.status not in (PaperBatch.Status.DIFFERS, PaperBatch.Status.AGREED):
        raise UserError(_("只有两次录入后、计入前的批次可以更正。"), status=409)
    if round not in (1, 2) or not 1 <= line <= batch.sheets:
        raise UserError(_("没有这一行。"), field="line")
    parsed = _parse_one(poll, text, line)
    with transaction.atomic():
        batch = PaperBatch.objects.select_for_update().get(pk=batch.pk)
        old = batch.entries.filter(round=round, line=line, superseded=False).first()
        others = batch.entries.filter(round=round, superseded=False).exclude(line=line)
        if (
            parsed.household
            and others.filter(household=parsed.household).exists()
            or (parsed.person and others.filter(person=parsed.person).exists())
        ):
            raise UserError(_("同一批次中重复录入。"), field="text")
        if old is not None:
            old.superseded = True
            old.save(update_fields=["superseded"])
        _save_round(batch, [parsed], round, by)
        _recompare(batch)
        audit(
            actor=by,
            action="poll.paper.correct",
            obj=batch,
            scope_code=poll.scope_code,
            request=request,
            detail={
                "poll": poll.pk,
                "round": round,
                "line": line,
                "before": old.choice if old else None,
                "after": parsed.choice,
            },
        )
    return batch


def _parse_one(poll: Poll, text: str, line: int) -> Line:
    try:
        parsed = parse_lines(poll, text, 1)[0]
    except UserError as exc:
        raise UserError(
            exc.message.replace(_("第%(n)d行：") % {"n": 1}, ""), field="text"
        ) from None
    parsed.line = line
    return parsed


def _digest(lines: list[PaperEntry]) -> str:
    text = "\n".join(
        f"{e.line}:{e.household_id or ''}:{e.person_id or ''}:{e.choice}" for e in lines
    )
    return hashlib.sha256(text.encode()).hexdigest()


def batch_count(*, batch: PaperBatch, by, request=None) -> PaperBatch:
    """Count an agreed batch: each ballot into the voted register and the ballot box, all or
    none. A household that has already voted (on the phone, or in another batch) stops the
    batch with its line named; correct that line (作废) and count again."""
    poll = batch.poll
    require_manage(by, poll)
    with transaction.atomic():
        poll = _lock_open(poll)
        batch = PaperBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == PaperBatch.Status.COUNTED:
            raise UserError(_("该批次已计入。"), status=409)
        if batch.status != PaperBatch.Status.AGREED:
            raise UserError(_("两次录入一致后才能计入。"), status=409)
        entries = list(
            batch.entries.filter(round=1, superseded=False)
            .select_related("household", "person")
            .order_by("line")
        )
        errors = []
        for e in entries:
            line = Line(e.line, e.household, e.person, e.choice)
            try:
                voter = _voter_of_line(poll, line)
                marks = VOID if e.choice == VOID else [tuple(m) for m in e.choice]
                with transaction.atomic():  # a savepoint: the line's refusal is reported
                    _write(poll, voter, marks, channel=Channel.PAPER, by=by, batch=batch)
            except IntegrityError:
                errors.append(
                    _("第%(n)d行：%(msg)s") % {"n": e.line, "msg": already_voted_message(poll)}
                )
            except UserError as exc:
                errors.append(_("第%(n)d行：%(msg)s") % {"n": e.line, "msg": exc.message})
        if errors:
            transaction.set_rollback(True)
            raise UserError("；".join(errors[:10]), status=409)
        batch.status = PaperBatch.Status.COUNTED
        batch.counted_by, batch.counted_at = by, timezone.now()
        batch.digest = _digest(entries)
        batch.save(update_fields=["status", "counted_by", "counted_at", "digest", "updated_at"])
        audit(
            actor=by,
            action="poll.paper.count",
            obj=batch,
            scope_code=poll.scope_code,
            request=request,
            detail={"poll": poll.pk, "ballots": len(entries), "digest": batch.digest},
        )
    return batch


def option_labels(poll: Poll) -> dict[int, str]:
    return {o.id: o.label for o in PollOption.objects.filter(poll=poll)}
