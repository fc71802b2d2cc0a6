from django.urls import path

from jiceng.community import activity_views, order_views, views

app_name = "services"
urlpatterns = [
    path("", views.home, name="home"),
    path("needs/", views.need_list, name="needs"),
    path("needs/<int:pk>/review/", views.need_review, name="need_review"),
    path("offers/", views.offer_list, name="offers"),
    path("projects/", views.project_list, name="projects"),
    path("projects/<int:pk>/publish/", views.project_publish, name="project_publish"),
    path("projects/publish-month/", views.month_publish, name="month_publish"),
    path("teams/", views.team_list, name="teams"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("activities/", activity_views.activity_list, name="activities"),
    path("activities/<int:pk>/", activity_views.activity_detail, name="activity"),
    path("activities/<int:pk>/qr/", activity_views.activity_qr, name="activity_qr"),
    path("orders/", order_views.order_list, name="orders"),
    path("orders/<int:pk>/", order_views.order_detail, name="order"),
    path("wishes/", order_views.wish_list, name="wishes"),
    path("wishes/<int:pk>/review/", order_views.wish_review, name="wish_review"),
]
