"""The residents' page of a community's money, under /m/projects/money/."""

from django.urls import path

from jiceng.projects import fund_mobile as v

app_name = "funds_m"
urlpatterns = [path("<str:code>/", v.money, name="public")]
