from django.urls import path

app_name = "points"
urlpatterns: list = []
