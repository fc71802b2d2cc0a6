from django.urls import path

from jiceng.dashboard import warning_views as views

app_name = "warnings"
urlpatterns = [
    path("", views.warning_list, name="list"),
    path("<int:pk>/", views.warning_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.warning_act, name="act"),
]
