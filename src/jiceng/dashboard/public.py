"""The public figures: the indicators the district marks public, on each community's public
page (a card the cases app's public page shows through the registrations), with their
definitions; read from the snapshots like every other surface."""

from __future__ import annotations

from typing import Any

from jiceng.dashboard import classification, selectors, snapshots


def public_card(user: Any, place: dict[str, Any]) -> dict[str, Any] | None:
    """The community's public indicators for the newest month stored; None: nothing to show."""
    division = place.get("division")
    if division is None:
        return None
    shown = classification.public_indicators()
    start = snapshots.latest_start(snapshots.MONTH, division.code)
    if not shown or start is None:
        return None
    stored = snapshots.place_values(
        division.code, snapshots.MONTH, start, keys=[i.key for i in shown]
    )
    return {
        "period": selectors.period_label(snapshots.MONTH, start),
        "figures": [
            {
                "key": i.key,
                "name": i.name,
                "shown": selectors.display(i, stored.get(i.key)),
                "unit": "" if i.kind == snapshots.RATE else i.unit,
                "definition": i.definition,
            }
            for i in shown
            if i.key in stored
        ],
    }
