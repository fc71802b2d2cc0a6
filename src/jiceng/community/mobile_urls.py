"""The phone pages of community services, under /m/services/."""

from django.urls import path

from jiceng.community import mobile

app_name = "m_services"
urlpatterns = [
    path("", mobile.hub, name="hub"),
    path("calendar/", mobile.month_calendar, name="calendar"),
    path("calendar/<str:code>/", mobile.month_calendar, name="calendar_of"),
    path("calendar/<str:code>.ics", mobile.calendar_feed, name="feed"),
    path("activities/<int:pk>/", mobile.activity_detail, name="activity"),
    path("activities/<int:pk>/signup/", mobile.activity_signup, name="signup"),
    path("activities/<int:pk>/cancel/", mobile.activity_cancel_signup, name="cancel"),
    path("activities/<int:pk>/rate/", mobile.activity_rate, name="rate"),
    path("checkin/", mobile.checkin, name="checkin"),
    path("needs/", mobile.needs, name="needs"),
    path("wishes/", mobile.wish_wall, name="wishes"),
    path("wishes/new/", mobile.wish_new, name="wish_new"),
    path("wishes/<int:pk>/", mobile.wish_detail, name="wish"),
    path("orders/", mobile.my_orders, name="orders"),
    path("orders/<int:pk>/", mobile.order_act, name="order_act"),
]
