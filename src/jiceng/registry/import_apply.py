"""The register import, step three: writing a chunk of checked rows through the register's
services, in bulk, with the rules, events and audit entries of the pages.

A new ID number registers a person (``services.people_create``); a known one whose details
differ is edited (``services.people_edited``); one living elsewhere is moved
(``services.check_moves`` and ``services.people_move``: a move the page would refuse is refused
here in the page's words, and the row changes nothing). Known people are compared by plain
columns and the phone's hash, without decrypting or loading them, so that a file imported again
costs little and changes nothing.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from jiceng.core.bulk import LineError, Tally, rows_in
from jiceng.core.fields import lookup_hash
from jiceng.registry import services
from jiceng.registry.import_rows import HEADER_OF, GoodRow
from jiceng.registry.models import Person

COMPARED = ("name", "phone", "ethnicity", "residence_type", "relation", "note")
KNOWN_FIELDS = (
    "id", "id_number_hash", "name", "phone_hash", "ethnicity", "residence_type", "relation",
    "note", "dwelling_id",
)  # fmt: skip


def _differences(known: dict, values: dict) -> list[str]:
    return [
        k
        for k in COMPARED
        if (
            (known["phone_hash"] or "") != lookup_hash("phone", values["phone"] or "")
            if k == "phone"
            else known[k] != values[k]
        )
    ]


def apply_rows(rows: list[GoodRow], *, by, today: date, note: str) -> Tally:
    """Write one chunk of good rows (the caller holds the transaction)."""
    tally = Tally()
    hashes = [r.id_hash for r in rows]
    known = {
        r["id_number_hash"]: r
        for r in (
            dict(zip(KNOWN_FIELDS, values, strict=True))
            for values in rows_in(Person, "id_number_hash", hashes, *KNOWN_FIELDS)
        )
    }
    new_people: list[tuple[dict, str]] = []
    pending: list[tuple[int, GoodRow, list[str], bool]] = []
    for row in rows:
        person = known.get(row.id_hash)
        if person is None:
            # The ID number's hash as the row was found by (the field's own hash_of).
            new = {**row.values, "dwelling_id": row.dwelling_id, "id_number_hash": row.id_hash}
            new_people.append((new, row.place))
            continue
        diff = _differences(person, row.values)
        moved = person["dwelling_id"] != row.dwelling_id
        if not diff and not moved:
            tally.unchanged += 1
            continue
        pending.append((person["id"], row, diff, moved))
    if pending:
        locked = {
            p.pk: p
            for p in Person.objects.select_for_update()
            .filter(pk__in=[item[0] for item in pending])
            .defer("id_number")
        }
        moves = [
            services.Move(
                person=locked[pk],
                dwelling_id=row.dwelling_id,
                scope_code=row.values["scope_code"],
                place=row.place,
            )
            for pk, row, _diff, moved in pending
            if moved
        ]
        # The move's rules first: a refused move refuses the whole row.
        _allowed, refused = services.check_moves(moves=moves, by=by, on=today)
        refused_ids = {move.person.pk for move, _reason in refused}
        rows_by_person = {pk: row for pk, row, _diff, _moved in pending}
        for move, reason in refused:
            row = rows_by_person[move.person.pk]
            tally.errors.append(
                LineError(row.row, HEADER_OF["id_number"], reason.message, row.values["name"])
            )
        edits: list[tuple[Person, list[str]]] = []
        for pk, row, diff, _moved in pending:
            if pk in refused_ids:
                continue
            person = locked[pk]
            for key in diff:
                setattr(person, key, row.values[key])
            if diff:
                edits.append((person, diff))
            tally.updated += 1
        services.people_edited(changes=edits, by=by, note=_("Excel 导入"))
        services.people_move(
            moves=[m for m in moves if m.person.pk not in refused_ids], by=by, on=today, note=note
        )
    services.people_create(people=new_people, by=by, on=today, note=note)
    tally.created += len(new_people)
    return tally
