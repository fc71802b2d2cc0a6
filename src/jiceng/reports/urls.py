"""The reports pages, under /console/reports/."""

from django.urls import path

from jiceng.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("books/<str:key>/<str:fmt>/", views.book_download, name="book"),
    path("files/<int:pk>/", views.generation, name="generation"),
    path("files/<int:pk>/<str:fmt>/", views.generation_file, name="file"),
    path("monthly/", views.monthly, name="monthly"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
]
