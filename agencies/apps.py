from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agencies"
    verbose_name = _("经办机构与行政区划")

    def ready(self):
        # Cached region and agency names are reloaded in every process after a change.
        from agencies import names

        names.connect()
