from django.urls import path

from jiceng.dashboard import site_views as views

app_name = "sites"
urlpatterns = [
    path("", views.site_list, name="list"),
    path("new/", views.site_new, name="new"),
    path("<int:pk>/", views.site_detail, name="detail"),
    path("<int:pk>/edit/", views.site_edit, name="edit"),
]
