"""Assessment pages, under /console/assessment/."""

from django.urls import path

from jiceng.assessment import views as v

app_name = "assessment"
urlpatterns = [
    path("", v.home, name="home"),
    path("rounds/<int:pk>/", v.round_detail, name="round"),
    path("rounds/<int:pk>/<str:action>/", v.round_action, name="round_action"),
    path("results/<int:pk>/", v.result_detail, name="result"),
    path("results/<int:pk>/items/<int:node>/", v.item_detail, name="item"),
    path("results/<int:pk>/appeal/", v.result_appeal, name="appeal"),
    path("results/<int:pk>/change/", v.result_change, name="change"),
    path("appeals/<int:pk>/answer/", v.appeal_answer, name="appeal_answer"),
    path("schemes/<int:pk>/", v.scheme_detail, name="scheme"),
    path("schemes/<int:pk>/nodes/<int:node>/", v.node_detail, name="node"),
    path("appraisals/", v.appraisals, name="appraisals"),
    path("appraisals/<int:pk>/", v.appraisal_detail, name="appraisal"),
    path("evaluations/<int:pk>/", v.evaluation_detail, name="evaluation"),
    path("checklists/", v.checklists, name="checklists"),
    path("checklists/<int:pk>/inspect/", v.checklist_inspect, name="checklist_inspect"),
]
