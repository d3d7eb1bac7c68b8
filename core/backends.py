"""The password backend, loading with the user what every signed-in request reads anyway.

Django's ``ModelBackend`` loads the session's user with one query, and each page then asks for
the user's insured person in a second (the header, the display mode, the view itself).
``AUTH_USER_RELATED`` (settings: the wiring layer names the relations, core imports no app)
joins them into the user's own query; the API tokens (``core.tokens``) do the same."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend


def user_related() -> tuple[str, ...]:
    return tuple(getattr(settings, "AUTH_USER_RELATED", ()))


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related(*user_related()).get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
