"""The phone pages residents and organizations book from, under /m/venues/."""

from django.urls import path

from jiceng.venues import views

app_name = "venues_m"
urlpatterns = [
    path("", views.m_list, name="list"),
    path("mine/", views.m_mine, name="mine"),
    path("mine/<int:pk>/cancel/", views.m_cancel, name="cancel"),
    path("<int:pk>/", views.m_venue, name="venue"),
    path("<int:pk>/contact/", views.venue_contact, name="contact"),
    path("<int:pk>/calendar.ics", views.feed, name="feed"),
]
