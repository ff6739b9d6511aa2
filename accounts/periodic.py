"""The accounts' periodic jobs, registered with core.periodic (see AccountsConfig.ready)."""

from core.periodic import register


def _webhook_retries() -> int:
    from .webhooks import retry_due

    return retry_due()


def register_jobs() -> None:
    register(
        "webhook_retries",
        _webhook_retries,
        description="send webhook deliveries whose next attempt is due",
        minute="*",
    )
