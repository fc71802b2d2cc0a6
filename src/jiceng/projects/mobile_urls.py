"""The phone pages, under /m/projects/."""

from django.urls import path

from jiceng.projects import mobile

app_name = "projects_m"
urlpatterns = [
    path("", mobile.home, name="home"),
    path("<int:pk>/", mobile.project, name="project"),
    path("<int:pk>/report/", mobile.report, name="report"),
    path("commitments/", mobile.commitments, name="commitments"),
    path("commitments/<int:pk>/", mobile.commitment, name="commitment"),
    path("open/<str:code>/", mobile.public, name="public"),
]
