"""Every change to a trial goes through a function here, grouped by subject.

- ``lifecycle``: request, approve, decline, withdraw, cancel, start, complete;
- ``waitlist``: wait for full days and be offered them;
- ``plans``: plan, outcome, KPIs, measurements and the progress log;
- ``corrections``: measurements, log entries and KPIs put right before submission, the earlier
  value kept in the trial's history;
- ``evidence``: evidence files, evidence packs (submission, rendering, review);
- ``messages``: one message thread per trial, with batched e-mail;
- ``partners``: partner organisations: invite, accept, remove;
- ``changes``: changing an approved booking's dates (extend, shorten, move);
- ``common``: what they share (moving a trial with its event, locks, who may act).

Each function checks who may act, runs in one transaction and records an event. The
modules import down (``common`` ← ``waitlist`` ← ``lifecycle``) and never the tasks module:
tasks are enqueued by name.
"""

from .changes import (
    CHANGEABLE_STATUSES,
    change_request_approve,
    change_request_create,
    change_request_decline,
    change_request_withdraw,
    require_change_step,
)
from .common import (
    CONTRIBUTOR_STEPS,
    EITHER_SIDE_STEPS,
    ONE_DAY,
    PROVIDER_STEPS,
    STARTUP_STEPS,
    TRANSITIONS,
    actor_name,
    clean_answers,
    contributor_organisation,
    partner_organisation_of,
    require_provider_of,
    require_reviewer,
    require_startup_of,
    require_step,
    reviewers_of,
)
from .corrections import (
    log_entry_correct,
    measurement_correct,
    record_correction,
    require_log_author,
)
from .evidence import (
    RENDER_PACK,
    evidence_file_add,
    evidence_file_remove,
    pack_claim,
    pack_retry,
    pack_review,
    resume_evidence_packs,
    trial_submit,
)
from .lifecycle import (
    days_released_on_completion,
    live_request_overlapping,
    start_due_trials,
    trial_approve,
    trial_cancel,
    trial_complete,
    trial_decline,
    trial_request,
    trial_start,
    trial_withdraw,
    waitlist_take_offer,
)
from .messages import (
    EMAIL_GAP,
    message_post,
    send_waiting_message_emails,
    speaking_for,
    thread_email,
    thread_mark_read,
)
from .partners import (
    PARTNER_KINDS,
    partner_accept,
    partner_for_token,
    partner_invite,
    partner_remove,
)
from .plans import (
    OUTCOME_WRITABLE,
    PLAN_WRITABLE,
    kpi_add,
    kpi_remove,
    kpi_update,
    log_entry_add,
    measurement_add,
    measurement_remove,
    trial_update_outcome,
    trial_update_plan,
)
from .waitlist import (
    WAITLIST_OFFER_DAYS,
    lapse_waitlist_offers,
    waitlist_join,
    waitlist_leave,
    waitlist_offer_freed_days,
)

__all__ = [
    "log_entry_correct",
    "measurement_correct",
    "record_correction",
    "require_log_author",
    "EMAIL_GAP",
    "message_post",
    "send_waiting_message_emails",
    "speaking_for",
    "thread_email",
    "thread_mark_read",
    "CONTRIBUTOR_STEPS",
    "PARTNER_KINDS",
    "contributor_organisation",
    "partner_accept",
    "partner_for_token",
    "partner_invite",
    "partner_organisation_of",
    "partner_remove",
    "CHANGEABLE_STATUSES",
    "change_request_approve",
    "change_request_create",
    "change_request_decline",
    "change_request_withdraw",
    "require_change_step",
    "EITHER_SIDE_STEPS",
    "ONE_DAY",
    "OUTCOME_WRITABLE",
    "PLAN_WRITABLE",
    "PROVIDER_STEPS",
    "RENDER_PACK",
    "STARTUP_STEPS",
    "TRANSITIONS",
    "WAITLIST_OFFER_DAYS",
    "actor_name",
    "clean_answers",
    "evidence_file_add",
    "evidence_file_remove",
    "kpi_add",
    "kpi_remove",
    "kpi_update",
    "lapse_waitlist_offers",
    "live_request_overlapping",
    "log_entry_add",
    "measurement_add",
    "measurement_remove",
    "pack_claim",
    "pack_retry",
    "resume_evidence_packs",
    "pack_review",
    "require_provider_of",
    "require_reviewer",
    "require_startup_of",
    "require_step",
    "reviewers_of",
    "start_due_trials",
    "trial_approve",
    "trial_cancel",
    "days_released_on_completion",
    "trial_complete",
    "trial_decline",
    "trial_request",
    "trial_start",
    "trial_submit",
    "trial_update_outcome",
    "trial_update_plan",
    "trial_withdraw",
    "waitlist_join",
    "waitlist_leave",
    "waitlist_offer_freed_days",
    "waitlist_take_offer",
]
