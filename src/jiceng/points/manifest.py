"""What points gives the shared surfaces: its URLs and API, and the member home's link to the
member's own points."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.registry import Api, HomeLink, Urls, register_component
from jiceng.points import indicators  # noqa: F401 - registers the points indicator

register_component(
    "points",
    urls=[Urls("points/", "jiceng.points.urls")],
    api=[Api("/points", "jiceng.points.api.router")],
    home_links=[HomeLink("member", "points", _("我的积分"), "points:me", order=50)],
)

from jiceng.points import books  # noqa: E402, F401  (its record books)
