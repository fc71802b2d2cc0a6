from django.urls import path

from jiceng.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("indicators/", views.definitions, name="definitions"),
    path("refresh/", views.refresh, name="refresh"),
    path("<str:code>/", views.dashboard, name="place"),
]
