from django.apps import AppConfig

from jiceng.core.pages import install_page_check


class AccountsConfig(AppConfig):
    name = "jiceng.accounts"
    label = "accounts"
    verbose_name = "账号与角色"

    def ready(self) -> None:
        # The page guard of every app (core.pages) applies accounts' rule. Imported here, not at
        # the top: the rule reads accounts' models, which cannot load before the app registry.
        from jiceng.accounts.decorators import check_page

        install_page_check(check_page)
