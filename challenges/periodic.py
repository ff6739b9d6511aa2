"""The challenges' periodic jobs, registered with core.periodic (see ChallengesConfig.ready)."""

from core.periodic import register

from . import services


def register_jobs() -> None:
    register(
        "close_due_challenges",
        services.close_due_challenges,
        description="mark challenges past their closing time as closed",
        minute="*/5",
    )
