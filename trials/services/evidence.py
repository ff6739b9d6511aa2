"""Evidence: files kept with a trial, and evidence packs — submission, rendering, review."""

from __future__ import annotations

import datetime
import os
import socket
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.events import record_event
from accounts.models import Organisation, User
from accounts.notifications import members_of, notify
from accounts.permissions import is_member
from accounts.webhooks import emit_for_trial
from core.exceptions import Conflict, InvalidTransition
from core.tasks import enqueue_named

from ..models import (
    SUBMITTABLE_STATUSES,
    EvidenceFile,
    EvidencePack,
    Review,
    Trial,
    TrialStatus,
    new_pack_code,
)
from .common import (
    _editable_by_startup,
    _locked,
    _move,
    contributor_organisation,
    require_reviewer,
    require_startup_of,
    reviewers_of,
)

# The task that renders a pack, enqueued by name: services never import the tasks module.
RENDER_PACK = "trials.tasks.render_pack"


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed the checks: what to store, and what it is."""

    name: str
    kind: str
    content_type: str
    sha256: str
    size: int
    files: dict[str, tuple[str, bytes]]  # field → (file name, content)


def check_upload(upload) -> CheckedUpload:
    """Check a photo or document by its content (core.images, core.documents).

    Photos are re-encoded without metadata, with display, thumbnail and print renditions;
    documents must be what they claim (PDF, CSV, XLSX, DOCX). Refusals are a
    ValidationError on ``file``.
    """
    import uuid

    from core.documents import DocumentRejected, check_document
    from core.images import ImageRejected, process_image

    name = (getattr(upload, "name", "") or "upload").rsplit("/", 1)[-1][:150]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    stem = uuid.uuid4().hex
    files: dict[str, tuple[str, bytes]] = {}
    if extension in ("jpg", "jpeg", "png", "webp"):
        try:
            processed = process_image(upload)
        except ImageRejected as error:
            raise ValidationError({"file": ValidationError(error.message, code=error.code)})
        original = processed.renditions["original"]
        for field, rendition in (
            ("file", "original"),
            ("display", "display"),
            ("thumbnail", "thumbnail"),
            ("print_version", "print"),
        ):
            item = processed.renditions[rendition]
            files[field] = (f"{stem}-{rendition}.{item.extension}", item.content)
        return CheckedUpload(
            name=name,
            kind=EvidenceFile.Kind.PHOTO,
            content_type=original.content_type,
            sha256=processed.sha256,
            size=len(original.content),
            files=files,
        )
    try:
        checked = check_document(upload, filename=name)
    except DocumentRejected as error:
        raise ValidationError({"file": ValidationError(error.message, code=error.code)})
    upload.seek(0)
    files["file"] = (f"{stem}.{checked.extension}", upload.read())
    return CheckedUpload(
        name=name,
        kind=checked.kind,
        content_type=checked.content_type,
        sha256=checked.sha256,
        size=checked.size,
        files=files,
    )


def evidence_file_add(*, actor: User, trial: Trial, upload, caption: str):
    """Keep a photo or a document. Checked by content and stored privately, with its SHA-256.
    A partner's file is marked as the partner's."""
    from django.core.files.base import ContentFile

    with transaction.atomic():
        _editable_by_contributor(actor, trial)
    if not caption.strip():
        raise ValidationError({"caption": _("Say what the file shows.")})
    checked = check_upload(upload)
    name, kind, content_type = checked.name, checked.kind, checked.content_type
    sha256, size, files = checked.sha256, checked.size, checked.files
    with transaction.atomic():
        trial, organisation = _editable_by_contributor(actor, trial)
        if trial.files.filter(removed_at__isnull=True).count() >= 100:
            raise ValidationError({"file": _("A trial can keep up to 100 files.")})
        evidence = EvidenceFile(
            trial=trial,
            kind=kind,
            caption=caption.strip()[:250],
            original_name=name,
            content_type=content_type,
            size=size,
            sha256=sha256,
            uploaded_by=actor,
            organisation=None if organisation == trial.organisation else organisation,
        )
        for field, (filename, content) in files.items():
            getattr(evidence, field).save(filename, ContentFile(content), save=False)
        evidence.save()
        record_event(
            actor=actor,
            action="file.added",
            target=trial,
            organisation=trial.organisation,
            summary=name,
        )
    return evidence


def _editable_by_contributor(actor: User, trial: Trial) -> tuple[Trial, Organisation]:
    """Lock the trial for a file from the start-up or a partner; refuse once it is closed."""
    trial = (
        Trial.objects.select_for_update(of=("self",))
        .select_related("testbed", "organisation")
        .get(pk=trial.pk)
    )
    organisation = contributor_organisation(actor, trial)
    if not trial.is_editable:
        raise Conflict(
            _("A trial that is %(status)s cannot be changed.")
            % {"status": trial.get_status_display().lower()},
            code="not_editable",
        )
    return trial, organisation


@transaction.atomic
def evidence_file_remove(*, actor: User, evidence) -> None:
    """Take a file out of the trial. Kept on disk: issued packs may list it."""
    trial = _editable_by_startup(actor, evidence.trial)
    evidence.removed_at = timezone.now()
    evidence.save(update_fields=["removed_at"])
    record_event(
        actor=actor,
        action="file.removed",
        target=trial,
        organisation=trial.organisation,
        summary=evidence.original_name,
    )


# Evidence packs: submission, rendering and review -----------------------------------


def _new_pack(
    trial: Trial,
    *,
    actor: User | None,
    status: Promise,
    language: str,
    final: bool = False,
    review=None,
    reviewed=None,
):
    """A new pack version with the trial's content frozen now; rendered after commit.

    Headings, labels and dates are frozen in ``language`` so every version of a trial's pack
    reads the same; what people wrote stays as they wrote it.
    """
    from ..evidence import build_pack_content
    from ..pdf.content import content_to_json

    version = (trial.packs.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    code = new_pack_code()
    while EvidencePack.objects.filter(code=code).exists():
        code = new_pack_code()
    now = timezone.now().replace(microsecond=0)
    with translation.override(language):
        content = build_pack_content(
            trial,
            code=code,
            version=version,
            generated_at=now,
            status=str(status),
            review=review,
            reviewed=reviewed,
            language=language,
        )
    pack = EvidencePack.objects.create(
        trial=trial,
        version=version,
        code=code,
        is_final=final,
        content=content_to_json(content),
        created_by=actor,
        created_at=now,
    )
    transaction.on_commit(partial(enqueue_named, RENDER_PACK, pack.pk))
    emit_for_trial("evidence_pack.issued", trial, pack=pack)
    return pack


@transaction.atomic
def trial_submit(*, actor: User, trial: Trial):
    """Submit a completed trial for review: check it is complete, then freeze a new pack version."""
    from ..evidence import submission_gaps

    trial, testbed = _locked(trial)
    require_startup_of(actor, trial)
    if trial.status not in SUBMITTABLE_STATUSES:
        raise InvalidTransition(_("Only a completed trial can be submitted."))
    gaps = submission_gaps(trial)
    if gaps:
        # Keyed so the API answers {"errors": {"missing": [...]}}; each item says what to add.
        raise ValidationError({"missing": [ValidationError(gap, code="missing") for gap in gaps]})
    _move(trial, TrialStatus.SUBMITTED, actor=actor)
    pack = _new_pack(
        trial,
        actor=actor,
        status=gettext_lazy("Submitted for review"),
        language=actor.language or settings.LANGUAGE_CODE,
    )
    notify(
        users=reviewers_of(trial),
        subject=gettext_lazy("Evidence pack to review: %(title)s"),
        subject_params={"title": trial.title},
        template="trials/notifications/submitted.txt",
        context={"trial": trial, "pack": pack},
        url=trial.get_absolute_url(),
    )
    return pack


@transaction.atomic
def pack_review(*, actor: User, pack, decision: str, comments: str = ""):
    """Accept the latest pack, or ask for changes. Accepting locks the trial and issues a
    final version with a sign-off page that names the SHA-256 of the version reviewed."""

    trial, testbed = _locked(pack.trial)
    pack = EvidencePack.objects.select_for_update().get(pk=pack.pk)
    require_reviewer(actor, trial)
    if decision not in Review.Decision.values:
        raise ValidationError({"decision": _("Choose accept or request changes.")})
    if decision == Review.Decision.CHANGES_REQUESTED and not comments.strip():
        raise ValidationError({"comments": _("Say what needs to change.")})
    latest = trial.packs.order_by("-version").first()
    if pack.pk != latest.pk or trial.status != TrialStatus.SUBMITTED:
        raise Conflict(_("Only the latest submitted version can be reviewed."), code="not_latest")
    if pack.state != EvidencePack.State.READY:
        raise Conflict(
            _("The pack is still being prepared. Review it once it is ready."), code="not_ready"
        )
    organisation = trial.programme.team if trial.programme_id else testbed.organisation
    review = Review.objects.create(
        pack=pack,
        reviewer=actor,
        reviewer_name=actor.get_full_name(),
        reviewer_organisation=organisation.name,
        decision=decision,
        comments=comments.strip(),
        reviewed_sha256=pack.sha256,
    )
    emit_for_trial("evidence_pack.reviewed", trial, pack=pack, decision=decision)
    if decision == Review.Decision.ACCEPTED:
        _move(trial, TrialStatus.ACCEPTED, actor=actor, note=comments)
        _new_pack(
            trial,
            actor=actor,
            status=gettext_lazy("Accepted – final"),
            language=pack.content.get("language") or settings.LANGUAGE_CODE,
            final=True,
            review=review,
            reviewed=pack,
        )
    else:
        _move(trial, TrialStatus.CHANGES_REQUESTED, actor=actor, note=comments)
    notify(
        users=members_of(trial.organisation),
        subject=(
            gettext_lazy("Evidence accepted: %(title)s")
            if decision == Review.Decision.ACCEPTED
            else gettext_lazy("Changes requested: %(title)s")
        ),
        subject_params={"title": trial.title},
        template="trials/notifications/reviewed.txt",
        context={"trial": trial, "review": review},
        url=trial.get_absolute_url(),
    )
    return review


# Rendering as a claimed work item -----------------------------------------------------

# A render interrupted this many times (its process killed each time) is marked failed.
MAX_RENDER_ATTEMPTS = 3


def _claim_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.EVIDENCE_PACK_CLAIM_SECONDS)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def pack_claim(pack_id: int, worker: str | None = None) -> EvidencePack | None:
    """Claim a pack that is being prepared, to render it now: stamp the claim and count the
    attempt, in one UPDATE. None when it is no longer being prepared (ready, failed, gone)."""
    claimed = EvidencePack.objects.filter(pk=pack_id, state=EvidencePack.State.PREPARING).update(
        claimed_at=timezone.now(),
        claimed_by=worker or worker_name(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    return EvidencePack.objects.get(pk=pack_id)


def stale_packs(now: datetime.datetime | None = None):
    """Packs being prepared whose render was claimed too long ago (its process died), or
    never started although queued long ago (its task lost with the process that had it)."""
    cutoff = (now or timezone.now()) - _claim_timeout()
    return EvidencePack.objects.filter(state=EvidencePack.State.PREPARING).filter(
        Q(claimed_at__lt=cutoff) | Q(claimed_at__isnull=True, created_at__lt=cutoff)
    )


def resume_evidence_packs(now: datetime.datetime | None = None) -> dict[str, int]:
    """The periodic job: render again every pack whose claim is stale; a pack interrupted
    MAX_RENDER_ATTEMPTS times is marked failed (``retry`` starts it afresh)."""
    resumed = failed = 0
    for pack in stale_packs(now).order_by("created_at", "pk"):
        if pack.attempts >= MAX_RENDER_ATTEMPTS:
            EvidencePack.objects.filter(pk=pack.pk, state=EvidencePack.State.PREPARING).update(
                state=EvidencePack.State.FAILED,
                error=_("Rendering was interrupted %(n)s times.") % {"n": pack.attempts},
                claimed_at=None,
                claimed_by="",
            )
            failed += 1
            continue
        # Stamp the claim now, so the next run does not queue it again before it starts.
        EvidencePack.objects.filter(pk=pack.pk).update(claimed_at=timezone.now())
        enqueue_named(RENDER_PACK, pack.pk)
        resumed += 1
    return {"resumed": resumed, "failed": failed}


@transaction.atomic
def pack_retry(*, actor: User, pack):
    """Render a pack again: one that failed, or one whose render was interrupted (a claim
    gone stale because the process rendering it died)."""

    pack = EvidencePack.objects.select_for_update().select_related("trial").get(pk=pack.pk)
    trial = pack.trial
    if not (is_member(actor, trial.organisation) or is_member(actor, trial.testbed.organisation)):
        require_reviewer(actor, trial)
    interrupted = pack.render_stalled
    if pack.state != EvidencePack.State.FAILED and not interrupted:
        raise Conflict(
            _("Only a pack that failed to render, or whose rendering stopped, can be tried again."),
            code="not_failed",
        )
    pack.state = EvidencePack.State.PREPARING
    pack.attempts = 0
    pack.error = ""
    pack.claimed_at = None
    pack.claimed_by = ""
    pack.save(update_fields=["state", "attempts", "error", "claimed_at", "claimed_by"])
    record_event(
        actor=actor,
        action="pack.retried",
        target=trial,
        organisation=trial.organisation,
        summary=pack.code,
    )
    transaction.on_commit(partial(enqueue_named, RENDER_PACK, pack.pk))
    return pack
