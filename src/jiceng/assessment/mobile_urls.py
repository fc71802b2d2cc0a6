"""The phone pages under /m/assessment/: the two-way evaluation, the appraisals to grade."""

from django.urls import path

from jiceng.assessment import views as v

app_name = "assessment_m"
urlpatterns = [
    path("", v.m_home, name="home"),
    path("appraisals/<int:pk>/", v.m_appraisal, name="appraisal"),
]
