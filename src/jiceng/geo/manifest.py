"""What geo gives the shared surfaces: how many streets, communities and grids a scope holds."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.registry import register_figure
from jiceng.geo.models import Division


def _count(level: str, scopes: list[str]) -> int:
    return Division.objects.within(*scopes).filter(level=level, is_active=True).count()


register_figure("geo.streets", _("街道"), lambda scopes: _count("street", scopes))
register_figure("geo.communities", _("社区和村"), lambda scopes: _count("community", scopes))
register_figure("geo.grids", _("网格"), lambda scopes: _count("grid", scopes))
