from django.urls import path

from jiceng.venues import views

app_name = "venues"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.venue_new, name="new"),
    path("<int:pk>/", views.venue_detail, name="detail"),
    path("<int:pk>/edit/", views.venue_edit, name="edit"),
    path("<int:pk>/closures/", views.closure_add, name="closure_add"),
    path("bookings/<int:pk>/contact/", views.booking_contact, name="booking_contact"),
    path(
        "bookings/<int:pk>/<str:action>/",
        views.booking_decide,
        name="decide",
    ),
]
