"""What an evidence pack needs, and what goes into it.

``submission_gaps`` is the completeness check a start-up sees before submitting.
``build_pack_content`` reads a trial into the plain PackContent the renderer uses;
it is frozen as JSON on the pack version, so later edits never change a pack.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.bilingual import text_in

from .models import (
    ApprovalItem,
    ApprovalState,
    EvidencePack,
    Kpi,
    Recommendation,
    Review,
    Trial,
    TrialEvent,
)
from .pdf.content import (
    PackApproval,
    PackContent,
    PackEvent,
    PackFile,
    PackKpi,
    PackLogEntry,
    PackMeasurement,
    PackOutcomeItem,
    PackPartner,
    PackPhoto,
    PackReview,
)
from .selectors import kpi_rows, trial_page_data

OUTCOME_REQUIRED = [
    ("outcome_summary", gettext_lazy("the results against the objectives")),
    ("lessons_learned", gettext_lazy("the lessons learned")),
    ("safety_incidents", gettext_lazy("safety incidents (write 'None' if there were none)")),
    ("recommendation", gettext_lazy("a recommendation: stop, adapt or scale")),
]


def submission_gaps(trial: Trial, kpis: list[Kpi] | None = None) -> list[str]:
    """What is missing before the trial can be submitted, in words a person can act on.
    ``kpis``: the trial's KPIs with their measurements prefetched, if the caller has them."""
    gaps = []
    if not trial.objectives.strip():
        gaps.append(_("the trial's objectives (in the plan)"))
    for field, label in OUTCOME_REQUIRED:
        if not str(getattr(trial, field) or "").strip():
            gaps.append(str(label))
    if trial.trl_achieved is None:
        gaps.append(_("the TRL achieved"))
    if kpis is None:
        kpis = list(trial.kpis.prefetch_related("measurements"))
    if not kpis:
        gaps.append(_("at least one KPI"))
    for kpi in kpis:
        if not kpi.measurements.all() and not kpi.no_measurement_reason.strip():
            gaps.append(
                _("a measurement of “%(kpi)s”, or why it could not be measured") % {"kpi": kpi.name}
            )
    return gaps


def _approvals(trial: Trial) -> tuple[PackApproval, ...]:
    states = dict(ApprovalState.choices)
    items = []
    for code, label in ApprovalItem.choices:
        entry = trial.approvals.get(code) or {}
        state = states.get(entry.get("status"), states[ApprovalState.NOT_YET])
        items.append(PackApproval(label=str(label), status=str(state), note=entry.get("note", "")))
    return tuple(items)


def _kpis(data: dict) -> tuple[PackKpi, ...]:
    kpis = []
    for row in kpi_rows(data["kpis"]):
        kpi = row["kpi"]
        kpis.append(
            PackKpi(
                name=kpi.name,
                unit=kpi.unit,
                baseline=kpi.baseline,
                target=kpi.target,
                direction=kpi.direction,
                method=kpi.method,
                data_source=kpi.data_source,
                latest=row["latest"],
                progress=row["progress"],
                met=row["met"],
                no_measurement_reason=kpi.no_measurement_reason,
                measurements=tuple(
                    PackMeasurement(
                        date=m.date,
                        value=m.value,
                        note=m.note,
                        recorded_by=m.recorded_by.get_full_name() if m.recorded_by else "",
                        corrected=m.corrected_at is not None,
                    )
                    for m in row["measurements"]
                ),
                corrected=kpi.corrected_at is not None,
            )
        )
    return tuple(kpis)


def _outcome(trial: Trial) -> tuple[PackOutcomeItem, ...]:
    items = [
        (_("Results against objectives"), trial.outcome_summary),
        (_("What users said"), trial.user_feedback),
        (_("Lessons learned"), trial.lessons_learned),
        (_("Safety incidents"), trial.safety_incidents),
        (_("Inclusion and accessibility"), trial.inclusion_notes),
        (_("Environmental impact"), trial.environmental_notes),
        (_("Next steps"), trial.next_steps),
    ]
    return tuple(PackOutcomeItem(heading=str(h), text=t) for h, t in items if t.strip())


def _review(review: Review, reviewed: EvidencePack) -> PackReview:
    return PackReview(
        reviewer=review.reviewer_name,
        reviewer_organisation=review.reviewer_organisation,
        decision=str(review.get_decision_display()),
        decided_at=review.created_at,
        comments=review.comments,
        reviewed_version=reviewed.version,
        reviewed_sha256=reviewed.sha256,
    )


def build_pack_content(
    trial: Trial,
    *,
    code: str,
    version: int,
    generated_at: datetime.datetime,
    status: str,
    review: Review | None = None,
    reviewed: EvidencePack | None = None,
    language: str = "en-gb",
) -> PackContent:
    """The trial as it stands, as plain data for one pack version."""
    data = trial_page_data(trial)
    testbed = trial.testbed
    photos = [f for f in data["files"] if f.is_photo]
    return PackContent(
        language=language,
        code=code,
        version=version,
        status=status,
        verify_url=settings.SITE_URL + reverse("verify", kwargs={"code": code}),
        generated_at=generated_at,
        trial_title=trial.title,
        trial_reference=trial.reference,
        startup_name=trial.organisation.name,
        testbed_name=text_in(testbed.name, testbed.name_cy, language),
        provider_name=testbed.organisation.name,
        testbed_region=str(testbed.get_region_display()),
        testbed_place=testbed.place,
        testbed_summary=text_in(testbed.summary, testbed.summary_cy, language),
        programme_name=trial.programme.name if trial.programme else "",
        first_day=trial.booking.start,
        last_day=trial.booking.last_day,
        product_name=trial.product_name,
        problem_statement=trial.problem_statement,
        objectives=trial.objectives,
        hypothesis=trial.hypothesis,
        setting_and_participants=trial.setting_and_participants,
        approvals=_approvals(trial),
        approvals_note=trial.approvals_note,
        trl_start=trial.trl_start,
        trl_target=trial.trl_target,
        trl_achieved=trial.trl_achieved,
        executive_summary=trial.outcome_summary,
        recommendation=str(Recommendation(trial.recommendation).label)
        if trial.recommendation
        else "",
        kpis=_kpis(data),
        partners=tuple(
            PackPartner(
                name=p.organisation.name,
                role=str(p.get_role_display()),
                contribution=p.contribution,
            )
            for p in data["partners"]
            if p.organisation_id and p.accepted_at
        ),
        log_entries=tuple(
            PackLogEntry(
                date=e.date,
                author=e.author_name,
                organisation=e.organisation.name,
                kind=e.kind,
                text=e.text,
                corrected=e.corrected_at is not None,
            )
            for e in sorted(data["log_entries"], key=lambda e: (e.date, e.pk))
        ),
        events=tuple(
            PackEvent(
                at=e.created_at,
                actor=e.actor_name,
                from_status=e.get_from_status_display()
                if e.from_status and e.from_status != e.to_status
                else "",
                to_status=str(_("Value corrected"))
                if e.kind == TrialEvent.Kind.CORRECTION
                else str(_("Dates changed"))
                if e.from_status == e.to_status
                else str(e.get_to_status_display()),
                note=e.note,
            )
            for e in data["events"]
        ),
        photos=tuple(
            PackPhoto(
                path="",
                name=(f.print_version or f.file).name,
                caption=f.caption,
                alt_text=f.caption,
            )
            for f in photos
        ),
        files=tuple(
            PackFile(
                name=f.original_name, caption=f.caption, kind=f.kind, size=f.size, sha256=f.sha256
            )
            for f in data["files"]
        ),
        outcome=_outcome(trial),
        review=_review(review, reviewed) if review is not None and reviewed is not None else None,
    )
