from django.urls import path

from jiceng.onboarding import views

app_name = "onboarding"
urlpatterns = [path("", views.onboarding_view, name="page")]
