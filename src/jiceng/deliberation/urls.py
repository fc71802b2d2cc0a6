"""The staff's deliberation pages, under /console/deliberation/."""

from django.urls import path

from jiceng.deliberation import views

app_name = "deliberation"
urlpatterns = [
    path("", views.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/qr/", views.meeting_qr, name="meeting_qr"),
    path("issues/", views.issue_list, name="issues"),
    path("issues/<int:pk>/", views.issue_detail, name="issue"),
    path("matters/", views.matter_list, name="matters"),
    path("matters/<int:pk>/", views.matter_detail, name="matter"),
    path("open/<str:code>/", views.public_matters, name="public"),
]
