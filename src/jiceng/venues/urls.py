from django.urls import path

from jiceng.venues import views

app_name = "venues"
urlpatterns = [
    path("", views.home, name="home"),
]
