from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"
    verbose_name = _("出具文书")

    def ready(self):
        from django.core import checks

        from documents.checks import check_document_rendering

        checks.register(check_document_rendering)
