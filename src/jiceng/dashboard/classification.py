"""The district's classification of the registered indicators: each indicator under one
category of one domain (the records the district edits), and which are public.

An indicator the district has not filed (no ``IndicatorFiling``) goes under the category its
app suggested (``Indicator.category``, a key of the starter tree) and keeps the app's ``public``
default; one whose category is missing from the tree goes under "其他"."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from jiceng.core.registry import Indicator, indicators
from jiceng.dashboard.models import Category, Domain, IndicatorFiling


@dataclass
class Filed:
    indicator: Indicator
    public: bool
    order: int


@dataclass
class CategoryGroup:
    key: str
    label: str
    items: list[Filed] = field(default_factory=list)


@dataclass
class DomainGroup:
    key: str
    label: str
    categories: list[CategoryGroup] = field(default_factory=list)

    @property
    def items(self) -> list[Filed]:
        return [f for c in self.categories for f in c.items]


def tree(keys: set[str] | None = None) -> list[DomainGroup]:
    """Domains, their categories and the indicators filed under each, in the district's order
    (two queries); empty categories and domains are left out."""
    categories = list(Category.objects.select_related("domain"))
    by_key = {c.key: c for c in categories}
    filings = {f.indicator: f for f in IndicatorFiling.objects.select_related("category")}
    domains: dict[str, DomainGroup] = {}
    groups: dict[str, CategoryGroup] = {}
    for c in sorted(categories, key=lambda c: (c.domain.order, c.domain.key, c.order, c.key)):
        domain = domains.setdefault(c.domain.key, DomainGroup(c.domain.key, c.domain.label))
        group = CategoryGroup(c.key, c.label)
        domain.categories.append(group)
        groups[c.key] = group
    other = None
    for ind in indicators():
        if keys is not None and ind.key not in keys:
            continue
        filing = filings.get(ind.key)
        category = filing.category if filing else by_key.get(ind.category)
        public = filing.public if filing else ind.public
        order = filing.order if filing else ind.order
        if category is None:
            if other is None:
                other = CategoryGroup("other", str(_("其他")))
                domains["other"] = DomainGroup("other", str(_("其他")), [other])
            group = other
        else:
            group = groups[category.key]
        group.items.append(Filed(ind, public, order))
    out = []
    for domain in domains.values():
        for group in domain.categories:
            group.items.sort(key=lambda f: (f.order, f.indicator.key))
        domain.categories = [g for g in domain.categories if g.items]
        if domain.categories:
            out.append(domain)
    return out


def public_indicators() -> list[Indicator]:
    """The indicators shown on the communities' public pages, in the classification's order."""
    return [f.indicator for d in tree() for f in d.items if f.public]


def domains() -> list[Domain]:
    return list(Domain.objects.all())
