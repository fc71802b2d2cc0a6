"""The care tags and the console figure that counts them read in English for a reader who
chose English (the grid worker's home showed 独居老人 among English labels)."""

from django.utils import translation

from jiceng.core.registry import figures_for
from jiceng.registry.models import CareTag


def test_care_tags_and_their_figure_read_in_english():
    with translation.override("en"):
        labels = {str(label) for _, label in CareTag.Tag.choices}
        figure = next(f for f in figures_for({"grid_worker"}) if f.key == "registry.elderly_alone")
        assert labels == {
            "Elderly living alone",
            "Person with a disability",
            "Subsistence allowance / low income",
            "Veteran or military family",
            "Child in difficulty",
        }
        assert str(figure.label) == "Elderly living alone"
