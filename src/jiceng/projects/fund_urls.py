"""The staff's pages of money, under /console/projects/funds/."""

from django.urls import path

from jiceng.projects import fund_views as v

app_name = "funds"
urlpatterns = [
    path("", v.lines, name="lines"),
    path("new/", v.line_new, name="line_new"),
    path("<int:pk>/", v.line_detail, name="line"),
    path("allocations/<int:pk>/revise/", v.allocation_revise, name="revise"),
    path("allocations/<int:pk>/spend/", v.spending_new, name="spend"),
    path("spending/", v.spending_list, name="spending"),
    path("spending/<int:pk>/<str:action>/", v.spending_decide, name="decide"),
]
