from django.shortcuts import render

from jiceng.accounts.decorators import page


@page("services")
def home(request):
    return render(request, "services/home.html")
