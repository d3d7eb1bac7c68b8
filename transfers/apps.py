from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransfersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "transfers"
    verbose_name = _("转移接续")

    def ready(self):
        from django.core.checks import register

        # The web process enqueues the outbox's task by name: it must be registered there
        # too, not only in workers (which import every tasks module at start).
        from transfers import tasks  # noqa: F401
        from transfers.checks import check_holiday_schedule

        register(check_holiday_schedule)
