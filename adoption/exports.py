"""The organisation's part in adoption, for its data export (trials.data_rights): the adoption
records of the trials it ran or hosted (with every version and impact report), and the
interest it registered in other outcomes."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.models import Organisation

from .models import Adoption, Interest
from .services.decisions import DECISION_FIELDS

DECISION = DECISION_FIELDS
REPORT = [
    "months",
    "due_on",
    "submitted_at",
    "late",
    "contracts",
    "investment",
    "investment_round",
    "jobs_created",
    "jobs_safeguarded",
    "further_bodies",
    "further_bodies_count",
    "kpi_results",
    "notes",
    "provider_comment",
]


def organisation_section(organisation: Organisation) -> tuple[str, dict, list[tuple[Any, str]]]:
    adoptions = (
        Adoption.objects.filter(
            Q(trial__organisation=organisation) | Q(trial__testbed__organisation=organisation)
        )
        .select_related("trial")
        .prefetch_related("versions", "reports")
        .order_by("pk")
    )
    data = {
        "records": [
            {
                "trial": a.trial.reference,
                "accepted_on": a.accepted_on,
                **{field: getattr(a, field) for field in DECISION},
                "register_summary": a.register_summary,
                "published_at": a.published_at,
                "versions": [
                    {
                        "number": v.number,
                        "decided_by": v.decided_by_name,
                        "at": v.created_at,
                        **{field: getattr(v, field) for field in DECISION},
                    }
                    for v in a.versions.all()
                ],
                "impact_reports": [
                    {field: getattr(r, field) for field in REPORT} for r in a.reports.all()
                ],
            }
            for a in adoptions
        ],
        "interest_registered": [
            {
                "trial": i.adoption.trial.reference,
                "note": i.note,
                "at": i.created_at,
                "withdrawn_at": i.withdrawn_at,
            }
            for i in Interest.objects.filter(organisation=organisation)
            .select_related("adoption__trial")
            .order_by("pk")
        ],
    }
    return "adoption", data, []
