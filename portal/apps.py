from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = _("门户")


class PortalAdminConfig(admin_apps.AdminConfig):
    """The back office: Django's admin on ``portal.admin_site.PortalAdminSite`` (second factor
    for every page, the workbench as its landing page)."""

    default = False  # named explicitly in INSTALLED_APPS
    default_site = "portal.admin_site.PortalAdminSite"
