"""Every change to a challenge goes through a function here, grouped by subject.

- ``setup``: create and change a challenge, criteria, questions, test beds, publish, close;
- ``clarifications``: questions asked privately, answered to all;
- ``applications``: start, save a step, attach a file, submit (under the lock), withdraw;
- ``assessment``: assessors, conflicts, scores, moderation notes;
- ``decisions``: decide, award (a trial request), new dates for an award;
- ``common``: the clock (``common.now``, frozen in tests), locks, who may act.

Each function checks who may act, runs in one transaction and records an event.
"""

from .applications import (
    PLAN_FIELDS,
    application_file_set,
    application_gaps,
    application_save,
    application_start,
    application_submit,
    application_withdraw,
)
from .assessment import (
    active_assessor,
    assessor_accept,
    assessor_for_token,
    assessor_invite,
    assessor_remove,
    conflict_declare,
    moderation_note_add,
    require_assessor,
    require_cleared,
    scores_save,
)
from .clarifications import clarification_ask, clarification_publish
from .common import has_conflict, is_owner, require_owner
from .decisions import award_new_dates, coverage, decide
from .setup import (
    challenge_create,
    challenge_publish,
    challenge_update,
    close_due_challenges,
    criteria_set,
    follow_set,
    publish_gaps,
    questions_set,
    testbed_link,
    testbed_link_respond,
    testbed_unlink,
)

__all__ = [
    "PLAN_FIELDS",
    "active_assessor",
    "application_file_set",
    "application_gaps",
    "application_save",
    "application_start",
    "application_submit",
    "application_withdraw",
    "assessor_accept",
    "assessor_for_token",
    "assessor_invite",
    "assessor_remove",
    "award_new_dates",
    "challenge_create",
    "challenge_publish",
    "challenge_update",
    "clarification_ask",
    "clarification_publish",
    "close_due_challenges",
    "conflict_declare",
    "coverage",
    "criteria_set",
    "decide",
    "follow_set",
    "has_conflict",
    "is_owner",
    "moderation_note_add",
    "publish_gaps",
    "questions_set",
    "require_assessor",
    "require_cleared",
    "require_owner",
    "scores_save",
    "testbed_link",
    "testbed_link_respond",
    "testbed_unlink",
]
