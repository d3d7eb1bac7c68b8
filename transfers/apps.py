from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransfersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "transfers"
    verbose_name = _("转移接续")

    def ready(self):
        # Register the Celery tasks in every process, the web too: services look tasks up by
        # name (``transfers.dispatch_event``) to stay below them, and a name nobody imported
        # is unknown to ``current_app.tasks`` — every dispatch would then wait for the beat
        # re-dispatcher (and never run eagerly without Redis).
        from transfers import tasks  # noqa: F401
