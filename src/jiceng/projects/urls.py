"""The staff's project pages, under /console/projects/."""

from django.urls import path

from jiceng.projects import commitment_views, views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_new, name="new"),
    path("<int:pk>/", views.project_detail, name="project"),
    path("supervision/", views.supervision_list, name="supervisions"),
    path("supervision/<int:pk>/", views.supervision_detail, name="supervision"),
    path("commitments/", commitment_views.commitment_list, name="commitments"),
    path("commitments/<int:pk>/", commitment_views.commitment_detail, name="commitment"),
]
