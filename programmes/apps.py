from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    """The programme officer's side: portfolio, reports and dashboards. Top floor: it reads
    trials, challenges and adoption through their selectors and owns no trial rule."""

    name = "programmes"
    verbose_name = _("Programmes and portfolio")
