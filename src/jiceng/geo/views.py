"""The division tree pages: scope roots, and a division with its children on a map."""

from django.shortcuts import render

from jiceng.core.pages import page
from jiceng.core.scope import covers
from jiceng.geo import selectors
from jiceng.geo.svg import division_map


@page("divisions")
def division_list(request):
    roots = list(selectors.scope_roots(user=request.user))
    return render(request, "geo/divisions.html", {"roots": roots, "map": division_map(roots)})


@page("divisions")
def division_detail(request, code: str):
    division = selectors.division_for(user=request.user, code=code)
    children = list(selectors.children_with_counts(division=division))
    ancestors = [d for d in division.ancestors() if covers(request.user.scope_codes, d.code)]
    return render(
        request,
        "geo/division.html",
        {
            "division": division,
            "children": children,
            "ancestors": ancestors,
            "map": division_map(children or [division]),
        },
    )
