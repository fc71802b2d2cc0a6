"""Demonstration sites' console pages: the list (every staff member of the place), one site
with its story and photos, and the district's form to add or change one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.cases.forms import MultipleFileField
from jiceng.core.errors import Forbidden
from jiceng.core.forms import VisibleField, submit
from jiceng.core.pages import page
from jiceng.core.scope import visible_or_404
from jiceng.dashboard import sites
from jiceng.dashboard.models import SiteDomain, SiteLevel
from jiceng.geo.models import Division


class SiteForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    domain = forms.ChoiceField(label=gettext_lazy("领域"), choices=SiteDomain.choices)
    level = forms.ChoiceField(label=gettext_lazy("级别"), choices=SiteLevel.choices)
    division = VisibleField(label=gettext_lazy("所在区划"), max_length=20)
    lon = forms.FloatField(
        label=gettext_lazy("经度"), required=False, min_value=-180, max_value=180
    )
    lat = forms.FloatField(label=gettext_lazy("纬度"), required=False, min_value=-90, max_value=90)
    year = forms.IntegerField(
        label=gettext_lazy("命名年份"), required=False, min_value=1949, max_value=2100
    )
    story = forms.CharField(
        label=gettext_lazy("经验做法"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    is_active = forms.BooleanField(label=gettext_lazy("有效"), required=False, initial=True)
    photos = MultipleFileField(label=gettext_lazy("照片（最多 9 张）"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        places = Division.objects.visible_to(user).filter(is_active=True)
        self.fields["division"].queryset = places
        choices = places.filter(level__in=("street", "community")).values_list("pk", "code", "name")
        self.fields["division"].widget = forms.Select(
            choices=[("", "—"), *((pk, f"{name}（{code}）") for pk, code, name in choices)]
        )


@page("sites")
def site_list(request):
    rows = sites.visible_sites(request.user).order_by("scope_code", "name")
    domain = request.GET.get("domain", "")
    if domain in SiteDomain.values:
        rows = rows.filter(domain=domain)
    page_obj = Paginator(rows, 30).get_page(request.GET.get("page"))
    shown = list(page_obj.object_list)
    names = dict(
        Division.objects.filter(code__in={s.scope_code for s in shown}).values_list("code", "name")
    )
    for s in shown:
        s.place_name = names.get(s.scope_code, s.scope_code)
    return render(
        request,
        "dashboard/sites.html",
        {
            "page_obj": page_obj,
            "sites": shown,
            "domains": SiteDomain.choices,
            "domain": domain,
            "can_keep": sites.can_keep(request.user),
        },
    )


@page("sites")
def site_detail(request, pk: int):
    site = visible_or_404(sites.visible_sites(request.user).select_related("division"), pk=pk)
    return render(
        request,
        "dashboard/sites_detail.html",
        {
            "site": site,
            "photos": list(site.photos.all()),
            "can_keep": sites.can_keep(request.user, site.scope_code),
        },
    )


def _form_page(request, form, site=None, status=200):
    return render(request, "dashboard/sites_form.html", {"form": form, "site": site}, status=status)


@page("sites")
def site_new(request):
    if not sites.can_keep(request.user):
        raise Forbidden(_("只有区委组织部工作人员可以登记和修改示范点。"))
    if request.method != "POST":
        return _form_page(request, SiteForm(user=request.user))
    form = SiteForm(request.POST, request.FILES, user=request.user)
    done = submit(
        form,
        lambda data: sites.site_create(
            by=request.user, data=data, photos=data["photos"], request=request
        ),
    )
    if done is None:
        return _form_page(request, form, status=400)
    messages.success(request, _("示范点已登记。"))
    return redirect("sites:detail", done.pk)


@page("sites")
def site_edit(request, pk: int):
    site = visible_or_404(sites.visible_sites(request.user).select_related("division"), pk=pk)
    if not sites.can_keep(request.user, site.scope_code):
        raise Forbidden(_("只有区委组织部工作人员可以登记和修改示范点。"))
    if request.method != "POST":
        initial = {f: getattr(site, f) for f in sites.FIELDS}
        initial["division"] = site.division_id
        return _form_page(request, SiteForm(initial=initial, user=request.user), site)
    form = SiteForm(request.POST, request.FILES, user=request.user)
    done = submit(
        form,
        lambda data: sites.site_update(
            by=request.user, site=site, data=data, photos=data["photos"], request=request
        ),
    )
    if done is None:
        return _form_page(request, form, site, status=400)
    messages.success(request, _("示范点已保存。"))
    return redirect("sites:detail", site.pk)
