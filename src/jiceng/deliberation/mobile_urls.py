"""The resident's deliberation pages, under /m/deliberation/."""

from django.urls import path

from jiceng.deliberation import mobile

app_name = "deliberation_m"
urlpatterns = [
    path("", mobile.home, name="home"),
    path("meetings/<int:pk>/", mobile.meeting, name="meeting"),
    path("checkin/", mobile.checkin, name="checkin"),
    path("issues/new/", mobile.raise_issue, name="raise"),
    path("issues/", mobile.mine, name="mine"),
]
