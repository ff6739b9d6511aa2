"""The accounts' periodic jobs, registered with core.periodic (see AccountsConfig.ready)."""

from core.periodic import register


def _webhook_retries() -> int:
    from .webhooks import retry_due

    return retry_due()


def _clear_expired() -> dict:
    from .cleanup import clear_expired

    return clear_expired()


def _idempotency_keys() -> int:
    from .idempotency import clear_expired

    return clear_expired()


def register_jobs() -> None:
    register(
        "webhook_retries",
        _webhook_retries,
        description="send webhook deliveries whose next attempt is due",
        minute="*",
    )
    register(
        "clear_expired",
        _clear_expired,
        description="delete expired sessions, and API tokens expired or revoked 90 days ago",
        minute=30,
        hour=3,
    )
    register(
        "idempotency_keys",
        _idempotency_keys,
        description="forget Idempotency-Keys and form tokens older than 24 hours",
        minute=30,
    )
