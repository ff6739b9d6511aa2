"""The public body's decision on what an accepted trial led to. Each change is a version."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.events import record_event
from accounts.models import User
from accounts.notifications import members_of, notify
from accounts.webhooks import emit_for_trial
from trials.models import Trial

from ..models import (
    PROCUREMENT_STATUSES,
    Adoption,
    AdoptionDecision,
    AdoptionStatus,
    NotAdoptedReason,
    NoticeSource,
    Route,
    ValueBand,
)
from .common import (
    bump_if_public,
    clean_count,
    clean_date,
    clean_https,
    clean_money,
    clean_text,
    locked,
    refuse,
    require_provider,
)

DECISION_FIELDS = (
    "status",
    "reasons",
    "reason_other",
    "route",
    "framework_name",
    "route_other",
    "notice_url",
    "notice_source",
    "contract_value",
    "value_band",
    "start_date",
    "sites",
    "users",
    "population",
    "note",
)

# Where a notice is published, told from the address when the person did not say.
NOTICE_HOSTS = {
    "find-tender.service.gov.uk": NoticeSource.FIND_A_TENDER,
    "contractsfinder.service.gov.uk": NoticeSource.CONTRACTS_FINDER,
    "publiccontractsscotland.gov.uk": NoticeSource.PUBLIC_CONTRACTS_SCOTLAND,
    "sell2wales.gov.wales": NoticeSource.SELL2WALES,
    "etendersni.gov.uk": NoticeSource.ETENDERS_NI,
}


def _choice(value, choices, field: str, errors: dict, message: str) -> str:
    text = value if isinstance(value, str) else ""
    if text and text not in choices.values:
        errors[field] = message
        return ""
    return text


def clean_decision(trial: Trial, data: dict[str, Any]) -> dict[str, Any]:
    """The decision's fields, checked against each other and the trial; ValidationError
    naming each bad field otherwise. Fields that do not belong to the status are emptied."""
    errors: dict[str, str] = {}
    status = data.get("status") or ""
    if status not in AdoptionStatus.values:
        errors["status"] = _("Choose what happened after the trial.")
        refuse(errors)
    clean: dict[str, Any] = dict.fromkeys(DECISION_FIELDS, "")
    clean.update(
        status=status,
        reasons=[],
        contract_value=None,
        start_date=None,
        sites=None,
        users=None,
        population=None,
    )
    clean["note"] = clean_text(data.get("note"), "note", errors, limit=2000)
    if status == AdoptionStatus.NOT_ADOPTED:
        reasons = data.get("reasons") or []
        if isinstance(reasons, str):
            reasons = [reasons]
        if not isinstance(reasons, list | tuple) or not all(isinstance(r, str) for r in reasons):
            reasons = ["?"]
        if not reasons:
            errors["reasons"] = _("Choose at least one reason it was not adopted.")
        elif any(r not in NotAdoptedReason.values for r in reasons):
            errors["reasons"] = _("Choose reasons from the list.")
        else:
            clean["reasons"] = [r for r in NotAdoptedReason.values if r in reasons]
        other = clean_text(
            data.get("reason_other"), "reason_other", errors, limit=300, single_line=True
        )
        if "other" in clean["reasons"] and not other and "reason_other" not in errors:
            errors["reason_other"] = _("Say what the other reason was.")
        clean["reason_other"] = other if "other" in clean["reasons"] else ""
    if status in PROCUREMENT_STATUSES:
        adopted = status == AdoptionStatus.ADOPTED
        route = _choice(data.get("route"), Route, "route", errors, _("Choose a route."))
        if not route and "route" not in errors:
            errors["route"] = _("Say by which route it is being bought.")
        clean["route"] = route
        framework = clean_text(
            data.get("framework_name"), "framework_name", errors, limit=200, single_line=True
        )
        if route == Route.FRAMEWORK and not framework and "framework_name" not in errors:
            errors["framework_name"] = _("Name the framework.")
        clean["framework_name"] = framework if route == Route.FRAMEWORK else ""
        route_other = clean_text(
            data.get("route_other"), "route_other", errors, limit=200, single_line=True
        )
        if route == Route.OTHER and not route_other and "route_other" not in errors:
            errors["route_other"] = _("Say which route.")
        clean["route_other"] = route_other if route == Route.OTHER else ""
        clean["notice_url"] = clean_https(data.get("notice_url"), "notice_url", errors)
        source = _choice(
            data.get("notice_source"),
            NoticeSource,
            "notice_source",
            errors,
            _("Choose where the notice is published."),
        )
        if clean["notice_url"] and not source:
            host = (urlsplit(clean["notice_url"]).hostname or "").lower().removeprefix("www.")
            source = NOTICE_HOSTS.get(host, NoticeSource.OTHER)
        clean["notice_source"] = source if clean["notice_url"] else ""
        clean["contract_value"] = clean_money(data.get("contract_value"), "contract_value", errors)
        band = _choice(
            data.get("value_band"), ValueBand, "value_band", errors, _("Choose a value band.")
        )
        clean["value_band"] = "" if clean["contract_value"] is not None else band
        if (
            adopted
            and clean["contract_value"] is None
            and not clean["value_band"]
            and not {"contract_value", "value_band"} & errors.keys()
        ):
            errors["contract_value"] = _("Give the contract value in pounds, or choose a band.")
    if status in PROCUREMENT_STATUSES or status == AdoptionStatus.EXTENDED_PILOT:
        clean["start_date"] = clean_date(data.get("start_date"), "start_date", errors, trial=trial)
        if status == AdoptionStatus.ADOPTED and clean["start_date"] is None:
            errors.setdefault("start_date", _("Give the date the contract starts."))
        for field in ("sites", "users", "population"):
            clean[field] = clean_count(data.get(field), field, errors)
        if (
            status == AdoptionStatus.ADOPTED
            and all(clean[f] is None for f in ("sites", "users", "population"))
            and not {"sites", "users", "population"} & errors.keys()
        ):
            errors["sites"] = _("Give the scale: sites, users or population covered.")
    refuse(errors)
    return clean


def _same(adoption: Adoption, clean: dict[str, Any]) -> bool:
    return all(getattr(adoption, field) == value for field, value in clean.items())


@transaction.atomic
def adoption_decide(*, actor: User, adoption: Adoption, **data: Any) -> Adoption:
    """Record (or revise) the decision. A new version with who and when, an event, a
    webhook ``adoption.decided`` and a notice to the start-up. The same decision again
    changes nothing."""
    adoption = locked(adoption)
    trial = adoption.trial
    require_provider(actor, trial)
    clean = clean_decision(trial, data)
    if adoption.version and _same(adoption, clean):
        return adoption
    now = timezone.now()
    previous = adoption.status
    for field, value in clean.items():
        setattr(adoption, field, value)
    adoption.version += 1
    adoption.changed_at = now
    adoption.changed_by_name = actor.get_full_name()
    if adoption.decided_at is None and adoption.status != AdoptionStatus.UNDECIDED:
        adoption.decided_at = now
    if adoption.adopted_at is None and adoption.status == AdoptionStatus.ADOPTED:
        adoption.adopted_at = now
    adoption.save()
    AdoptionDecision.objects.create(
        adoption=adoption,
        number=adoption.version,
        decided_by=actor,
        decided_by_name=actor.get_full_name(),
        organisation_name=trial.testbed.organisation.name,
        created_at=now,
        **clean,
    )
    record_event(
        actor=actor,
        action="adoption.decided",
        target=adoption,
        organisation=trial.testbed.organisation,
        summary=f"{trial.reference}: {previous} → {adoption.status}",
        data={"version": adoption.version, "from": previous, "to": adoption.status},
    )
    emit_for_trial(
        "adoption.decided",
        trial,
        adoption_id=adoption.pk,
        version=adoption.version,
        from_status=previous,
        to_status=adoption.status,
    )
    notify(
        users=members_of(trial.organisation),
        subject=gettext_lazy("What happened next: %(title)s"),
        subject_params={"title": trial.title},
        template="adoption/notifications/decided.txt",
        context={"trial": trial, "adoption": adoption},
        url=adoption.get_absolute_url(),
    )
    bump_if_public(adoption)
    return adoption
