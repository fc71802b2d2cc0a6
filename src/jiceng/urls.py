from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from jiceng.accounts import views as account_views
from jiceng.api import api
from jiceng.core import uploads
from jiceng.core import views as core_views

# The admin (jiceng.core.adminsite): each of the three administrators sees what their role
# configures, after the second factor.

accounts_urls = (
    [
        path("login/", account_views.login_view, name="login"),
        path("logout/", account_views.logout_view, name="logout"),
        path("otp/", account_views.otp_view, name="otp"),
        path("otp/setup/", account_views.otp_setup_view, name="otp_setup"),
        path("users/", account_views.users_view, name="users"),
        path("users/create/", account_views.user_create_view, name="user_create"),
        path("users/assign/", account_views.role_assign_view, name="role_assign"),
        path("users/assignments/<int:pk>/end/", account_views.role_end_view, name="role_end"),
    ],
    "accounts",
)

console_urls = (
    [
        path("", account_views.console_home, name="home"),
    ],
    "console",
)

core_urls = (
    [
        path("audit/", core_views.audit_view, name="audit"),
        path("calendar/", core_views.calendar_view, name="calendar"),
        path("notifications/", core_views.notifications_view, name="notifications"),
    ],
    "core",
)

urlpatterns = [
    path("", account_views.home, name="home"),
    path("m/", account_views.resident_home, name="resident_home"),
    path("m/member/", account_views.member_home, name="member_home"),
    path("no-role/", account_views.no_role, name="no_role"),
    path("accounts/", include(accounts_urls)),
    path("console/", include(console_urls)),
    path("console/", include(core_urls)),
    path("console/geo/", include("jiceng.geo.urls")),
    path("console/registry/", include("jiceng.registry.urls")),
    path("console/party/", include("jiceng.party.urls")),
    path("points/", include("jiceng.points.urls")),
    path("cases/", include("jiceng.cases.urls")),
    path("console/services/", include("jiceng.community.urls")),
    path("m/services/", include("jiceng.community.mobile_urls")),
    path("console/venues/", include("jiceng.venues.urls")),
    path("m/venues/", include("jiceng.venues.mobile_urls")),
    path("open311/v2/", include("jiceng.cases.open311")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("livez", core_views.livez, name="livez"),
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
