from django.apps import AppConfig


class NscaConfig(AppConfig):
    name = "nsca"
    verbose_name = "Site and association"
