from django.urls import path

from jiceng.dashboard import screen_views as views

app_name = "screen"
urlpatterns = [
    path("", views.screen_home, name="home"),
    path("<str:code>/", views.screen, name="place"),
    path("<str:code>/data.json", views.screen_json, name="data"),
]
