"""CSV tables of a challenge's applications and scores (formula-safe through core.exports).
The viewer's conflicted applications are never among the rows."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from accounts.models import User

from . import selectors
from .models import Challenge


def applications_table(challenge: Challenge, user: User) -> tuple[list[str], Iterator[list]]:
    rows = selectors.ranking(challenge, user)
    criteria = list(challenge.criteria.all())
    header = [
        _("Reference"),
        _("Start-up"),
        _("Proposal"),
        _("Submitted"),
        _("Test bed"),
        _("First day"),
        _("Last day"),
        _("Assessors"),
        _("Weighted mean"),
        _("Largest spread"),
        *[_("%(criterion)s (mean)") % {"criterion": c.name} for c in criteria],
        _("Decision"),
        _("Trial"),
    ]

    def lines() -> Iterator[list]:
        for row in rows:
            application = row.application
            decision = getattr(application, "decision", None)
            yield [
                application.reference,
                application.organisation.name,
                application.title,
                application.submitted_at,
                application.testbed.name if application.testbed else "",
                application.first_day,
                application.last_day,
                row.assessors,
                row.weighted_mean,
                row.spread,
                *[r.mean for r in row.criteria],
                decision.get_outcome_display() if decision else "",
                application.trial.reference if application.trial_id else "",
            ]

    return header, lines()


def scores_table(challenge: Challenge, user: User) -> tuple[list[str], Iterator[list]]:
    header = [
        _("Reference"),
        _("Start-up"),
        _("Assessor"),
        _("Criterion"),
        _("Weight"),
        _("Score"),
        _("Comment"),
        _("Submitted"),
    ]

    def lines() -> Iterator[list]:
        rows = selectors.export_scores(challenge, user).iterator(chunk_size=5000)
        for application_id, startup, email, criterion, weight, score, comment, when in rows:
            yield [
                f"APP-{application_id:05d}",
                startup,
                email,
                criterion,
                weight,
                score,
                comment,
                when,
            ]

    return header, lines()
