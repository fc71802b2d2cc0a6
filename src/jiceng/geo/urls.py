from django.urls import path

from jiceng.geo import views

app_name = "geo"
urlpatterns = [
    path("", views.division_list, name="divisions"),
]
