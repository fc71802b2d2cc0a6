from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.module_loading import autodiscover_modules

from jiceng.core import checks  # noqa: F401 - registers the system checks


class CoreConfig(AppConfig):
    name = "jiceng.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        # Each app declares what it gives the shared surfaces in its manifest.py.
        autodiscover_modules("manifest")


class JicengAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the site of the three administrators (core.adminsite)."""

    default = False  # named in INSTALLED_APPS; CoreConfig stays this module's default
    default_site = "jiceng.core.adminsite.JicengAdminSite"
