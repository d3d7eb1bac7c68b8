from django.apps import AppConfig


class InsuredConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "insured"
