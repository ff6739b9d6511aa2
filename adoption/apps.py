from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdoptionConfig(AppConfig):
    name = "adoption"
    verbose_name = _("Adoption")

    def ready(self) -> None:
        from . import periodic, receivers  # noqa: F401 — connects the acceptance receiver

        periodic.register_jobs()
        from trials.data_rights import register_account_eraser, register_export_section

        from .erasure import erase_person
        from .exports import organisation_section

        register_export_section(organisation_section)
        register_account_eraser(erase_person)
