"""The pages of accounts: login, the role homes, accounts and roles (mounted by its manifest)."""

from django.urls import include, path

from jiceng.accounts import views

account_patterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("otp/", views.otp_view, name="otp"),
    path("otp/setup/", views.otp_setup_view, name="otp_setup"),
    path("password/", views.password_change_view, name="password_change"),
    path("users/", views.users_view, name="users"),
    path("users/create/", views.user_create_view, name="user_create"),
    path("users/assign/", views.role_assign_view, name="role_assign"),
    path("users/assignments/<int:pk>/end/", views.role_end_view, name="role_end"),
]

console_patterns = [
    path("", views.console_home, name="home"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("m/", views.resident_home, name="resident_home"),
    path("m/member/", views.member_home, name="member_home"),
    path("no-role/", views.no_role, name="no_role"),
    path("accounts/", include((account_patterns, "accounts"))),
    path("console/", include((console_patterns, "console"))),
]
