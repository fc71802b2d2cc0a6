from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "jiceng.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        # Each app declares what it gives the shared surfaces in its manifest.py.
        autodiscover_modules("manifest")
        from jiceng.core import checks  # noqa: F401 - registers the system checks
