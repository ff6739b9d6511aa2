from django import template

from ..models import ApprovalItem, ApprovalState, Trial

register = template.Library()


@register.simple_tag
def approval_rows(trial: Trial) -> list[dict]:
    """Each approval on the checklist with its state, in checklist order."""
    states = dict(ApprovalState.choices)
    default = states[ApprovalState.NOT_YET]
    rows = []
    for code, label in ApprovalItem.choices:
        state = (trial.approvals.get(code) or {}).get("status")
        rows.append({"label": label, "state": states.get(state, default)})
    return rows
