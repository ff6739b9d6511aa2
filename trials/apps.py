from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrialsConfig(AppConfig):
    name = "trials"
    verbose_name = _("Trials and evidence packs")

    def ready(self) -> None:
        # Registers the tasks by name: services enqueue them without importing this module.
        from . import periodic, tasks  # noqa: F401

        periodic.register_jobs()
