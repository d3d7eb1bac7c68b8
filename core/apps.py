from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The bottom layer: domain errors, the SMS adapter, in-app notifications, login pages.
    It imports no other app of the project."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = _("公共")

    def ready(self):
        # Signal receivers: the login guard's counters and the session clock.
        from core import login_guard, sessions  # noqa: F401
