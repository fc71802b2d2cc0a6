from django.urls import path

from jiceng.services import views

app_name = "services"
urlpatterns = [
    path("", views.home, name="home"),
]
