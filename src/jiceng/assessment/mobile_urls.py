"""The member's phone page of the two-way evaluation, under /m/assessment/."""

from django.urls import path

from jiceng.assessment import views as v

app_name = "assessment_m"
urlpatterns = [path("", v.m_home, name="home")]
