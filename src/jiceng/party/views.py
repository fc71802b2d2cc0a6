"""Party console pages: organizations, members, dues and registrations. The meetings' pages are
in meeting_views.py, a member's phone pages in mobile.py."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import page
from jiceng.core.books import Heading, Period, write_excel
from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.core.excel import XLSX_TYPE
from jiceng.core.forms import submit
from jiceng.geo.models import Division
from jiceng.partners.models import Partner
from jiceng.party import forms, imports, selectors, services
from jiceng.party.dues import first_of_month, member_dues, month_label
from jiceng.party.models import LeadHousehold, LeadHouseholdLink, Member, PartyOrg, Registration
from jiceng.party.permissions import MANAGER_ROLES, can_manage, manageable_orgs

MEMBER_ORG_KINDS = (PartyOrg.Kind.GENERAL_BRANCH, PartyOrg.Kind.BRANCH, PartyOrg.Kind.GROUP)


def _run(request, action, success: str) -> bool:
    """Call a service; a user's mistake becomes a message on the page (nothing was written),
    a permission refusal stays a 403."""
    try:
        action()
    except Forbidden:
        raise
    except UserError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


@page("party")
def party_home(request):
    states = selectors.frequency_status(user=request.user)
    warnings = [s for s in states if s.state == "warning"]
    arrears = [a for a in selectors.dues_arrears(user=request.user) if a.warning]
    pending = selectors.registration_list(user=request.user, status="pending").count()
    return render(
        request,
        "party/home.html",
        {
            "warnings": warnings,
            "states": states,
            "arrears": arrears[:50],
            "arrears_count": len(arrears),
            "pending": pending,
        },
    )


@page("party")
def members(request):
    query = request.GET.get("q", "").strip()
    rows = selectors.member_list(user=request.user, query=query)
    page_obj = Paginator(rows, 50).get_page(request.GET.get("page"))
    orgs = [o for o in manageable_orgs(request.user) if o.kind in MEMBER_ORG_KINDS]
    form = forms.MemberForm(request.POST or None, orgs=orgs) if orgs else None
    if request.method == "POST":
        if form is None:
            raise Forbidden(_("您无权登记党员。"))
        if form.is_valid():
            data = dict(form.cleaned_data)
            org = next(o for o in orgs if o.pk == data.pop("org"))
            created = []
            if _run(
                request,
                lambda: created.append(services.member_create(by=request.user, org=org, **data)),
                _("已登记党员{name}。").format(name=data["name"]),
            ):
                return redirect("party:member", pk=created[0].pk)
    return render(
        request, "party/members.html", {"page_obj": page_obj, "query": query, "form": form}
    )


@page("party")
def learning_import(request):
    """Learning records from Excel: download the template, upload, read what was refused."""
    from django.http import HttpResponse

    if request.GET.get("template"):
        response = HttpResponse(
            imports.template(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = "attachment; filename*=UTF-8''learning-template.xlsx"
        return response
    if not manageable_orgs(request.user).exists():
        raise Forbidden(_("您无权导入学习记录。"))
    form = forms.LearningImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.import_learning(by=request.user, upload=form.cleaned_data["file"])
        except UserError as exc:
            form.add_error("file", exc.message)
    return render(request, "party/learning_import.html", {"form": form, "result": result})


@page("party")
def member_detail(request, pk: int):
    member = selectors.member_detail(user=request.user, pk=pk)
    manage = can_manage(request.user, member)
    orgs = (
        [o for o in manageable_orgs(request.user) if o.kind in MEMBER_ORG_KINDS] if manage else []
    )
    transfer_orgs = [o for o in orgs if o.pk != member.org_id]
    dues_form = forms.DuesForm()
    income_form = forms.IncomeForm(
        initial={"income_kind": member.income_kind, "dues_base": member.dues_base}
    )
    transfer_form = forms.TransferForm(orgs=transfer_orgs)
    lead = LeadHousehold.objects.filter(member=member, is_active=True).first()
    lead_form = forms.LeadHouseholdForm(
        initial={"grid": lead.division_id, "address": lead.address} if lead else None
    )
    if request.method == "POST":
        if not manage:
            raise Forbidden(_("您无权管理该党员。"))
        action = request.POST.get("action")
        done = None
        # Each form parses its own fields; the service refuses what breaks a rule, and the page
        # is drawn again with the refusal beside the form and what was typed in it.
        if action == "dues":
            dues_form = forms.DuesForm(request.POST)
            if submit(
                dues_form,
                lambda data: services.dues_pay(
                    by=request.user, member=member, month=data["month"], amount=data["amount"]
                ),
            ):
                done = _("已登记 {month} 的党费。").format(
                    month=month_label(dues_form.cleaned_data["month"])
                )
        elif action == "income":
            income_form = forms.IncomeForm(request.POST)
            if submit(
                income_form,
                lambda data: services.member_set_income(
                    by=request.user,
                    member=member,
                    income_kind=data["income_kind"],
                    dues_base=data["dues_base"],
                ),
            ):
                done = _("收入已更新，新的党费自下一次交纳起按新基数计算。")
        elif action == "lead":
            lead_form = forms.LeadHouseholdForm(request.POST, grids=_grids_of(request))
            if submit(
                lead_form,
                lambda data: services.lead_household_set(
                    by=request.user, member=member, division=data["grid"], address=data["address"]
                ),
            ):
                done = _("{name}家已设为党员中心户。").format(name=member.name)
        elif action == "transfer":
            transfer_form = forms.TransferForm(request.POST, orgs=orgs)
            moved = submit(
                transfer_form,
                lambda data: services.member_transfer(
                    by=request.user,
                    member=member,
                    to_org=next(o for o in orgs if o.pk == data["to_org"]),
                    note=data["note"],
                ),
            )
            if moved:
                done = _("已转入{org}。").format(org=moved.to_org.name)
        else:
            return redirect("party:member", pk=member.pk)
        if done:
            messages.success(request, done)
            return redirect("party:member", pk=member.pk)
    arrears = selectors.dues_arrears(user=request.user, members=Member.objects.filter(pk=member.pk))
    try:
        due = member_dues(member)
    except UserError:
        due = None
    return render(
        request,
        "party/member.html",
        {
            "member": member,
            "payments": selectors.dues_history(member=member)[:24],
            "learning": member.learning.all()[:20],
            "arrears": arrears[0] if arrears else None,
            "due": due,
            "can_manage": manage,
            "dues_form": dues_form,
            "income_form": income_form,
            "transfer_form": transfer_form,
            "lead_form": lead_form,
            "lead": lead,
            "grids": _grids_of(request) if manage else [],
        },
        status=400 if request.method == "POST" else 200,
    )


def _partners_near(request, org):
    """Partner units the viewer sees, for a committee's part-time seats."""
    if org.kind not in (PartyOrg.Kind.COMMITTEE, PartyOrg.Kind.WORKING_COMMITTEE):
        return []

    return Partner.objects.visible_to(request.user).exclude(kind="department").order_by("name")


def _grids_of(request):
    """The grids where the viewer may place a lead household."""
    scopes = request.user.scopes_for(*MANAGER_ROLES)
    if not scopes:
        return Division.objects.none()
    return Division.objects.within(*scopes).filter(level="grid").order_by("code")


@page("party")
def dues(request):
    """A month's dues of a branch: who owes what, who has paid; record a payment in one click;
    the month's record book (台账) as Excel."""
    from datetime import date as date_

    month_text = request.GET.get("month") or request.POST.get("month") or ""
    try:
        month = date_.fromisoformat(month_text + "-01") if month_text else None
    except ValueError:
        raise UserError(_("月份格式应为 YYYY-MM。")) from None
    month = month or first_of_month(timezone.localdate())
    org_id = request.GET.get("org") or request.POST.get("org") or None
    orgs = [o for o in selectors.org_list(user=request.user) if o.kind in MEMBER_ORG_KINDS]
    if org_id and not any(str(o.pk) == org_id for o in orgs):
        raise NotFound(_("党组织不存在，或不在您的管辖范围内。"))
    refused, status = None, 200
    if request.method == "POST":
        form = forms.DuesPaymentForm(request.POST, members=selectors.member_list(user=request.user))
        paid = submit(
            form,
            lambda data: services.dues_pay(by=request.user, member=data["member"], month=month),
        )
        if paid is not None:
            member = form.cleaned_data["member"]
            messages.success(
                request,
                _("已登记{name} {month}的党费。").format(
                    name=member.name, month=month_label(month)
                ),
            )
            return redirect(f"{reverse('party:dues')}?month={month:%Y-%m}&org={org_id or ''}")
        # Drawn again with the reason beside the member's row.
        refused, status = form, 400
    rows = selectors.dues_month(
        user=request.user, org_id=int(org_id) if org_id else None, month=month
    )
    if request.GET.get("format") == "xlsx":
        return _dues_workbook(
            request, rows, month, next((o for o in orgs if str(o.pk) == org_id), None)
        )
    paid = [r for r in rows if r.payment]
    member_pk = str(refused["member"].value()) if refused else ""
    return render(
        request,
        "party/dues.html",
        {
            "rows": rows,
            "month": month,
            "orgs": orgs,
            "org_id": org_id,
            "paid_count": len(paid),
            "paid_total": sum((r.payment.amount for r in paid), start=0),
            "refused": refused,
            "refused_member": member_pk,
            "refused_on_page": any(str(r.member.pk) == member_pk for r in rows),
        },
        status=status,
    )


def _dues_workbook(request, rows, month, org):
    """The month's dues ledger as Excel: the record book's columns and cells (party.books),
    laid out as on paper by the one writer of books (``core.books.write_excel``: the title with
    the branch and the month, numbered rows, the signature block); taking it is audited."""
    from jiceng.party.books import DUES_BOOK, dues_book_taken, dues_cells

    place = org.name if org is not None else dues_place(request.user)
    heading = Heading.of(DUES_BOOK, place, Period("month", month.year, month.month))
    out = io.BytesIO()
    write_excel(DUES_BOOK, heading, dues_cells(rows), out)
    dues_book_taken(by=request.user, month=month, org=org, rows=len(rows), request=request)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''dues-{month:%Y-%m}.xlsx"
    return response


def dues_place(user) -> str:
    """Whose dues the page shows when no branch is chosen: the places of the person's roles."""
    codes = list(dict.fromkeys(getattr(user, "scope_codes", None) or []))
    found = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    return "、".join(found.get(code, code) for code in codes)


@page("party")
def orgs(request):
    return render(request, "party/orgs.html", {"tree": selectors.org_tree(user=request.user)})


@page("party")
def org_detail(request, pk: int):

    org = selectors.org_list(user=request.user).filter(pk=pk).first()
    if org is None:
        raise NotFound(_("党组织不存在，或不在您的管辖范围内。"))
    seat_form, link_form, household_form = (
        forms.SeatForm(),
        forms.LeadLinkForm(),
        forms.LinkedHouseholdForm(),
    )
    if request.method == "POST":
        if not can_manage(request.user, org):
            raise Forbidden(_("您无权管理该党组织。"))
        action = request.POST.get("action")
        done = None
        # Every id the forms carry is resolved through what the viewer sees: elsewhere is 404.
        if action == "link":
            link_form = forms.LeadLinkForm(
                request.POST,
                leads=LeadHousehold.objects.filter(member__org=org),
                members=selectors.member_list(user=request.user),
            )
            link = submit(
                link_form,
                lambda data: services.lead_link_add(
                    by=request.user, lead=data["lead"], member=data["member"]
                ),
            )
            if link:
                done = _("{member}已由{lead}家联系。").format(
                    member=link.member.name, lead=link.lead.member.name
                )
        elif action == "seat":
            seat_form = forms.SeatForm(
                request.POST, partners=Partner.objects.visible_to(request.user)
            )
            seat = submit(
                seat_form,
                lambda data: services.seat_add(
                    by=request.user,
                    org=org,
                    name=data["name"],
                    title=data["title"],
                    partner=data["partner"],
                    is_part_time=data["part_time"],
                ),
            )
            if seat:
                done = _("已增补委员{name}。").format(name=seat.name)
        elif action == "household":
            household_form = forms.LinkedHouseholdForm(
                request.POST,
                links=LeadHouseholdLink.objects.filter(
                    lead__member__org=org, ended_at__isnull=True
                ),
            )
            if submit(
                household_form,
                lambda data: services.linked_household_add(
                    by=request.user, link=data["link"], name=data["name"], address=data["address"]
                ),
            ):
                done = _("已添加联系群众户。")
        else:
            return redirect("party:org", pk=org.pk)
        if done:
            messages.success(request, done)
            return redirect("party:org", pk=org.pk)
    seats = org.seats.filter(ended_at__isnull=True).select_related("partner")
    leads = (
        LeadHousehold.objects.filter(member__org=org, is_active=True)
        .select_related("member", "division")
        .prefetch_related("links__member", "links__households")
    )
    return render(
        request,
        "party/org.html",
        {
            "org": org,
            "seats": seats,
            "leads": leads,
            "states": selectors.frequency_status(user=request.user, org_id=org.pk),
            "children": org.children.filter(is_active=True),
            "members": selectors.member_list(user=request.user, org_id=org.pk)[:200],
            "can_manage": can_manage(request.user, org),
            "partners": _partners_near(request, org),
            "seat_form": seat_form,
            "link_form": link_form,
            "household_form": household_form,
        },
        status=400 if request.method == "POST" else 200,
    )


@page("party")
def registrations(request):
    rows = selectors.registration_list(user=request.user, status=request.GET.get("status") or None)
    page_obj = Paginator(rows, 50).get_page(request.GET.get("page"))
    # A partner unit's staff register their unit's party organization with a community.
    unit_orgs = (
        list(PartyOrg.objects.filter(partner_id__in=request.user.unit_ids, is_active=True))
        if request.user.unit_ids
        else []
    )
    form = None
    if unit_orgs:
        communities = Division.objects.filter(level="community").select_related("parent")
        form = forms.OrgRegistrationForm(
            request.POST or None, orgs=unit_orgs, communities=communities
        )
        if request.method == "POST" and form.is_valid():
            org = next(o for o in unit_orgs if o.pk == form.cleaned_data["org"])
            community = communities.get(pk=form.cleaned_data["community"])
            if _run(
                request,
                lambda: services.registration_submit(by=request.user, community=community, org=org),
                _("{org}已向{community}报到，待社区审核。").format(
                    org=org.name, community=community.name
                ),
            ):
                return redirect("party:registrations")
    elif request.method == "POST":
        raise Forbidden(_("只有共建单位可以为本单位党组织报到。"))
    return _registrations_page(request, page_obj, form, unit_orgs)


def _registrations_page(request, page_obj, form, unit_orgs, decided=None, status=200):
    mine = (
        Registration.objects.filter(org__in=unit_orgs).select_related("org", "community")
        if unit_orgs
        else []
    )
    return render(
        request,
        "party/registrations.html",
        {
            "page_obj": page_obj,
            "form": form,
            "unit_registrations": mine,
            # A refused decision: its form, drawn again beside the registration (above the
            # list when the registration is not on this page).
            "decided": decided,
            "decided_on_page": bool(decided) and any(r.pk == decided["pk"] for r in page_obj),
        },
        status=status,
    )


@page("party")
@require_POST
def registration_decide(request, pk: int):
    reg = selectors.registration_list(user=request.user).filter(pk=pk).first()
    if reg is None:
        raise NotFound(_("报到记录不存在，或不在您的管辖范围内。"))
    form = forms.RegistrationDecisionForm(request.POST)
    decided = submit(
        form,
        lambda data: (
            services.registration_decide(
                by=request.user, registration=reg, approve=data["approve"], note=data["note"]
            )
            or True
        ),
    )
    if decided is None:
        rows = selectors.registration_list(user=request.user)
        unit_orgs = (
            list(PartyOrg.objects.filter(partner_id__in=request.user.unit_ids, is_active=True))
            if request.user.unit_ids
            else []
        )
        page_obj = Paginator(rows, 50).get_page(1)
        unit_form = None
        if unit_orgs:
            communities = Division.objects.filter(level="community").select_related("parent")
            unit_form = forms.OrgRegistrationForm(orgs=unit_orgs, communities=communities)
        return _registrations_page(
            request, page_obj, unit_form, unit_orgs, {"pk": reg.pk, "form": form}, status=400
        )
    messages.success(request, _("已通过。") if form.cleaned_data["approve"] else _("已退回。"))
    return redirect("party:registrations")
