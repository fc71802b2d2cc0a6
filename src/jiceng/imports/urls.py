from django.urls import path

from jiceng.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_start, name="start"),
    path("template.xlsx", views.template_download, name="template"),
    path("<int:pk>/", views.import_job, name="job"),
    path("<int:pk>/errors.xlsx", views.import_report, name="report"),
]
