"""The warning centre's pages: the list (filtered, counted by street or community, paginated)
and a warning with its history and the staff's actions (acknowledge, close with a note, a
follow-up note), each through a form and core.forms.submit."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiceng.core.errors import NotFound, UserError
from jiceng.core.forms import submit
from jiceng.core.pages import page
from jiceng.core.registry import warning_sources
from jiceng.dashboard import warnings as centre
from jiceng.dashboard.models import Severity, Warning, WarningEvent


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("说明"), max_length=1000, required=False)
    version = forms.IntegerField(required=False, min_value=0, max_value=2**31)


ACTIONS = {
    "acknowledge": lambda w, by, data, request: centre.warning_acknowledge(
        warning=w, by=by, version=data.get("version"), request=request
    ),
    "close": lambda w, by, data, request: centre.warning_close(
        warning=w, by=by, note=data["note"], version=data.get("version"), request=request
    ),
    "note": lambda w, by, data, request: centre.warning_note(
        warning=w, by=by, note=data["note"], request=request
    ),
}


def _list_context(request, filters: centre.Filters) -> dict:
    rows = centre.warning_list(user=request.user, filters=filters)
    page_obj = Paginator(rows.select_related(None), 30).get_page(request.GET.get("page"))
    shown = list(page_obj.object_list)
    names = centre.place_names(
        [w.scope_code for w in shown] + [w.owner_code for w in shown] + [filters.place]
    )
    labels = {s.kind: s.label for s in warning_sources()}
    for w in shown:
        w.kind_label = labels.get(w.kind, w.kind)
        w.place_label = names.get(w.scope_code) or names.get(w.scope_code[:12]) or w.scope_code
        w.owner_label = centre.owner_label(w, names)
    level = centre.group_level(request.user, filters)
    counts = centre.counts_by_place(rows, level=level) if level else []
    return {
        "page_obj": page_obj,
        "warnings": shown,
        "filters": filters,
        "counts": counts,
        "count_level": level,
        "kinds": [(s.kind, s.label) for s in warning_sources()],
        "states": [("live", _("待处理和已签收")), *Warning.State.choices, ("all", _("全部"))],
        "severities": Severity.choices,
        "place_name": names.get(filters.place, ""),
        "total": page_obj.paginator.count,
    }


@page("warnings")
def warning_list(request):
    try:
        filters = centre.Filters.from_params(request.GET)
    except UserError as e:
        messages.error(request, e.message)
        return render(
            request, "dashboard/warnings.html", _list_context(request, centre.Filters()), status=400
        )
    if filters.place and not centre.place_in_scope(request.user, filters.place):
        raise NotFound(_("区划不存在，或不在您的管辖范围内。"))
    return render(request, "dashboard/warnings.html", _list_context(request, filters))


def _detail(request, warning: Warning, *, form=None, action="", status=200):
    names = centre.place_names([warning.scope_code, warning.owner_code])
    labels = {s.kind: s.label for s in warning_sources()}
    events = list(WarningEvent.objects.filter(warning=warning).select_related("actor"))
    return render(
        request,
        "dashboard/warnings_detail.html",
        {
            "warning": warning,
            "kind_label": labels.get(warning.kind, warning.kind),
            "place_label": names.get(warning.scope_code, warning.scope_code),
            "owner_label": centre.owner_label(warning, names),
            "events": events,
            "allowed": centre.MACHINE.allowed(warning, request.user),
            "form": form,
            "failed_action": action,
        },
        status=status,
    )


@page("warnings")
def warning_detail(request, pk: int):
    return _detail(request, centre.warning_for(user=request.user, pk=pk))


@require_POST
@page("warnings")
def warning_act(request, pk: int, action: str):
    warning = centre.warning_for(user=request.user, pk=pk)
    if action not in ACTIONS:
        raise NotFound(_("未知的操作。"))
    form = NoteForm(request.POST)
    done = submit(form, lambda data: ACTIONS[action](warning, request.user, data, request))
    if done is None:
        warning.refresh_from_db()
        return _detail(request, warning, form=form, action=action, status=400)
    messages.success(request, _("已记录。"))
    return redirect("warnings:detail", warning.pk)
