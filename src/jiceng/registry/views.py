from django.shortcuts import render

from jiceng.accounts.decorators import page


@page("registry")
def register_home(request):
    return render(request, "registry/home.html")
