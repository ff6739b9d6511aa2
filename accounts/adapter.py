from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """allauth hooks: sign-up stays open; invitations pre-verify the invited address."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return True
