from django.urls import path

from jiceng.party import meeting_views, mobile, views

app_name = "party"
urlpatterns = [
    path("", views.party_home, name="home"),
    path("members/", views.members, name="members"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("meetings/", meeting_views.meetings, name="meetings"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/qr/", meeting_views.meeting_qr, name="meeting_qr"),
    path("registrations/", views.registrations, name="registrations"),
    path("registrations/<int:pk>/decide/", views.registration_decide, name="registration_decide"),
    path("checkin/", mobile.checkin, name="checkin"),
    path("dues/", views.dues, name="dues"),
    path("orgs/", views.orgs, name="orgs"),
    path("orgs/<int:pk>/", views.org_detail, name="org"),
    path("mine/", mobile.mine, name="mine"),
    path("learning/import/", views.learning_import, name="learning_import"),
]
