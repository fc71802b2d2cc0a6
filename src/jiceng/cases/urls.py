from django.urls import path

from jiceng.cases import views

app_name = "cases"
urlpatterns = [
    path("report/", views.report, name="report"),
    path("mine/", views.mine, name="mine"),
    path("inbox/", views.inbox, name="inbox"),
    path("metrics/", views.metrics_view, name="metrics"),
    path("dispatch-defaults/", views.dispatch_defaults, name="dispatch_defaults"),
    path("open/<str:code>/", views.public_metrics, name="public_metrics"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/contact/", views.reveal_contact, name="reveal_contact"),
    path("<str:number>/act/<str:action>/", views.act, name="act"),
    path("<str:number>/follow/", views.follow, name="follow"),
    path("<str:number>/whistle/", views.whistle, name="whistle"),
    path("<str:number>/whistle/<int:pk>/respond/", views.whistle_respond, name="whistle_respond"),
]
