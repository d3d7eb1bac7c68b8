from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsuredConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "insured"
    verbose_name = _("参保登记")
