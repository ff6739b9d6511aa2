from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    """allauth hooks: sign-up stays open; invitations pre-verify the invited address."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return True

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        """New people get e-mails in the language they signed up in."""
        language = translation.get_language() or settings.LANGUAGE_CODE
        user.language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        # Signing up in Welsh is a choice; in the default language it is not (yet).
        user.language_chosen = user.language != settings.LANGUAGE_CODE
        return super().save_user(request, user, form, commit)
