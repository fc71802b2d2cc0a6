from django.urls import path

from jiceng.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.register_home, name="home"),
]
