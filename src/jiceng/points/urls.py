from django.urls import path

from jiceng.points import views

app_name = "points"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("ranking/", views.ranking, name="ranking"),
    path("manual/", views.manual, name="manual"),
    path("manual/<int:pk>/decide/", views.manual_decide, name="manual_decide"),
]
