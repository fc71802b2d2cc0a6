"""The staff's poll pages, under /console/deliberation/polls/."""

from django.urls import path

from jiceng.deliberation import poll_views as v

app_name = "deliberation_polls"
urlpatterns = [
    path("", v.home, name="home"),
    path("new/", v.poll_new, name="new"),
    path("<int:pk>/", v.poll_detail, name="detail"),
    path("<int:pk>/register/", v.voted_register, name="register"),
    path("<int:pk>/batches/", v.batch_new, name="batch_new"),
    path("<int:pk>/<str:action>/", v.poll_action, name="action"),
    path("batches/<int:pk>/", v.batch_detail, name="batch"),
    path("batches/<int:pk>/<str:action>/", v.batch_action, name="batch_action"),
    path("surveys/", v.survey_list, name="surveys"),
    path("surveys/new/", v.survey_new, name="survey_new"),
    path("surveys/<int:pk>/", v.survey_detail, name="survey"),
    path("surveys/<int:pk>/<str:action>/", v.survey_action, name="survey_action"),
    path("selections/", v.selection_list, name="selections"),
    path("selections/new/", v.selection_new, name="selection_new"),
    path("selections/<int:pk>/", v.selection_detail, name="selection"),
    path("selections/<int:pk>/<str:action>/", v.selection_action, name="selection_action"),
    path("compacts/", v.compact_list, name="compacts"),
    path("compacts/new/", v.compact_new, name="compact_new"),
    path("compacts/<int:pk>/", v.compact_detail, name="compact"),
    path("compacts/<int:pk>/<str:action>/", v.compact_action, name="compact_action"),
]
