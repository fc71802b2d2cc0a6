"""Every write of the party app but the meetings' (party/meetings.py): keyword-only functions,
one transaction each, audited."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.audit import audit, entry_values
from jiceng.core.bulk import audit_many, bulk_insert
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.fields import lookup_hashes
from jiceng.core.scope import at_most, covers
from jiceng.geo.models import Division
from jiceng.party import scoring
from jiceng.party.dues import add_months, first_of_month, member_dues, month_label
from jiceng.party.models import (
    CommitteeSeat,
    DuesPayment,
    LeadHousehold,
    LeadHouseholdLink,
    LearningRecord,
    LinkedHousehold,
    Member,
    MemberTransfer,
    PartyOrg,
    Registration,
)
from jiceng.party.permissions import can_manage

# A single voluntary payment of this much or more goes wholly to the Central Committee.
LARGE_VOLUNTARY = Decimal("1000")


def _require_manager(by, obj, message: str | None = None) -> None:
    if not can_manage(by, obj):
        raise Forbidden(message or _("您无权管理该党组织的事务。"))


# --- organizations ----------------------------------------------------------------------------


@transaction.atomic
def org_create(
    *,
    by,
    name: str,
    kind: str,
    division,
    parent: PartyOrg | None = None,
    partner=None,
    theme_day: int | None = None,
) -> PartyOrg:
    """Add a party organization under ``parent``, tied to a division (and a partner unit)."""
    org_rules(
        name=name,
        kind=kind,
        theme_day=theme_day,
        scope_code=division.code,
        parent_scope=None,  # checked below, once the manager is known
    )
    org = PartyOrg(
        name=name.strip(),
        kind=kind,
        division=division,
        parent=parent,
        partner=partner,
        theme_day=theme_day,
    )
    org.scope_code = division.code
    _require_manager(by, org)
    if parent is not None and not covers([at_most(parent.scope_code, "street")], division.code):
        # A branch sits in its committee's street; a partner's org may sit anywhere in it.
        raise UserError(_("党组织应与上级党组织在同一街道。"), field="parent")
    org.save()
    audit(actor=by, action="party.org_create", obj=org)
    return org


def org_rules(
    *, name: str, kind: str, theme_day: int | None, scope_code: str, parent_scope: str | None
) -> None:
    """What an organization must satisfy, added on the page or imported (a UserError)."""
    if kind not in PartyOrg.Kind.values:
        raise UserError(_("未知的党组织类型。"), field="kind")
    if not name.strip():
        raise UserError(_("请填写党组织名称。"), field="name")
    if theme_day is not None and not 1 <= theme_day <= 28:
        raise UserError(_("主题党日应为每月 1 至 28 日中的一天。"), field="theme_day")
    if parent_scope is not None and not covers([at_most(parent_scope, "street")], scope_code):
        # A branch sits in its committee's street; a partner's org may sit anywhere in it.
        raise UserError(_("党组织应与上级党组织在同一街道。"), field="parent")


ORG_IMPORT_FIELDS = ("kind", "parent_id", "division_id", "partner_id", "theme_day", "scope_code")


@transaction.atomic
def orgs_import(*, by, rows: list[dict], note: str = "") -> tuple[int, int, int, dict]:
    """Party organizations at once, as a district's going-live workbook brings them, in the
    rows' order (a parent before its children); returns (created, updated, unchanged, {name:
    id}). Each row: ``name``, ``parent_name`` ("" for a top one), ``division_id``,
    ``scope_code``, ``kind``, ``partner_id``, ``theme_day``. An organization is found again by
    its name. The rules are ``org_create``'s (``org_rules``); each one created or changed gets
    the page's audit entry (``party.org_create``, ``party.org_update``), in bulk. The caller has
    checked that ``by`` imports for the district."""
    names = {r["name"] for r in rows} | {r["parent_name"] for r in rows if r["parent_name"]}
    known = {
        o["name"]: o
        for o in PartyOrg.objects.filter(name__in=names).values("pk", "name", *ORG_IMPORT_FIELDS)
    }
    # the places, read once: saving an organization copies its place's code (a query each)
    places = Division.objects.in_bulk({r["division_id"] for r in rows})
    created = updated = unchanged = 0
    entries, ids = [], {}
    for row in rows:
        parent = known.get(row["parent_name"]) if row["parent_name"] else None
        if row["parent_name"] and parent is None:
            raise UserError(_("没有名为“%(n)s”的党组织。") % {"n": row["parent_name"]})
        org_rules(name=row["name"], kind=row["kind"], theme_day=row["theme_day"],
                  scope_code=row["scope_code"],
                  parent_scope=parent["scope_code"] if parent else None)  # fmt: skip
        values = {**{f: row[f] for f in ORG_IMPORT_FIELDS if f != "parent_id"},
                  "parent_id": parent["pk"] if parent else None}  # fmt: skip
        old = known.get(row["name"])
        if old is None:
            org = PartyOrg(name=row["name"], **values)
            org.division = places[values["division_id"]]
            org.save(force_insert=True)
            entries.append(
                entry_values(actor=by, action="party.org_create", obj=org, detail={"via": note})
            )
            known[org.name] = {"pk": org.pk, "name": org.name, **values}
            created += 1
        elif any(old[f] != values[f] for f in ORG_IMPORT_FIELDS):
            PartyOrg.objects.filter(pk=old["pk"]).update(updated_at=timezone.now(), **values)
            org = PartyOrg(pk=old["pk"], name=row["name"], scope_code=row["scope_code"])
            changed = [f for f in ORG_IMPORT_FIELDS if old[f] != values[f]]
            entries.append(
                entry_values(actor=by, action="party.org_update", obj=org,
                      detail={"fields": changed, "via": note})
            )  # fmt: skip
            known[row["name"]] = {**old, **values}
            updated += 1
        else:
            unchanged += 1
        ids[row["name"]] = known[row["name"]]["pk"]
    audit_many(entries)
    return created, updated, unchanged, ids


@transaction.atomic
def seat_add(
    *,
    by,
    org: PartyOrg,
    name: str,
    title: str,
    partner=None,
    member: Member | None = None,
    is_part_time: bool = False,
) -> CommitteeSeat:
    """Add a committee member; partner members hold part-time seats (大党委兼职委员)."""
    _require_manager(by, org)
    if org.kind not in (PartyOrg.Kind.COMMITTEE, PartyOrg.Kind.WORKING_COMMITTEE):
        raise UserError(_("只有党委和党工委设兼职委员。"), field="org")
    if is_part_time and partner is None:
        raise UserError(_("兼职委员须注明来自哪个共建单位。"), field="partner")
    seat = CommitteeSeat.objects.create(
        org=org,
        name=name,
        title=title,
        partner=partner,
        member=member,
        is_part_time=is_part_time,
        scope_code=org.scope_code,
    )
    audit(actor=by, action="party.seat_add", obj=seat)
    return seat


# --- members ----------------------------------------------------------------------------------


MEMBER_ORG_KINDS = (PartyOrg.Kind.BRANCH, PartyOrg.Kind.GROUP, PartyOrg.Kind.GENERAL_BRANCH)


def member_rules(
    *, org_kind: str, management_type: str, standing: str, income_kind: str, dues_base: Decimal
) -> None:
    """What a member's record must satisfy, entered on the page or imported (a UserError)."""
    if org_kind not in MEMBER_ORG_KINDS:
        raise UserError(_("党员应编入党支部、党小组或党总支。"), field="org")
    if management_type not in Member.ManagementType.values:
        raise UserError(_("未知的管理类型。"), field="management_type")
    if standing not in Member.Standing.values:
        raise UserError(_("未知的党员类别。"), field="standing")
    if income_kind not in Member.IncomeKind.values:
        raise UserError(_("未知的收入类别。"), field="income_kind")
    if dues_base < 0:
        raise UserError(_("党费计算基数不能为负数。"), field="dues_base")


# What an imported row may set on a member (besides its name, organization and ID number).
MEMBER_IMPORT_FIELDS = (
    "management_type",
    "standing",
    "joined_at",
    "dues_from",
    "income_kind",
    "dues_base",
    "work_unit",
    "user_id",
)


@transaction.atomic
def members_import(*, by, rows: list[dict], note: str = "") -> tuple[int, int, int]:
    """Many members at once, as a district's going-live workbook brings them; returns (created,
    updated, unchanged).

    Each row is ``{"name", "org_id", "id_number" (normalised, or ""), *MEMBER_IMPORT_FIELDS}``.
    A row is matched to a member by its ID number (the lookup hash) when it has one, else by
    organization and name; a new member is created, a changed one updated (a move to another
    organization recorded as a transfer), the same one left alone. The rules are
    ``member_create``'s (``member_rules``, one account per member) and every member created,
    changed or moved gets the audit entry the page writes, in bulk (``audit_many``). The caller
    has checked that ``by`` imports for the district the organizations are in."""
    orgs = {
        o.pk: o for o in PartyOrg.objects.filter(pk__in={r["org_id"] for r in rows}).only(
            "pk", "kind", "scope_code", "name"
        )
    }  # fmt: skip
    for row in rows:
        member_rules(
            org_kind=orgs[row["org_id"]].kind,
            management_type=row["management_type"],
            standing=row["standing"],
            income_kind=row["income_kind"],
            dues_base=row["dues_base"],
        )
    hashes: dict[str, int] = {}
    for i, row in enumerate(rows):
        for h in lookup_hashes("id", row["id_number"]) if row["id_number"] else ():
            hashes[h] = i
    compared = ("pk", "name", "org_id", "id_number_hash", "scope_code", *MEMBER_IMPORT_FIELDS)
    matched: dict[int, dict] = {}
    if hashes:
        for old in Member.objects.filter(id_number_hash__in=list(hashes)).values(*compared):
            matched[hashes[old["id_number_hash"]]] = old
    unmatched = [i for i in range(len(rows)) if i not in matched]
    if unmatched:
        wanted = {(rows[i]["org_id"], rows[i]["name"]): i for i in unmatched}
        for old in Member.objects.filter(
            org_id__in={k[0] for k in wanted}, name__in={k[1] for k in wanted}
        ).values(*compared):
            i = wanted.get((old["org_id"], old["name"]))
            # a namesake with another ID number is another person
            other = i is not None and rows[i]["id_number"] and old["id_number_hash"]
            if i is not None and i not in matched and not other:
                matched[i] = old
    users = {r["user_id"] for r in rows if r["user_id"]}
    if users:
        taken = dict(Member.objects.filter(user_id__in=users).values_list("user_id", "pk"))
        for i, row in enumerate(rows):
            owner = taken.get(row["user_id"])
            if owner is not None and owner != (matched.get(i) or {}).get("pk"):
                raise UserError(_("该账号已关联其他党员。"), field="user")
    new, entries, transfers = [], [], []
    updated = unchanged = 0
    for i, row in enumerate(rows):
        org = orgs[row["org_id"]]
        values = {f: row[f] for f in MEMBER_IMPORT_FIELDS}
        old = matched.get(i)
        if old is None:
            new.append(
                Member(name=row["name"], org=org, scope_code=org.scope_code,
                       id_number=row["id_number"] or None, **values)
            )  # fmt: skip
            continue
        changed = [f for f in MEMBER_IMPORT_FIELDS if old[f] != values[f]]
        if old["name"] != row["name"]:
            changed.append("name")
        if old["org_id"] != org.pk:
            changed += ["org", "scope_code"]
        if row["id_number"] and old["id_number_hash"] not in lookup_hashes("id", row["id_number"]):
            changed += ["id_number", "id_number_hash"]
        if not changed:
            unchanged += 1
            continue
        member = Member.objects.get(pk=old["pk"])
        moved_from = member.org_id
        for f, v in values.items():
            setattr(member, f, v)
        member.name, member.org, member.scope_code = row["name"], org, org.scope_code
        if row["id_number"]:
            member.id_number = row["id_number"]
        member.save()
        updated += 1
        shown = [f for f in changed if not f.startswith("id_number")]
        entries.append(
            entry_values(actor=by, action="party.member_update", obj=member,
                  detail={"fields": shown, "id_number": "id_number" in changed, "via": note})
        )  # fmt: skip
        if moved_from != org.pk:
            transfers.append(
                MemberTransfer(member=member, from_org_id=moved_from, to_org=org, by=by,
                               note=note[:200])
            )  # fmt: skip
            entries.append(
                entry_values(actor=by, action="party.member_transfer", obj=member,
                      detail={"from": moved_from, "to": org.pk, "via": note})
            )  # fmt: skip
    bulk_insert(Member, new)
    entries += [
        entry_values(actor=by, action="party.member_create", obj=m, detail={"via": note})
        for m in new
    ]
    if transfers:
        MemberTransfer.objects.bulk_create(transfers)
    audit_many(entries)
    return len(new), updated, unchanged


@transaction.atomic
def member_create(
    *,
    by,
    name: str,
    org: PartyOrg,
    joined_at: date,
    management_type: str = Member.ManagementType.DIRECT,
    standing: str = Member.Standing.FULL,
    dues_from: date | None = None,
    work_unit: str = "",
    partner=None,
    income_kind: str = Member.IncomeKind.WAGE,
    dues_base: Decimal = Decimal("0"),
    user=None,
) -> Member:
    """Add a member to a branch (or a group)."""
    _require_manager(by, org)
    member_rules(
        org_kind=org.kind,
        management_type=management_type,
        standing=standing,
        income_kind=income_kind,
        dues_base=dues_base,
    )
    if user is not None and Member.objects.filter(user=user).exists():
        raise UserError(_("该账号已关联其他党员。"), field="user")
    member = Member.objects.create(
        name=name,
        org=org,
        joined_at=joined_at,
        management_type=management_type,
        standing=standing,
        dues_from=dues_from or joined_at,
        work_unit=work_unit,
        partner=partner,
        income_kind=income_kind,
        dues_base=dues_base,
        user=user,
        scope_code=org.scope_code,
    )
    audit(actor=by, action="party.member_create", obj=member)
    return member


@transaction.atomic
def member_set_income(
    *,
    by,
    member: Member,
    income_kind: str,
    dues_base: Decimal,
    dues_override: Decimal | None = None,
) -> Member:
    """Record a new income; the new base applies from the month it is first received (the next
    payment recorded)."""
    _require_manager(by, member)
    if income_kind not in Member.IncomeKind.values:
        raise UserError(_("未知的收入类别。"), field="income_kind")
    if dues_base < 0 or (dues_override is not None and dues_override < 0):
        raise UserError(_("金额不能为负数。"), field="dues_base")
    before = {"income_kind": member.income_kind, "dues_base": str(member.dues_base)}
    member.income_kind, member.dues_base, member.dues_override = (
        income_kind,
        dues_base,
        dues_override,
    )
    member.save(update_fields=["income_kind", "dues_base", "dues_override", "updated_at"])
    audit(
        actor=by,
        action="party.member_income",
        obj=member,
        detail={"before": before, "dues_base": str(dues_base)},
    )
    return member


@transaction.atomic
def member_transfer(*, by, member: Member, to_org: PartyOrg, note: str = "") -> MemberTransfer:
    """Move a member to another organization, keeping the history."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    _require_manager(by, member)
    if not member.is_active:
        raise UserError(_("该党员已不在册。"))
    if to_org.pk == member.org_id:
        raise UserError(_("转入的党组织与现所在党组织相同。"), field="to_org")
    if to_org.kind not in (PartyOrg.Kind.BRANCH, PartyOrg.Kind.GROUP, PartyOrg.Kind.GENERAL_BRANCH):
        raise UserError(_("只能转入党支部、党小组或党总支。"), field="to_org")
    if not to_org.is_active:
        raise UserError(_("转入的党组织已撤销。"), field="to_org")
    transfer = MemberTransfer.objects.create(
        member=member, from_org_id=member.org_id, to_org=to_org, by=by, note=note
    )
    member.org = to_org
    member.scope_code = to_org.scope_code
    member.save(update_fields=["org", "scope_code", "updated_at"])
    audit(
        actor=by,
        action="party.member_transfer",
        obj=member,
        detail={"from": transfer.from_org_id, "to": to_org.pk, "note": note},
    )
    return transfer


@transaction.atomic
def member_leave(*, by, member: Member, on: date, reason: str) -> Member:
    """Take a member off the roll (never deleted)."""
    _require_manager(by, member)
    if not reason.strip():
        raise UserError(_("请填写离册原因。"), field="reason")
    member.is_active, member.left_at = False, on
    member.save(update_fields=["is_active", "left_at", "updated_at"])
    audit(actor=by, action="party.member_leave", obj=member, detail={"reason": reason})
    return member


# --- registration (双报到) ---------------------------------------------------------------------


@transaction.atomic
def registration_submit(
    *, by, community, member: Member | None = None, org: PartyOrg | None = None, note: str = ""
) -> Registration:
    """An in-service member (themselves, or staff for them) or a partner's organization registers
    with a residential community; the community approves."""
    if community.level != "community":
        raise UserError(_("请选择要报到的社区。"), field="community")
    if (member is None) == (org is None):
        raise UserError(_("请选择报到的党员或单位党组织。"))
    if member is not None:
        own = member.user_id is not None and member.user_id == getattr(by, "pk", None)
        if not own:
            _require_manager(by, member)
        if member.management_type != Member.ManagementType.IN_SERVICE:
            raise UserError(_("只有在职党员需要到居住地社区报到。"), field="member")
        open_ = Registration.objects.filter(member=member, status__in=["pending", "approved"])
        if open_.filter(community=community).exists():
            raise UserError(_("已向该社区报到，无需重复报到。"))
    else:
        if org.partner_id is None and not can_manage(by, org):
            raise UserError(_("只有共建单位的党组织到社区报到。"), field="org")
        if not (can_manage(by, org) or org.partner_id in getattr(by, "unit_ids", [])):
            raise Forbidden(_("您无权为该党组织报到。"))
        if Registration.objects.filter(
            org=org, community=community, status__in=["pending", "approved"]
        ).exists():
            raise UserError(_("该党组织已向该社区报到，无需重复报到。"))
    registration = Registration.objects.create(
        kind=Registration.Kind.MEMBER if member else Registration.Kind.ORG,
        member=member,
        org=org,
        community=community,
        note=note,
        scope_code=community.code,
    )
    audit(actor=by, action="party.registration_submit", obj=registration)
    return registration


@transaction.atomic
def registration_decide(
    *, by, registration: Registration, approve: bool, note: str = ""
) -> Registration:
    """The community approves or turns down a registration."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    _require_manager(by, registration, _("只有报到社区可以审核。"))
    if registration.status != Registration.Status.PENDING:
        raise UserError(_("该报到已审核过。"))
    if not approve and not note.strip():
        raise UserError(_("不予通过时请说明理由。"), field="note")
    registration.status = "approved" if approve else "rejected"
    registration.decided_by, registration.decided_at = by, timezone.now()
    if note:
        registration.note = note
    registration.save()
    audit(
        actor=by,
        action="party.registration_approve" if approve else "party.registration_reject",
        obj=registration,
        detail={"note": note},
    )
    return registration


@transaction.atomic
def registration_end(*, by, registration: Registration, note: str = "") -> Registration:
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    own = registration.member_id and registration.member.user_id == getattr(by, "pk", None)
    if not own:
        _require_manager(by, registration)
    if registration.status != Registration.Status.APPROVED:
        raise UserError(_("只有已报到的记录可以结束。"))
    registration.status = "ended"
    registration.note = note or registration.note
    registration.save()
    audit(actor=by, action="party.registration_end", obj=registration)
    return registration


# --- lead households (1+10+N) -----------------------------------------------------------------


@transaction.atomic
def lead_household_set(*, by, member: Member, division, address: str = "") -> LeadHousehold:
    """Make a member's household a lead household (党员中心户) in a grid."""
    _require_manager(by, member)
    if division.level != "grid":
        raise UserError(_("党员中心户应落在网格。"), field="division")
    lead, created = LeadHousehold.objects.get_or_create(
        member=member,
        defaults={"division": division, "address": address, "scope_code": division.code},
    )
    if not created:
        lead.division, lead.address, lead.scope_code, lead.is_active = (
            division,
            address,
            division.code,
            True,
        )
        lead.save()
    audit(actor=by, action="party.lead_household_set", obj=lead)
    return lead


MAX_LINKS = 15  # "about ten": leave room, refuse a list nobody can keep in touch with


@transaction.atomic
def lead_link_add(*, by, lead: LeadHousehold, member: Member) -> LeadHouseholdLink:
    """One of the members the lead household keeps in touch with."""
    _require_manager(by, lead)
    if member.pk == lead.member_id:
        raise UserError(_("中心户党员不必联系自己。"), field="member")
    if lead.links.filter(ended_at__isnull=True).count() >= MAX_LINKS:
        raise UserError(_("一个中心户最多联系 {most} 名党员。").format(most=MAX_LINKS))
    try:
        with transaction.atomic():
            link = LeadHouseholdLink.objects.create(lead=lead, member=member)
    except IntegrityError:
        raise UserError(_("该党员已由其他中心户联系。"), field="member") from None
    audit(actor=by, action="party.lead_link_add", obj=lead, detail={"member": member.pk})
    return link


@transaction.atomic
def linked_household_add(
    *, by, link: LeadHouseholdLink, name: str, address: str
) -> LinkedHousehold:
    """One of the households a linked member keeps in touch with."""
    _require_manager(by, link.lead)
    if not name.strip() or not address.strip():
        raise UserError(_("请填写户主和地址。"))
    household = LinkedHousehold.objects.create(link=link, name=name, address=address)
    audit(actor=by, action="party.linked_household_add", obj=link.lead)
    return household


# --- dues -------------------------------------------------------------------------------------


def _last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


@transaction.atomic
def dues_pay(
    *,
    by,
    member: Member,
    month: date,
    amount: Decimal | None = None,
    paid_at: datetime | None = None,
) -> DuesPayment:
    """Record a member's dues for one month; paid within the month it is on time and scores."""
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    _require_manager(by, member)
    month = first_of_month(month)
    paid_at = paid_at or timezone.now()
    today = timezone.localdate()
    if month < first_of_month(member.dues_from):
        raise UserError(
            _("{name}自 {since} 起交纳党费，{month}无需交纳。").format(
                name=member.name, since=month_label(member.dues_from), month=month_label(month)
            ),
            field="month",
        )
    if month > add_months(first_of_month(today), 12):
        raise UserError(_("最多预交一年的党费。"), field="month")
    if DuesPayment.objects.filter(member=member, month=month).exists():
        raise UserError(
            _("{name} {month}的党费已交纳，不能重复登记。").format(
                name=member.name, month=month_label(month)
            ),
            field="month",
        )
    due = member_dues(member)
    amount = due if amount is None else Decimal(amount)
    if amount < due:
        raise UserError(
            _(
                "应交 {due} 元，实交 {amount} 元不足；确有困难的须经支部和上级党委批准后减交。"
            ).format(due=due, amount=amount),
            field="amount",
        )
    payment = DuesPayment.objects.create(
        member=member,
        month=month,
        base=member.dues_base,
        due=due,
        amount=amount,
        paid_at=paid_at,
        recorded_by=by,
    )
    if timezone.localtime(paid_at).date() <= _last_day(month):
        scoring.earned(
            source="party.dues_on_time",
            source_key=f"dues:{payment.pk}",
            member=member,
            occurred_at=paid_at,
            by=by,
        )
    audit(
        actor=by,
        action="party.dues_pay",
        obj=member,
        detail={
            "month": f"{month:%Y-%m}",
            "amount": str(amount),
            "due": str(due),
            "to_central": amount - due >= LARGE_VOLUNTARY,
        },
    )
    return payment


# --- learning ---------------------------------------------------------------------------------


@transaction.atomic
def learning_record(
    *,
    by,
    member: Member,
    course: str,
    minutes: int,
    finished_at: datetime,
    external_id: str,
    source: str = "api",
) -> tuple[LearningRecord, bool]:
    """Record a finished course (imported or posted); the same (source, id) twice is one record."""
    own = member.user_id is not None and member.user_id == getattr(by, "pk", None)
    if not own:
        _require_manager(by, member)
    if not course.strip():
        raise UserError(_("请填写课程名称。"), field="course")
    if minutes <= 0 or minutes > 24 * 60:
        raise UserError(_("学习时长应在 1 至 1440 分钟之间。"), field="minutes")
    if finished_at > timezone.now() + timedelta(minutes=5):
        raise UserError(_("完成时间不能晚于现在。"), field="finished_at")
    if not external_id:
        raise UserError(_("请提供来源编号，以免重复登记。"), field="external_id")
    record = LearningRecord.objects.filter(
        member=member, source=source, external_id=external_id
    ).first()
    if record is not None:
        return record, False
    record = LearningRecord.objects.create(
        member=member,
        course=course.strip(),
        minutes=minutes,
        finished_at=finished_at,
        source=source,
        external_id=external_id,
    )
    scoring.earned(
        source="party.learning_finished",
        source_key=f"learning:{record.pk}",
        member=member,
        occurred_at=finished_at,
        by=by,
    )
    audit(actor=by, action="party.learning_record", obj=member, detail={"course": course})
    return record, True
