from django.urls import path

from jiceng.geo import views

app_name = "geo"
urlpatterns = [
    path("", views.division_list, name="divisions"),
    path("<str:code>/", views.division_detail, name="division"),
]
