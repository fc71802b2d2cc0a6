from django.shortcuts import render

from jiceng.accounts.decorators import page


@page("party")
def party_home(request):
    return render(request, "party/home.html")
