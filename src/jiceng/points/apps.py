from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "jiceng.points"
    label = "points"
    verbose_name = "积分"

    def ready(self) -> None:
        # Party's services report what earns points through party.scoring; points books it.
        from jiceng.party import scoring
        from jiceng.points.services import RECEIVER

        scoring.connect(RECEIVER)
