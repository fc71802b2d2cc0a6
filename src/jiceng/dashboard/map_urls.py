from django.urls import path

from jiceng.dashboard import map_views as views

app_name = "dashboard_map"
urlpatterns = [
    path("", views.map_page, name="home"),
    path("<str:code>/", views.map_page, name="place"),
]
