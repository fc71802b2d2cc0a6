"""The resident's poll pages, under /m/deliberation/polls/."""

from django.urls import path

from jiceng.deliberation import poll_mobile as v

app_name = "deliberation_polls_m"
urlpatterns = [
    path("", v.home, name="home"),
    path("<int:pk>/", v.poll, name="poll"),
    path("<int:pk>/receipt/", v.receipt, name="receipt"),
    path("surveys/<int:pk>/", v.survey, name="survey"),
    path("selections/<int:pk>/", v.selection, name="selection"),
    path("compacts/", v.compact_list, name="compacts"),
]
