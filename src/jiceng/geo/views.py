from django.shortcuts import render

from jiceng.accounts.decorators import page
from jiceng.geo.models import Division


@page("divisions")
def division_list(request):
    divisions = Division.objects.visible_to(request.user).exclude(level="grid")[:200]
    return render(request, "geo/divisions.html", {"divisions": divisions})
