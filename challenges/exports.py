"""CSV tables of a challenge's applications and scores (formula-safe through core.exports).
The viewer's conflicted applications are never among the rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from accounts.models import Organisation, User

from . import selectors
from .models import Application, Challenge


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


def organisation_section(organisation: Organisation) -> tuple[str, dict, list[tuple[Any, str]]]:
    """The organisation's part in challenges, for its data export: the challenges it set and
    the applications it made (with their files). Other start-ups' applications are theirs."""
    owned = Challenge.objects.filter(owner=organisation).prefetch_related("criteria", "questions")
    applications = (
        Application.objects.filter(organisation=organisation)
        .select_related("challenge", "decision", "testbed")
        .prefetch_related("files")
        .order_by("pk")
    )
    data = {
        "set": [
            {
                "title": c.title,
                "slug": c.slug,
                "status": c.status,
                "problem": c.problem,
                "opens_at": c.opens_at,
                "closes_at": c.closes_at,
                "criteria": [{"name": k.name, "weight": k.weight} for k in c.criteria.all()],
                "questions": [{"text": q.text, "kind": q.kind} for q in c.questions.all()],
            }
            for c in owned
        ],
        "applications": [
            {
                "challenge": a.challenge.title,
                "title": a.title,
                "summary": a.summary,
                "status": a.status,
                "answers": a.answers,
                "plan": a.plan,
                "kpis": a.kpis,
                "test_bed": a.testbed.name if a.testbed else "",
                "first_day": a.first_day,
                "last_day": a.last_day,
                "submitted_at": a.submitted_at,
                "decision": getattr(getattr(a, "decision", None), "outcome", ""),
                "feedback": getattr(getattr(a, "decision", None), "feedback", ""),
            }
            for a in applications
        ],
    }
    files = [
        (f.file, f"challenges/applications/{a.pk}/{f.pk}-{f.original_name}")
        for a in applications
        for f in a.files.all()
    ]
    return "challenges", data, files
