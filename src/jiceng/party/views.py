"""Party pages: the console (branches, members, meetings with their QR, registrations, dues
warnings) and the member's phone check-in page."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import page
from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.core.scope import visible_or_404
from jiceng.party import forms, selectors, services
from jiceng.party.dues import member_dues, month_label
from jiceng.party.models import LeadHousehold, Member, PartyOrg, Registration
from jiceng.party.permissions import (
    MANAGER_ROLES,
    can_manage,
    manageable_orgs,
    member_of,
    visible_members,
)

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

    from jiceng.party import imports

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
    if request.method == "POST":
        if not manage:
            raise Forbidden(_("您无权管理该党员。"))
        action = request.POST.get("action")
        if action == "dues":
            form = forms.DuesForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("请选择月份，金额须为不小于 0 的数字。"))
            else:
                data = form.cleaned_data
                _run(
                    request,
                    lambda: services.dues_pay(
                        by=request.user, member=member, month=data["month"], amount=data["amount"]
                    ),
                    _("已登记 {month} 的党费。").format(month=month_label(data["month"])),
                )
        elif action == "income":
            form = forms.IncomeForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("请选择收入类别，基数须为不小于 0 的数字。"))
            else:
                data = form.cleaned_data
                _run(
                    request,
                    lambda: services.member_set_income(
                        by=request.user,
                        member=member,
                        income_kind=data["income_kind"],
                        dues_base=data["dues_base"],
                    ),
                    _("收入已更新，新的党费自下一次交纳起按新基数计算。"),
                )
        elif action == "lead":
            grid = _grid_in_scope(request, request.POST.get("grid"))
            _run(
                request,
                lambda: services.lead_household_set(
                    by=request.user,
                    member=member,
                    division=grid,
                    address=request.POST.get("address", "").strip(),
                ),
                _("{name}家已设为党员中心户。").format(name=member.name),
            )
        elif action == "transfer":
            form = forms.TransferForm(request.POST, orgs=orgs)
            if not form.is_valid():
                messages.error(request, _("请选择转入的党组织。"))
            else:
                to_org = next(o for o in orgs if o.pk == form.cleaned_data["to_org"])
                _run(
                    request,
                    lambda: services.member_transfer(
                        by=request.user,
                        member=member,
                        to_org=to_org,
                        note=form.cleaned_data["note"],
                    ),
                    _("已转入{org}。").format(org=to_org.name),
                )
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
            "dues_form": forms.DuesForm(),
            "income_form": forms.IncomeForm(
                initial={"income_kind": member.income_kind, "dues_base": member.dues_base}
            ),
            "transfer_form": forms.TransferForm(orgs=[o for o in orgs if o.pk != member.org_id]),
            "lead": LeadHousehold.objects.filter(member=member, is_active=True).first(),
            "grids": _grids_of(request) if manage else [],
        },
    )


def _partners_near(request, org):
    """Partner units the viewer sees, for a committee's part-time seats."""
    if org.kind not in (PartyOrg.Kind.COMMITTEE, PartyOrg.Kind.WORKING_COMMITTEE):
        return []
    from jiceng.partners.models import Partner

    return Partner.objects.visible_to(request.user).exclude(kind="department").order_by("name")


def _grids_of(request):
    """The grids where the viewer may place a lead household."""
    from jiceng.geo.models import Division

    scopes = request.user.scopes_for(*MANAGER_ROLES)
    if not scopes:
        return Division.objects.none()
    return Division.objects.within(*scopes).filter(level="grid").order_by("code")


def _grid_in_scope(request, pk):
    return visible_or_404(_grids_of(request), _("网格不存在，或不在您的管辖范围内。"), pk=pk)


@page("party")
def dues(request):
    """A month's dues of a branch: who owes what, who has paid; record a payment in one click;
    the month's record book (台账) as Excel."""
    from datetime import date as date_

    from jiceng.party.dues import first_of_month

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
    if request.method == "POST":
        member = visible_or_404(
            selectors.member_list(user=request.user),
            _("党员不存在，或不在您的管辖范围内。"),
            pk=request.POST.get("member"),
        )
        _run(
            request,
            lambda: services.dues_pay(by=request.user, member=member, month=month),
            _("已登记{name} {month}的党费。").format(name=member.name, month=month_label(month)),
        )
        return redirect(f"{reverse('party:dues')}?month={month:%Y-%m}&org={org_id or ''}")
    rows = selectors.dues_month(
        user=request.user, org_id=int(org_id) if org_id else None, month=month
    )
    if request.GET.get("format") == "xlsx":
        return _dues_workbook(rows, month)
    paid = [r for r in rows if r.payment]
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
        },
    )


def _dues_workbook(rows, month):
    from django.http import HttpResponse

    from jiceng.core.excel import XLSX_TYPE, SafeWorkbook

    book = SafeWorkbook()  # names and org names are user text: kept as text, never formulas
    sheet = book.sheet(f"{month:%Y-%m}党费")
    sheet.append(["党员编号", "姓名", "党组织", "收入类别", "应交（元）", "实交（元）", "交纳时间"])
    for r in rows:
        sheet.append(
            [
                r.member.pk,
                r.member.name,
                r.member.org.name,
                r.member.get_income_kind_display(),
                float(r.due) if r.due is not None else None,
                float(r.payment.amount) if r.payment else None,
                timezone.localtime(r.payment.paid_at).strftime("%Y-%m-%d") if r.payment else "",
            ]
        )
    response = HttpResponse(book.to_bytes(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''dues-{month:%Y-%m}.xlsx"
    return response


@page("party")
def orgs(request):
    return render(request, "party/orgs.html", {"tree": selectors.org_tree(user=request.user)})


@page("party")
def org_detail(request, pk: int):
    org = selectors.org_list(user=request.user).filter(pk=pk).first()
    if org is None:
        raise NotFound(_("党组织不存在，或不在您的管辖范围内。"))
    if request.method == "POST":
        if not can_manage(request.user, org):
            raise Forbidden(_("您无权管理该党组织。"))
        action = request.POST.get("action")
        if action == "link":
            lead = member = None
            if request.POST.get("lead") and request.POST.get("member"):
                lead = visible_or_404(
                    LeadHousehold.objects.filter(member__org=org), pk=request.POST["lead"]
                )
                member = visible_or_404(
                    selectors.member_list(user=request.user),
                    _("党员不存在，或不在您的管辖范围内。"),
                    pk=request.POST["member"],
                )
            if lead is None or member is None:
                messages.error(request, _("请选择中心户和联系党员。"))
            else:
                _run(
                    request,
                    lambda: services.lead_link_add(by=request.user, lead=lead, member=member),
                    _("{member}已由{lead}家联系。").format(
                        member=member.name, lead=lead.member.name
                    ),
                )
        elif action == "seat":
            from jiceng.partners.models import Partner

            unit = None
            if request.POST.get("partner"):
                # A unit elsewhere is not found (before, the seat was added without it).
                unit = visible_or_404(
                    Partner.objects.visible_to(request.user), pk=request.POST["partner"]
                )
            name, title = (
                request.POST.get("name", "").strip(),
                request.POST.get("title", "").strip(),
            )
            if not name or not title:
                messages.error(request, _("请填写姓名和职务。"))
            else:
                _run(
                    request,
                    lambda: services.seat_add(
                        by=request.user,
                        org=org,
                        name=name,
                        title=title,
                        partner=unit,
                        is_part_time=bool(request.POST.get("part_time")),
                    ),
                    _("已增补委员{name}。").format(name=name),
                )
        elif action == "household":
            from jiceng.party.models import LeadHouseholdLink

            link = None
            if request.POST.get("link"):
                link = visible_or_404(
                    LeadHouseholdLink.objects.filter(lead__member__org=org, ended_at__isnull=True),
                    pk=request.POST["link"],
                )
            if link is None:
                messages.error(request, _("请选择联系党员。"))
            else:
                _run(
                    request,
                    lambda: services.linked_household_add(
                        by=request.user,
                        link=link,
                        name=request.POST.get("name", "").strip(),
                        address=request.POST.get("address", "").strip(),
                    ),
                    _("已添加联系群众户。"),
                )
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
        },
    )


@page("party")
def meetings(request):
    due = request.GET.get("due") == "week"  # the console home's to-do: this week's meetings
    rows = selectors.meeting_list(user=request.user, due_this_week=due)
    page_obj = Paginator(rows, 30).get_page(request.GET.get("page"))
    orgs = list(manageable_orgs(request.user))
    form = forms.MeetingForm(request.POST or None, orgs=orgs) if orgs else None
    if request.method == "POST":
        if form is None:
            raise Forbidden(_("您无权安排会议。"))
        if form.is_valid():
            data = form.cleaned_data
            org = next(o for o in orgs if o.pk == data["org"])
            created = []
            if _run(
                request,
                lambda: created.append(
                    services.meeting_create(
                        by=request.user,
                        org=org,
                        kind=data["kind"],
                        title=data["title"],
                        starts_at=data["starts_at"],
                        ends_at=data["ends_at"],
                        place=data["place"],
                        agenda=data["agenda"],
                    )
                ),
                _("会议已安排。"),
            ):
                return redirect("party:meeting", pk=created[0].pk)
    return render(request, "party/meetings.html", {"page_obj": page_obj, "form": form, "due": due})


@page("party")
def meeting_detail(request, pk: int):
    meeting = selectors.meeting_detail(user=request.user, pk=pk)
    manage = can_manage(request.user, meeting)
    if request.method == "POST":
        if not manage:
            raise Forbidden(_("只有会议组织者可以登记会议情况。"))
        action = request.POST.get("action")
        if action == "minutes":
            form = forms.MinutesForm(request.POST)
            minutes = form.cleaned_data["minutes"] if form.is_valid() else ""
            _run(
                request,
                lambda: services.meeting_record(by=request.user, meeting=meeting, minutes=minutes),
                _("会议记录已保存，会议记为已召开。"),
            )
        elif action == "cancel":
            reason = request.POST.get("reason", "")
            _run(
                request,
                lambda: services.meeting_cancel(by=request.user, meeting=meeting, reason=reason),
                _("会议已取消。"),
            )
        elif action == "attendance":
            form = forms.AttendanceForm(request.POST)
            member = None
            if form.is_valid():
                # Resolved through the members the viewer sees: a member elsewhere is not found.
                member = visible_or_404(
                    visible_members(request.user),
                    _("党员不存在，或不在您的管辖范围内。"),
                    pk=form.cleaned_data["member"],
                )
            if member is None:
                messages.error(request, _("请选择党员。"))
            else:
                present = form.cleaned_data["present"]
                _run(
                    request,
                    lambda: services.attendance_record(
                        by=request.user,
                        meeting=meeting,
                        member=member,
                        present=present,
                        reason=form.cleaned_data["reason"],
                    ),
                    (_("已登记{name}出席。") if present else _("已登记{name}请假。")).format(
                        name=member.name
                    ),
                )
        elif action == "photos":
            files = request.FILES.getlist("photos")
            _run(
                request,
                lambda: services.meeting_add_photos(by=request.user, meeting=meeting, files=files),
                _("照片已保存。"),
            )
        return redirect("party:meeting", pk=meeting.pk)
    return render(
        request,
        "party/meeting.html",
        {
            "meeting": meeting,
            "can_manage": manage,
            "roll": selectors.meeting_roll(meeting=meeting),
        },
    )


@page("party")
def meeting_qr(request, pk: int):
    """The QR shown at the meeting: a fresh signed code each minute (the page reloads itself)."""
    import segno

    meeting = selectors.meeting_detail(user=request.user, pk=pk)
    if not can_manage(request.user, meeting):
        raise Forbidden(_("只有会议组织者可以展示签到码。"))
    url = request.build_absolute_uri(
        reverse("party:checkin") + "?c=" + services.checkin_code(meeting)
    )
    svg = segno.make(url, error="m").svg_inline(scale=6)
    return render(
        request,
        "party/meeting_qr.html",
        {"meeting": meeting, "svg": svg, "url": url, "refresh": services.CHECKIN_REFRESH},
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
        from jiceng.geo.models import Division

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
    mine = (
        Registration.objects.filter(org__in=unit_orgs).select_related("org", "community")
        if unit_orgs
        else []
    )
    return render(
        request,
        "party/registrations.html",
        {"page_obj": page_obj, "form": form, "unit_registrations": mine},
    )


@page("party")
@require_POST
def registration_decide(request, pk: int):
    reg = selectors.registration_list(user=request.user).filter(pk=pk).first()
    if reg is None:
        from jiceng.core.errors import NotFound

        raise NotFound(_("报到记录不存在，或不在您的管辖范围内。"))
    approve = request.POST.get("approve") == "1"
    try:
        services.registration_decide(
            by=request.user, registration=reg, approve=approve, note=request.POST.get("note", "")
        )
    except UserError as exc:
        if isinstance(exc, Forbidden):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已通过。") if approve else _("已退回。"))
    return redirect("party:registrations")


@page()
def checkin(request):
    """The member's phone page after scanning: confirm, check in, see the points."""
    code = request.POST.get("c") or request.GET.get("c", "")
    member = member_of(request.user)
    context = {"code": code, "member": member}
    already = services.meeting_checked_in(by=request.user, code=code) if code else None
    if already is not None:
        # A second scan: say so, with the time, rather than offer to check in again.
        context.update({"attendance": already, "already": True})
        # A repeated confirm is refused (409) with the same panel; nothing is written.
        status = 409 if request.method == "POST" else 200
        return render(request, "party/checkin.html", context, status=status)
    if request.method == "POST":
        try:
            attendance, points = services.meeting_checkin(
                by=request.user, code=code, request=request
            )
        except UserError as exc:
            context["error"] = exc.message
            return render(request, "party/checkin.html", context, status=exc.status)
        context.update({"attendance": attendance, "points": points, "done": True})
        return render(request, "party/checkin.html", context)
    return render(request, "party/checkin.html", context)


@page()
def mine(request):
    """A member's own party page on the phone: organization, meetings (ask for leave), dues,
    points, and registration with the community where they live."""
    member = member_of(request.user)
    if member is None:
        raise NotFound(_("您的账号尚未关联党员信息，请联系所在党组织。"))
    from jiceng.geo.models import Division

    communities = Division.objects.filter(level="community").select_related("parent")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "leave":
            wanted = request.POST.get("meeting", "")
            meeting = next(
                (m for m in selectors.meetings_for_member(member=member) if str(m.pk) == wanted),
                None,
            )
            if meeting is None:
                raise NotFound(_("会议不存在。"))
            _run(
                request,
                lambda: services.attendance_record(
                    by=request.user,
                    meeting=meeting,
                    member=member,
                    present=False,
                    reason=request.POST.get("reason", ""),
                ),
                _("已请假。"),
            )
        elif action == "register":
            form = forms.RegistrationForm(request.POST, communities=communities)
            if not form.is_valid():
                messages.error(request, _("请选择居住地社区。"))
            else:
                community = communities.get(pk=form.cleaned_data["community"])
                _run(
                    request,
                    lambda: services.registration_submit(
                        by=request.user, community=community, member=member
                    ),
                    _("已向{community}报到，待社区审核。").format(community=community.name),
                )
        return redirect("party:mine")
    arrears = selectors.dues_arrears(user=None, members=Member.objects.filter(pk=member.pk))
    try:
        due = member_dues(member)
    except UserError:
        due = None
    meetings = list(selectors.meetings_for_member(member=member))
    marked = {
        a.meeting_id: a for a in member.attendances.filter(meeting__in=[m.pk for m in meetings])
    }
    return render(
        request,
        "party/mine.html",
        {
            "member": member,
            "meetings": [(m, marked.get(m.pk)) for m in meetings],
            "due": due,
            "arrears": arrears[0] if arrears else None,
            "payments": selectors.dues_history(member=member)[:6],
            "registrations": member.registrations.select_related("community"),
            "can_register": member.management_type == Member.ManagementType.IN_SERVICE,
            "registration_form": forms.RegistrationForm(communities=communities),
        },
    )
