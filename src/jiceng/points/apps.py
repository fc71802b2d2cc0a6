from django.apps import AppConfig

from jiceng.core.registry import connect_points


class PointsConfig(AppConfig):
    name = "jiceng.points"
    label = "points"
    verbose_name = "积分"

    def ready(self) -> None:
        # Apps report what earns points through jiceng.core.registry; points books it. Imported
        # here, not at the top: the services read models, which load after the app registry.
        from jiceng.points.services import RECEIVER

        connect_points(RECEIVER)
