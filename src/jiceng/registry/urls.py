from django.urls import path

from jiceng.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.register_home, name="home"),
    path("compounds/add/", views.compound_add, name="compound_add"),
    path("compounds/<int:pk>/", views.compound_detail, name="compound"),
    path("buildings/<int:pk>/", views.building_detail, name="building"),
    path("dwellings/<int:pk>/", views.dwelling_detail, name="dwelling"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("people/<int:pk>/<str:action>/", views.person_status, name="person_status"),
    path("import/", views.import_start, name="import"),
    path("import/template.xlsx", views.template_download, name="template"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/errors.xlsx", views.import_report, name="import_report"),
    path("export.xlsx", views.export, name="export"),
]
