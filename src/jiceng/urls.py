"""The URLs: core's own pages here, every app's pages from its registration (its manifest.py
declares their prefix); this file names no app."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from jiceng.api import api
from jiceng.core import uploads
from jiceng.core import views as core_views
from jiceng.core.registry import url_mounts

# The admin (jiceng.core.adminsite): each of the three administrators sees what their role
# configures, after the second factor.

core_urls = (
    [
        path("audit/", core_views.audit_view, name="audit"),
        path("calendar/", core_views.calendar_view, name="calendar"),
        path("notifications/", core_views.notifications_view, name="notifications"),
    ],
    "core",
)

urlpatterns = [
    *(path(m.prefix, include(m.target, namespace=m.namespace)) for m in url_mounts()),
    path("console/", include(core_urls)),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("livez", core_views.livez, name="livez"),
    # Browsers ask for /favicon.ico where a document names no icon (an image, a PDF or a JSON
    # opened from a link): send them to the icon the pages name, not to a 404.
    path("favicon.ico", core_views.favicon, name="favicon"),
    # Uploaded files, only to a viewer who may see their record (never a public folder).
    # A signed link (Open311 clients have no session); before the general route, which would
    # take "s/<token>" for a stored name.
    path(
        f"{settings.MEDIA_URL.strip('/')}/s/<str:token>/",
        uploads.serve_signed,
        name="uploads-signed",
    ),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", uploads.serve, name="upload"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
