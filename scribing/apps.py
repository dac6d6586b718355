from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScribingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scribing"
    verbose_name = _("Scribing")
