from django.shortcuts import render

from jiceng.accounts.decorators import page


@page("venues")
def home(request):
    return render(request, "venues/home.html")
