from django.apps import AppConfig


class CommunityConfig(AppConfig):
    """Community services (社区服务): the three lists, activities, service orders, micro-wishes.
    Named ``services`` before: ``jiceng migrate`` carries an older database over (core.renames)."""

    name = "jiceng.community"
    label = "community"
    verbose_name = "社区服务"
