from django.apps import AppConfig

from .required import install

# Before any app is ready (the admin's autodiscovery imports forms), so every form field
# built from now on names itself in its required-field error. See core/required.py.
install()


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import choices

        choices.install()
