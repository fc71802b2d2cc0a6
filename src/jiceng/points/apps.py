from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "jiceng.points"
    label = "points"
    verbose_name = "积分"

    def ready(self) -> None:
        # Apps report what earns points through jiceng.core.registry; points books it.
        from jiceng.core.registry import connect_points
        from jiceng.points.services import RECEIVER

        connect_points(RECEIVER)
