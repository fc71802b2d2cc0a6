from django.urls import path

from jiceng.party import views

app_name = "party"
urlpatterns = [
    path("", views.party_home, name="home"),
]
