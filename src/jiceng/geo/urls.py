from django.urls import path

from jiceng.geo import import_views, views

app_name = "geo"
urlpatterns = [
    path("", views.division_list, name="divisions"),
    path("import/", import_views.place_import_start, name="place_import"),
    # the name the onboarding page's fix links use (onboarding lives above geo)
    path("import/", import_views.place_import_start, name="import"),
    path("import/<int:pk>/", import_views.place_import_job, name="place_import_job"),
    path(
        "import/<int:pk>/report.xlsx", import_views.place_import_report, name="place_import_report"
    ),
    path("<str:code>/", views.division_detail, name="division"),
]
