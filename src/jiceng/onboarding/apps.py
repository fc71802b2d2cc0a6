from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "jiceng.onboarding"
    label = "onboarding"
    verbose_name = "上线"
