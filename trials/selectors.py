"""Reads of trials, always scoped to what the person may see.

A trial is visible to the members of its start-up, of the public body that owns
its test bed, of the team that runs its programme, and of its partners (while they
are partners). To anyone else it does not exist (404).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Notification, Organisation, User
from testbeds.models import WaitlistEntry

from .models import (
    ChangeRequest,
    EvidenceFile,
    EvidencePack,
    Kpi,
    LogEntry,
    Measurement,
    Message,
    Review,
    Trial,
    TrialEvent,
    TrialPartner,
    TrialStatus,
)


def _organisation_ids(user: User) -> QuerySet:
    return Membership.objects.filter(user=user).values("organisation_id")


def organisation_ids(user: User) -> list[int]:
    """The person's organisations, read once, for filters that take a literal list."""
    return list(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))


def request_organisation_ids(request) -> list[int]:
    """The signed-in person's organisations as ``CurrentOrganisationMiddleware`` read them
    for this request (the page header needs them anyway), else read here."""
    memberships = getattr(request, "memberships", None)
    if memberships is None:
        return organisation_ids(request.user)
    return [membership.organisation_id for membership in memberships]


def trials_visible_to(user: User | None, ids: list[int] | None = None) -> QuerySet[Trial]:
    """Built from the person's organisation ids read once (``ids`` if the caller has them):
    ``pk IN`` the union of four indexed id lists (their own trials, trials on their test
    beds, in the programmes they run, and their active partnerships). Each part reads one
    index and PostgreSQL knows the union is small, so it joins the page's rows only; with
    the four conditions OR-ed over joined tables it hash-joined every trial to every
    booking and filtered afterwards (issue 20: 88 ms → 3 ms on the bench database)."""
    if user is None or not user.is_authenticated:
        return Trial.objects.none()
    if ids is None:
        ids = organisation_ids(user)
    if not ids:
        return Trial.objects.none()
    ids = list(ids)
    own = Trial.objects.filter(organisation_id__in=ids).values("pk")
    provided = Trial.objects.filter(testbed__organisation_id__in=ids).values("pk")
    run = Trial.objects.filter(programme__team_id__in=ids).values("pk")
    partnered = TrialPartner.objects.filter(
        organisation_id__in=ids, removed_at__isnull=True
    ).values("trial_id")
    return Trial.objects.filter(pk__in=own.union(provided, run, partnered))


@dataclass(frozen=True)
class TrialRoles:
    """How a person relates to one trial."""

    startup: bool
    provider: bool
    officer: bool
    partner: bool = False

    @property
    def any(self) -> bool:
        return self.startup or self.provider or self.officer or self.partner


def roles_for(user: User, trial: Trial, ids: list[int] | None = None) -> TrialRoles:
    ids = set(organisation_ids(user) if ids is None else ids)
    startup = trial.organisation_id in ids
    return TrialRoles(
        startup=startup,
        provider=trial.testbed.organisation_id in ids,
        officer=trial.programme_id is not None and trial.programme.team_id in ids,
        partner=not startup
        and TrialPartner.objects.filter(
            trial=trial, organisation_id__in=ids, removed_at__isnull=True
        ).exists(),
    )


def with_list_data(trials: QuerySet[Trial]) -> QuerySet[Trial]:
    return trials.select_related(
        "organisation", "testbed", "testbed__organisation", "booking", "programme"
    )


# What a one-line row of a trial shows (dashboards, queues): title and status, the start-up's
# and the test bed's names, the booked days. Three joins instead of ``with_list_data``'s five,
# and ~15 columns instead of ~150: PostgreSQL plans a 6-way join in milliseconds (more than
# it takes to run it here), and Django compiles and builds every column it selects.
ROW_FIELDS = (
    "title",
    "status",
    "created_at",
    "organisation__name",
    "testbed__name",
    "testbed__slug",
    "booking__testbed",
    "booking__start",
    "booking__end",
)


def as_rows(trials: QuerySet[Trial], *more_fields: str) -> QuerySet[Trial]:
    """``trials`` with just what a row shows (``ROW_FIELDS``, plus ``more_fields``).
    Reading any other field of a row costs a query of its own: add it here instead."""
    return trials.select_related("organisation", "testbed", "booking").only(
        *ROW_FIELDS, *more_fields
    )


def list_ids(trials: QuerySet[Trial]) -> QuerySet:
    """The trials list's order (newest first) as ids only. PostgreSQL plans the visibility
    union with the page's joins and ~150 columns in ~8 ms, longer than it runs; the ids
    alone plan and run in ~2 ms, and ``list_rows`` reads the page's rows by primary key."""
    return trials.order_by("-created_at", "-id").values_list("pk", flat=True)


def list_rows(ids: list[int]) -> list[Trial]:
    """The trials list's rows for ``ids`` (already visible and in order): the columns a
    row shows, four joins (the programme's optional)."""
    rows = as_rows(
        Trial.objects.filter(pk__in=ids), "programme__name", "testbed__organisation__name"
    ).select_related("programme", "testbed__organisation")
    by_pk = {trial.pk: trial for trial in rows}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def parse_id(value: object) -> int | None:
    """A database id from a URL or query string, or None (``isdigit`` also takes "²")."""
    text = str(value)
    return int(text) if re.fullmatch(r"[0-9]{1,18}", text) else None


def filter_trials(trials: QuerySet[Trial], params: Mapping[str, str]) -> QuerySet[Trial]:
    """The trial list's filters (pages and API): status, test bed slug, programme id."""
    if params.get("status") in TrialStatus.values:
        trials = trials.filter(status=params["status"])
    testbed = params.get("testbed")
    if testbed:
        # A slug is letters, digits and hyphens; anything else (a NUL byte, say) matches none.
        is_slug = re.fullmatch(r"[-\w]{1,100}", testbed)
        trials = trials.filter(testbed__slug=testbed) if is_slug else trials.none()
    programme = parse_id(params.get("programme", ""))
    if programme is not None:
        trials = trials.filter(programme_id=programme)
    return trials


def trial_for_viewer(
    *, user: User, pk: int | str, ids: list[int] | None = None
) -> tuple[Trial, TrialRoles]:
    """The trial if the person may see it (else 404), with how they relate to it.

    Read by its primary key, then checked with ``roles_for``: a person sees a trial exactly
    when they have a role in it (the same four ways as ``trials_visible_to``), and the
    roles are needed anyway — one indexed read instead of a filter over every visible trial.
    """
    pk = parse_id(pk)
    if pk is None or user is None or not user.is_authenticated:
        raise Http404
    trial = with_list_data(Trial.objects.filter(pk=pk)).first()
    if trial is None:
        raise Http404
    roles = roles_for(user, trial, ids)
    if not roles.any:
        raise Http404
    return trial, roles


def trial_page_data(trial: Trial) -> dict:
    """Everything the trial page shows, in a fixed number of queries."""
    kpis = list(
        trial.kpis.prefetch_related(
            Prefetch(
                "measurements",
                queryset=Measurement.objects.select_related("recorded_by").order_by("date", "id"),
            )
        ).order_by("position", "id")
    )
    return {
        "kpis": kpis,
        "log_entries": list(
            LogEntry.objects.filter(trial=trial)
            .select_related("organisation")
            .order_by("-date", "-id")
        ),
        "files": list(
            EvidenceFile.objects.filter(trial=trial, removed_at__isnull=True)
            .select_related("organisation")
            .order_by("created_at", "id")
        ),
        "events": list(TrialEvent.objects.filter(trial=trial).order_by("created_at", "id")),
        "change_requests": list(
            ChangeRequest.objects.filter(trial=trial).order_by("-created_at", "-id")
        ),
        "partners": list(
            TrialPartner.objects.filter(trial=trial)
            .select_related("organisation")
            .order_by("invited_at", "id")
        ),
        "packs": list(
            EvidencePack.objects.filter(trial=trial)
            .prefetch_related("reviews")
            .order_by("-version")
        ),
    }


def kpi_rows(kpis: list[Kpi]) -> list[dict]:
    """Each KPI with its latest value, progress and whether it is met."""
    rows = []
    for kpi in kpis:
        measurements = list(kpi.measurements.all())
        latest = measurements[-1].value if measurements else None
        progress = kpi.progress(latest)
        rows.append(
            {
                "kpi": kpi,
                "measurements": measurements,
                "latest": latest,
                "progress": progress,
                "progress_percent": None
                if progress is None
                else round(max(min(progress, 1), 0) * 100),
                "met": kpi.is_met(latest),
                "points": [(m.date, float(m.value)) for m in measurements],
            }
        )
    return rows


# The queue shows each request's proposal: the trial's own columns, not its outcome ones.
QUEUE_FIELDS = (
    "summary",
    "answers",
    "product_name",
    "problem_statement",
    "objectives",
    "setting_and_participants",
    "trl_start",
    "trl_target",
    "approvals",
    "approvals_note",
    "testbed__assurances",
    "testbed__capacity",  # whether each still fits
)


def requests_for_provider(user: User, organisation_ids: list[int] | None = None) -> QuerySet[Trial]:
    """Requests waiting for a decision on the user's test beds, oldest first.

    ``organisation_ids`` (the request's memberships, read by the middleware already) saves
    the membership sub-select: a literal list keeps the query at four tables to plan."""
    ids = _organisation_ids(user) if organisation_ids is None else organisation_ids
    return (
        as_rows(
            Trial.objects.filter(status="requested", testbed__organisation_id__in=ids),
            *QUEUE_FIELDS,
        )
        .prefetch_related("kpis")
        .order_by("created_at", "id")
    )


def waitlist_for(user: User, ids: list[int] | None = None) -> QuerySet[WaitlistEntry]:
    return (
        WaitlistEntry.objects.filter(
            organisation_id__in=_organisation_ids(user) if ids is None else list(ids)
        )
        .select_related("testbed", "organisation")
        .order_by("-created_at")
    )


def waitlist_entry_for(user: User, pk: int) -> WaitlistEntry:
    entry = waitlist_for(user).filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry


def startup_organisation(request_organisation: Organisation | None) -> Organisation | None:
    if request_organisation is not None and request_organisation.is_start_up:
        return request_organisation
    return None


def pack_for_verification(code: str) -> EvidencePack:
    pack = (
        EvidencePack.objects.select_related(
            "trial", "trial__organisation", "trial__testbed__organisation"
        )
        .filter(code=code.strip().upper())
        .first()
    )
    if pack is None:
        raise Http404
    return pack


def verification_facts(pack: EvidencePack) -> dict:
    """What the public verification page may say about a pack: status, decision, fingerprint."""
    latest = pack.trial.packs.order_by("-version").values_list("version", flat=True).first()
    review = Review.objects.filter(pack=pack).order_by("-created_at").first()
    final_review = None
    if pack.is_final:
        final_review = (
            Review.objects.filter(pack__trial=pack.trial, decision="accepted")
            .order_by("-created_at")
            .first()
        )
    return {
        "superseded_by": latest if latest and latest > pack.version else None,
        "review": review,
        "final_review": final_review,
    }


def sha256_of(upload) -> str:
    import hashlib

    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def issued_pack_with_sha256(digest: str) -> EvidencePack | None:
    return (
        EvidencePack.objects.filter(sha256=digest, state=EvidencePack.State.READY)
        .select_related("trial")
        .first()
    )


# Parts of trials, scoped the same way ------------------------------------------


def _measurements_in_order() -> Prefetch:
    return Prefetch(
        "measurements",
        queryset=Measurement.objects.select_related("recorded_by").order_by("date", "id"),
    )


def kpis_visible_to(user: User) -> QuerySet[Kpi]:
    return (
        Kpi.objects.filter(trial__in=trials_visible_to(user))
        .select_related("trial")
        .prefetch_related(_measurements_in_order())
        .order_by("position", "id")
    )


def measurements_visible_to(user: User) -> QuerySet[Measurement]:
    return (
        Measurement.objects.filter(kpi__trial__in=trials_visible_to(user))
        .select_related("kpi__trial", "recorded_by")
        .order_by("date", "id")
    )


def log_entries_visible_to(user: User) -> QuerySet[LogEntry]:
    return (
        LogEntry.objects.filter(trial__in=trials_visible_to(user))
        .select_related("organisation", "trial")
        .order_by("-date", "-id")
    )


def files_visible_to(user: User) -> QuerySet[EvidenceFile]:
    """Evidence files, removed ones included: packs issued before a removal still list them."""
    return (
        EvidenceFile.objects.filter(trial__in=trials_visible_to(user))
        .select_related("trial")
        .order_by("created_at", "id")
    )


def with_reviews(packs: QuerySet[EvidencePack]) -> QuerySet[EvidencePack]:
    return packs.prefetch_related(
        Prefetch("reviews", queryset=Review.objects.order_by("created_at", "id"))
    )


def packs_visible_to(user: User) -> QuerySet[EvidencePack]:
    return with_reviews(
        EvidencePack.objects.filter(trial__in=trials_visible_to(user)).select_related("trial")
    ).order_by("id")


def reviews_waiting(trials: QuerySet[Trial]) -> QuerySet[Trial]:
    """Trials submitted and waiting for a decision, oldest first."""
    return (
        trials.filter(status=TrialStatus.SUBMITTED)
        .select_related("organisation", "testbed")
        .order_by("submitted_at", "pk")
    )


def evidence_overdue(
    trials: QuerySet[Trial], now: datetime.datetime | None = None
) -> QuerySet[Trial]:
    """Completed more than EVIDENCE_DUE_DAYS ago and still not submitted."""
    now = now or timezone.now()
    due = now - datetime.timedelta(days=settings.EVIDENCE_DUE_DAYS)
    return (
        trials.filter(status=TrialStatus.COMPLETED, completed_at__lt=due)
        .select_related("organisation", "testbed")
        .order_by("completed_at", "pk")
    )


# Changes of dates ------------------------------------------------------------------


def change_request_of(trial: Trial, pk: int | str) -> ChangeRequest:
    """One of the trial's change requests (the trial is already checked as visible)."""
    change_id = parse_id(pk)
    change = (
        ChangeRequest.objects.filter(trial=trial, pk=change_id).first()
        if change_id is not None
        else None
    )
    if change is None:
        raise Http404
    change.trial = trial
    return change


def open_change_request(trial: Trial) -> ChangeRequest | None:
    return ChangeRequest.objects.filter(trial=trial, status=ChangeRequest.Status.PENDING).first()


def change_requests_visible_to(user: User) -> QuerySet[ChangeRequest]:
    return (
        ChangeRequest.objects.filter(trial__in=trials_visible_to(user))
        .select_related("trial", "trial__testbed", "trial__organisation", "trial__booking")
        .order_by("created_at", "id")
    )


def can_see(user: User, trial: Trial, ids: list[int]) -> bool:
    """``roles_for(…).any``, without asking about partnerships when another role shows."""
    ids_set = set(ids)
    if (
        trial.organisation_id in ids_set
        or trial.testbed.organisation_id in ids_set
        or (trial.programme_id is not None and trial.programme.team_id in ids_set)
    ):
        return True
    return roles_for(user, trial, ids).any


def change_request_for_viewer(
    user: User, pk: int | str, ids: list[int] | None = None
) -> ChangeRequest:
    """One change request of a trial the person can see (404 otherwise): read by its id
    with its trial, then checked with ``can_see`` (the same rule as ``trial_for_viewer``) —
    index lookups, rather than a filter over every trial the person sees. ``ids``: the
    person's organisation ids, if the caller has them."""
    change_id = parse_id(pk)
    if change_id is None or user is None or not user.is_authenticated:
        raise Http404
    try:
        # With what deciding needs (``services.changes``), in one query; the programme is
        # read only for an officer (``can_see``).
        change = ChangeRequest.objects.select_related(
            "trial__testbed__organisation", "trial__booking"
        ).get(pk=change_id)
    except ChangeRequest.DoesNotExist:
        raise Http404 from None
    if not can_see(user, change.trial, organisation_ids(user) if ids is None else ids):
        raise Http404
    return change


def change_requests_for_provider(
    user: User, organisation_ids: list[int] | None = None
) -> QuerySet[ChangeRequest]:
    """Open changes of dates on the user's test beds, oldest first (``organisation_ids``:
    as in ``requests_for_provider``). Each shows its dates, the trial's title, start-up and
    test bed."""
    ids = _organisation_ids(user) if organisation_ids is None else organisation_ids
    return (
        ChangeRequest.objects.filter(
            status=ChangeRequest.Status.PENDING, trial__testbed__organisation_id__in=ids
        )
        .select_related("trial", "trial__testbed", "trial__organisation")
        .only(
            "trial",
            "kind",
            "old_start",
            "old_end",
            "start",
            "end",
            "reason",
            "status",
            "created_at",
            "trial__title",
            "trial__status",
            "trial__testbed__name",
            "trial__organisation__name",
        )
        .order_by("created_at", "id")
    )


# Partners -------------------------------------------------------------------------


def partners_of(trial: Trial) -> QuerySet[TrialPartner]:
    return (
        TrialPartner.objects.filter(trial=trial)
        .select_related("organisation", "trial")
        .order_by("invited_at", "id")
    )


def partner_of(trial: Trial, pk: int | str) -> TrialPartner:
    partner_id = parse_id(pk)
    partner = partners_of(trial).filter(pk=partner_id).first() if partner_id else None
    if partner is None:
        raise Http404
    return partner


def partner_organisation_choices(user: User) -> QuerySet[Organisation]:
    """The person's organisations that may partner in a trial."""
    return Organisation.objects.filter(
        memberships__user=user,
        kind__in=[
            Organisation.Kind.COMPANY,
            Organisation.Kind.UNIVERSITY,
            Organisation.Kind.PUBLIC_BODY,
        ],
    ).order_by("name")


# Messages -------------------------------------------------------------------------


def messages_of(trial: Trial) -> QuerySet[Message]:
    """The trial's messages, oldest first, with their attachments (two queries)."""
    return (
        Message.objects.filter(trial=trial)
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def thread_parties(trial: Trial) -> list[dict]:
    """Who is in the trial's conversation, with their part in it (one query for partners)."""
    parties = [
        {"name": trial.organisation.name, "role": _("Start-up")},
        {"name": trial.testbed.organisation.name, "role": _("Test bed provider")},
    ]
    for partner in TrialPartner.objects.filter(
        trial=trial, removed_at__isnull=True, organisation__isnull=False
    ).select_related("organisation"):
        parties.append({"name": partner.organisation.name, "role": partner.get_role_display()})
    if trial.programme_id:
        parties.append({"name": trial.programme.name, "role": _("Programme officers")})
    return parties


def thread_data(trial: Trial) -> dict:
    return {"messages_list": list(messages_of(trial)), "parties": thread_parties(trial)}


def threads_for(user: User) -> QuerySet[Trial]:
    """The person's trials that have messages, the latest conversation first."""
    return (
        with_list_data(trials_visible_to(user))
        .filter(messages__isnull=False)
        .annotate(last_message_at=Max("messages__created_at"))
        .order_by("-last_message_at", "-id")
    )


def unread_by_trial(user: User) -> dict[int, int]:
    """Unread messages per trial, from the person's message notifications."""
    counts: dict[int, int] = {}
    for key in Notification.objects.filter(
        user=user, key__startswith="message:", read_at__isnull=True
    ).values_list("key", flat=True):
        trial_id = parse_id(key.split(":")[1])
        if trial_id is not None:
            counts[trial_id] = counts.get(trial_id, 0) + 1
    return counts
