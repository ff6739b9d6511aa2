from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    name = "challenges"
    verbose_name = _("Challenges")

    def ready(self) -> None:
        # Registers the tasks by name: services enqueue them without importing this module.
        from . import periodic, tasks  # noqa: F401

        periodic.register_jobs()
        from trials.data_rights import register_account_eraser, register_export_section

        from .erasure import erase_person
        from .exports import organisation_section

        register_export_section(organisation_section)
        register_account_eraser(erase_person)
