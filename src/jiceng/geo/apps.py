from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "jiceng.geo"
    label = "geo"
    verbose_name = "区划与网格"
