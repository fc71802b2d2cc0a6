"""Schemes: the starter schemes, their validation, publishing and next year's copy.

A scheme's domains' weights add up to 100 (its total); each category's children add up to the
category's weight, each domain's children to the domain's; an item has a source (and, for an
indicator, an indicator key and a conversion). Adjustment items (加减分) sit outside the 100:
their weight caps the bonus or deduction. A published scheme is never changed: next year's is a
copy (``scheme_copy``), so last year's results keep last year's tree.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.assessment.models import Conversion, Node, Scheme, Source, SubjectKind
from jiceng.assessment.permissions import can_configure
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.registry import indicator as find_indicator
from jiceng.dashboard.models import Category, Domain

TOTAL = Decimal(100)


def _weights(nodes: list[Node]) -> Decimal:
    return sum((n.weight for n in nodes if not n.is_bonus), Decimal(0))


def problems(scheme: Scheme) -> list[str]:
    """Every reason the scheme cannot be used, in the reader's language (empty: it can)."""
    nodes = list(scheme.nodes.all())
    children: dict[int | None, list[Node]] = {}
    for n in nodes:
        children.setdefault(n.parent_id, []).append(n)
    out: list[str] = []
    top = children.get(None, [])
    if not top:
        return [_("方案还没有任何考核项。")]
    if _weights(top) != TOTAL:
        out.append(
            _("各领域分值合计为 %(sum)s，应为 %(total)s。") % {"sum": _weights(top), "total": TOTAL}
        )
    for n in nodes:
        kids = children.get(n.pk, [])
        if n.level == Node.Level.ITEM:
            if kids:
                out.append(_("考核项“%(name)s”下不能再有子项。") % {"name": n.name})
            if not n.source:
                out.append(_("考核项“%(name)s”没有得分来源。") % {"name": n.name})
            elif n.source == Source.INDICATOR:
                ind = find_indicator(n.indicator) if n.indicator else None
                if ind is None:
                    out.append(_("考核项“%(name)s”没有选择有效的指标。") % {"name": n.name})
                elif scheme.subject_kind == SubjectKind.HANDLER and ind.by_unit is None:
                    out.append(
                        _("考核项“%(name)s”的指标不能按处置单位统计，请选择案件办理的指标。")
                        % {"name": n.name}
                    )
                elif not n.conversion:
                    out.append(_("考核项“%(name)s”没有换算方法。") % {"name": n.name})
                elif n.conversion == "linear" and (
                    n.low is None or n.high is None or n.low == n.high
                ):
                    out.append(
                        _("考核项“%(name)s”的线性换算需要两个不同的上下限。") % {"name": n.name}
                    )
                elif n.conversion == "bands" and not n.bands:
                    out.append(_("考核项“%(name)s”的分档换算没有分档。") % {"name": n.name})
            elif n.source == Source.SURVEY and n.survey_id is None:
                out.append(_("考核项“%(name)s”没有选择问卷。") % {"name": n.name})
            elif n.source == Source.POLL and n.poll_id is None:
                out.append(_("考核项“%(name)s”没有选择投票。") % {"name": n.name})
            elif n.source == Source.EVALUATION and scheme.subject_kind not in (
                SubjectKind.SECRETARY,
                SubjectKind.MEMBER,
            ):
                out.append(
                    _("考核项“%(name)s”的年终考评只能用于书记或党员的考核。") % {"name": n.name}
                )
            if n.weight <= 0:
                out.append(_("考核项“%(name)s”的分值应大于 0。") % {"name": n.name})
        else:
            if not kids:
                out.append(_("“%(name)s”下没有考核项。") % {"name": n.name})
            elif _weights(kids) != n.weight:
                out.append(
                    _("“%(name)s”下各项分值合计为 %(sum)s，应为 %(weight)s。")
                    % {"name": n.name, "sum": _weights(kids), "weight": n.weight}
                )
    return out


def check(scheme: Scheme) -> None:
    found = problems(scheme)
    if found:
        raise UserError(" ".join(found))


@transaction.atomic
def scheme_publish(*, scheme: Scheme, by, request=None) -> Scheme:
    """Freeze a valid draft: from now on it is only read (and copied for next year)."""
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    require_district(by, scheme)
    if not scheme.editable:
        raise UserError(_("方案已发布，不能再修改。"))
    check(scheme)
    scheme.status = Scheme.Status.PUBLISHED
    scheme.save(update_fields=["status", "updated_at"])
    audit(actor=by, action="assessment.scheme.publish", obj=scheme, request=request)
    return scheme


def require_district(by, scheme: Scheme) -> None:
    """The district's staff (``by`` None: the platform itself, the demo and the commands)."""
    if by is not None and not can_configure(by, scheme):
        raise Forbidden(_("只有区委组织部可以进行此操作。"))


def require_editable(scheme: Scheme, by=None) -> None:
    require_district(by, scheme)
    if not scheme.editable:
        raise UserError(_("方案已发布，不能再修改；请先复制为新年度的方案。"))


@transaction.atomic
def scheme_copy(*, scheme: Scheme, year: int, by, request=None) -> Scheme:
    """Next year's draft: the same tree, copied node by node (last year's stays as it was)."""
    require_district(by, scheme)
    if Scheme.objects.filter(scope_code=scheme.scope_code, key=scheme.key, year=year).exists():
        raise UserError(_("%(year)s 年度的该方案已存在。") % {"year": year})
    new = Scheme.objects.create(
        key=scheme.key,
        name=scheme.name,
        subject_kind=scheme.subject_kind,
        year=year,
        period_kind=scheme.period_kind,
        description=scheme.description,
        copied_from=scheme,
        division=scheme.division,
    )
    mapping: dict[int, Node] = {}
    for node in scheme.nodes.order_by("parent_id", "id"):
        old_pk = node.pk
        node.pk = None
        node.scheme = new
        node.parent = mapping.get(node.parent_id) if node.parent_id else None
        node.save()
        mapping[old_pk] = node
    audit(actor=by, action="assessment.scheme.copy", obj=new, request=request)
    return new


CHILD_LEVEL = {
    None: Node.Level.DOMAIN,
    Node.Level.DOMAIN: Node.Level.CATEGORY,
    Node.Level.CATEGORY: Node.Level.ITEM,
}


def _edited(scheme: Scheme, by, request, **detail) -> None:
    scheme.save(update_fields=["updated_at"])
    audit(actor=by, action="assessment.scheme.edit", obj=scheme, request=request, detail=detail)


def _item_fields(node: Node, values: dict) -> None:
    """An item's source and what the source needs; the other fields emptied, so that an item
    never keeps an indicator it no longer reads."""
    node.source = values.get("source") or ""
    if node.source and node.source not in Source.values:
        raise UserError(_("请选择得分来源。"), field="source")
    reads_indicator = node.source == Source.INDICATOR
    node.indicator = (values.get("indicator") or "") if reads_indicator else ""
    node.conversion = (values.get("conversion") or "") if reads_indicator else ""
    if node.conversion and node.conversion not in Conversion.values:
        raise UserError(_("请选择换算方法。"), field="conversion")
    node.low = values.get("low") if node.conversion == "linear" else None
    node.high = values.get("high") if node.conversion == "linear" else None
    node.bands = (values.get("bands") or []) if node.conversion == "bands" else []
    node.survey = values.get("survey") if node.source == Source.SURVEY else None
    node.poll = values.get("poll") if node.source == Source.POLL else None
    if node.indicator and find_indicator(node.indicator) is None:
        raise UserError(_("请选择有效的指标。"), field="indicator")


def _check_weight(weight) -> None:
    if weight is None or weight <= 0 or weight > TOTAL:
        raise UserError(_("分值应大于 0、不超过 100。"), field="weight")


@transaction.atomic
def node_add(
    *, scheme: Scheme, parent: Node | None, name: str, weight: Decimal, by, request=None, **item
) -> Node:
    """A domain (no parent), a category (under a domain) or an item (under a category) of a
    draft scheme. Whether the weights add up is checked when it is published (``problems``)."""
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    require_editable(scheme, by)
    if parent is not None and parent.scheme_id != scheme.pk:
        raise UserError(_("上级不属于此方案。"), field="parent")
    level = CHILD_LEVEL.get(parent.level if parent else None)
    if level is None:
        raise UserError(_("考核项下不能再有子项。"), field="parent")
    name = (name or "").strip()
    if not name:
        raise UserError(_("请填写名称。"), field="name")
    _check_weight(weight)
    last = scheme.nodes.filter(parent=parent).order_by("-order").first()
    node = Node(
        scheme=scheme,
        parent=parent,
        level=level,
        name=name[:100],
        weight=weight,
        order=(last.order + 10) if last else 10,
    )
    if level == Node.Level.ITEM:
        _item_fields(node, item)
    node.save()
    _edited(scheme, by, request, add=node.pk)
    return node


@transaction.atomic
def node_edit(*, node: Node, name: str, weight: Decimal, by, request=None, **item) -> Node:
    """Rename, reweigh and, for an item, change its source and conversion (a draft only)."""
    scheme = Scheme.objects.select_for_update().get(pk=node.scheme_id)
    require_editable(scheme, by)
    node = Node.objects.get(pk=node.pk)
    name = (name or "").strip()
    if not name:
        raise UserError(_("请填写名称。"), field="name")
    _check_weight(weight)
    node.name, node.weight = name[:100], weight
    if node.level == Node.Level.ITEM:
        _item_fields(node, item)
    node.save()
    _edited(scheme, by, request, edit=node.pk, weight=str(weight), source=node.source)
    return node


@transaction.atomic
def node_remove(*, node: Node, by, request=None) -> None:
    """A node of a draft and everything under it."""
    scheme = Scheme.objects.select_for_update().get(pk=node.scheme_id)
    require_editable(scheme, by)
    pk = node.pk
    node.delete()
    _edited(scheme, by, request, remove=pk)


def node_set_weight(*, node: Node, weight: Decimal, by, request=None) -> Node:
    return node_edit(
        node=node,
        name=node.name,
        weight=weight,
        by=by,
        request=request,
        source=node.source,
        indicator=node.indicator,
        conversion=node.conversion,
        low=node.low,
        high=node.high,
        bands=node.bands,
        survey=node.survey,
        poll=node.poll,
    )


# --- starter schemes -------------------------------------------------------------------------

# (indicator key, weight, conversion, low, high / bands) under the dashboard's categories;
# weights per domain add up to the domain's weight.
COMMUNITY_ITEMS: dict[str, list[tuple]] = {
    "organization": [
        ("party.grid_coverage", 8, "linear", 0.5, 1.0),
        ("party.registered_members", 6, "rank", None, None),
        ("party.registered_orgs", 6, "rank", None, None),
    ],
    "branch_life": [
        ("party.meetings_held", 6, "rank", None, None),
        ("party.attendance_rate", 6, "linear", 0.6, 0.95),
        ("party.theme_day_rate", 5, "linear", 0.5, 1.0),
        ("party.dues_on_time", 5, "bands", [[0.95, 1], [0.85, 0.8], [0.7, 0.5]], None),
        ("points.earned", 3, "rank", None, None),
    ],
    "services": [
        ("community.needs_solved_rate", 7, "linear", 0.5, 1.0),
        ("community.wish_fulfilment_rate", 5, "linear", 0.5, 1.0),
        ("community.activities", 4, "rank", None, None),
        ("community.volunteer_hours", 4, "rank", None, None),
    ],
    "governance": [
        ("cases.response_rate", 6, "linear", 0.6, 1.0),
        ("assessment.cases_solved_rate", 6, "linear", 0.5, 1.0),
        ("cases.satisfaction_rate", 6, "linear", 0.6, 1.0),
        ("cases.rework_rate", 2, "linear", 0.3, 0.0),
    ],
    "venues": [
        ("venues.opening_hours", 5, "bands", [[56, 1], [40, 0.8], [20, 0.5]], None),
    ],
}
DOMAIN_WEIGHTS = {
    "organization": 20,
    "branch_life": 25,
    "services": 20,
    "governance": 20,
    "venues": 5,
}
# the rest of the 100: the district's own review with evidence (manual, approved by another)
MANUAL_ITEM = ("实地检查与台账核查", "On-site check and record review", 10)
ADJUSTMENT_ITEM = ("突出贡献与应急服务加减分", "Bonus and deductions", 5)

# The 12345 hotline's three rates (Beijing's 接诉即办 regulations, 2021; RULES.md), the same items
# for a street's cases and for the cases a department or unit handled: "solved" (not merely
# closed) is the resolution rate.
HOTLINE_ITEMS = [
    ("cases.response_rate", "响应率", "Response rate", 30, 0.6, 1.0),
    (
        "assessment.cases_solved_rate",
        "解决率（已解决，不含仅结案）",
        "Resolution rate",
        40,
        0.4,
        1.0,
    ),
    ("cases.satisfaction_rate", "满意率", "Satisfaction rate", 30, 0.6, 1.0),
]


def _item(scheme, parent, name, name_en, weight, order, **kw) -> Node:
    return Node.objects.create(
        scheme=scheme,
        parent=parent,
        level=Node.Level.ITEM,
        name=name,
        name_en=name_en,
        weight=Decimal(weight),
        order=order,
        **kw,
    )


def _indicator_item(scheme, parent, key, weight, conversion, a, b, order) -> Node:
    ind = find_indicator(key)
    name = str(ind.name) if ind else key
    kw = {"source": Source.INDICATOR, "indicator": key, "conversion": conversion}
    if conversion == "linear":
        kw.update(low=a, high=b)
    elif conversion == "bands":
        kw["bands"] = a
    return Node.objects.create(
        scheme=scheme,
        parent=parent,
        level=Node.Level.ITEM,
        name=name[:100],
        weight=Decimal(weight),
        order=order,
        **kw,
    )


def _community(scheme: Scheme) -> None:
    domains = {d.key: d for d in Domain.objects.all()}
    categories = {c.key: c for c in Category.objects.select_related("domain")}
    for d_order, (d_key, items) in enumerate(COMMUNITY_ITEMS.items(), start=1):
        d = domains.get(d_key)
        domain = Node.objects.create(
            scheme=scheme,
            level=Node.Level.DOMAIN,
            name=d.name if d else d_key,
            name_en=d.name_en if d else "",
            weight=Decimal(DOMAIN_WEIGHTS[d_key]),
            order=d_order * 10,
        )
        # one category node per dashboard category the items are filed under
        by_cat: dict[str, list[tuple]] = {}
        for row in items:
            ind = find_indicator(row[0])
            by_cat.setdefault(ind.category if ind else "other", []).append(row)
        for c_order, (c_key, rows) in enumerate(by_cat.items(), start=1):
            c = categories.get(c_key)
            cat = Node.objects.create(
                scheme=scheme,
                parent=domain,
                level=Node.Level.CATEGORY,
                name=c.name if c else _("其他"),
                name_en=c.name_en if c else "",
                weight=sum((Decimal(r[1]) for r in rows), Decimal(0)),
                order=c_order * 10,
            )
            for i, (key, weight, conv, a, b) in enumerate(rows, start=1):
                _indicator_item(scheme, cat, key, weight, conv, a, b, i * 10)
    review = Node.objects.create(
        scheme=scheme,
        level=Node.Level.DOMAIN,
        name="日常考核",
        name_en="District review",
        weight=Decimal(MANUAL_ITEM[2]),
        order=90,
    )
    cat = Node.objects.create(
        scheme=scheme,
        parent=review,
        level=Node.Level.CATEGORY,
        name="检查核查",
        name_en="Checks",
        weight=Decimal(MANUAL_ITEM[2]),
        order=10,
    )
    _item(scheme, cat, MANUAL_ITEM[0], MANUAL_ITEM[1], MANUAL_ITEM[2], 10, source=Source.MANUAL)
    _item(
        scheme,
        cat,
        ADJUSTMENT_ITEM[0],
        ADJUSTMENT_ITEM[1],
        ADJUSTMENT_ITEM[2],
        20,
        source=Source.ADJUSTMENT,
    )


def _single_domain(scheme: Scheme, name: str, name_en: str, items) -> None:
    domain = Node.objects.create(
        scheme=scheme,
        level=Node.Level.DOMAIN,
        name=name,
        name_en=name_en,
        weight=TOTAL,
        order=10,
    )
    cat = Node.objects.create(
        scheme=scheme,
        parent=domain,
        level=Node.Level.CATEGORY,
        name=name,
        name_en=name_en,
        weight=TOTAL,
        order=10,
    )
    for i, (name_i, name_en_i, weight, kw) in enumerate(items, start=1):
        _item(scheme, cat, name_i, name_en_i, weight, i * 10, **kw)


def _hotline(scheme: Scheme) -> None:
    _single_domain(
        scheme,
        "12345 热线三率",
        "Hotline's three rates",
        [
            (
                n,
                ne,
                w,
                {
                    "source": Source.INDICATOR,
                    "indicator": k,
                    "conversion": "linear",
                    "low": lo,
                    "high": hi,
                },
            )
            for k, n, ne, w, lo, hi in HOTLINE_ITEMS
        ],
    )


def _property(scheme: Scheme) -> None:
    _single_domain(
        scheme,
        "红星物业星级评定",
        "Property company star rating",
        [
            ("党建引领与红色物业", "Party-building", 30, {"source": Source.MANUAL}),
            ("服务质量（检查评分）", "Service quality", 40, {"source": Source.MANUAL}),
            ("社区评价（双考双评）", "Communities' rating", 30, {"source": Source.RATING}),
            ("加减分", "Bonus and deductions", 10, {"source": Source.ADJUSTMENT}),
        ],
    )


def _unit(scheme: Scheme) -> None:
    _single_domain(
        scheme,
        "共建单位双向评价",
        "Partner unit two-way evaluation",
        [
            ("社区对单位的评价", "Communities' rating", 60, {"source": Source.RATING}),
            ("履约与报到服务（核查）", "Commitments kept", 40, {"source": Source.MANUAL}),
            ("加减分", "Bonus and deductions", 10, {"source": Source.ADJUSTMENT}),
        ],
    )


STARTERS = {
    "community_party": ("社区党建年度考核", SubjectKind.COMMUNITY, _community),
    "hotline_rates": ("12345 热线三率考核（街道）", SubjectKind.STREET, _hotline),
    "hotline_handlers": ("12345 热线三率考核（处置单位）", SubjectKind.HANDLER, _hotline),
    "property_stars": ("红星物业星级评定", SubjectKind.PROPERTY, _property),
    "unit_two_way": ("共建单位双向评价", SubjectKind.UNIT, _unit),
}


@transaction.atomic
def load_starters(*, district, year: int, publish: bool = True) -> list[Scheme]:
    """The five starter schemes for ``district`` and ``year`` (those already there are kept)."""
    out = []
    for key, (name, kind, build) in STARTERS.items():
        scheme, created = Scheme.objects.get_or_create(
            scope_code=district.code,
            key=key,
            year=year,
            defaults={"name": name, "subject_kind": kind, "division": district},
        )
        if created:
            build(scheme)
            check(scheme)
            if publish:
                scheme.status = Scheme.Status.PUBLISHED
                scheme.save(update_fields=["status"])
        out.append(scheme)
    return out
