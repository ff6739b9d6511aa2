from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestbedsConfig(AppConfig):
    name = "testbeds"
    verbose_name = _("Test beds and bookings")
