"""Chinese personal names, fast, from Faker's zh_CN data (weighted surnames)."""

from __future__ import annotations

import random

from faker.providers.person.zh_CN import Provider

_SURNAMES = list(Provider.last_names)
_WEIGHTS = list(Provider.last_names.values())
_GIVEN = list(Provider.first_names)


def names(count: int, rng: random.Random) -> list[str]:
    surnames = rng.choices(_SURNAMES, weights=_WEIGHTS, k=count)
    out = []
    for surname in surnames:
        given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.7 else "")
        out.append(surname + given)
    return out
