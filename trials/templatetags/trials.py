from django import template

from ..models import ApprovalItem, ApprovalState, Trial

register = template.Library()


@register.simple_tag
def approval_rows(trial: Trial, required_only: bool = False) -> list[dict]:
    """Each approval on the checklist with its state, in checklist order, marked when the
    trial's test bed requires it (``required_only``: just those)."""
    states = dict(ApprovalState.choices)
    default = states[ApprovalState.NOT_YET]
    required = set(trial.testbed.assurances or [])
    rows = []
    for code, label in ApprovalItem.choices:
        if required_only and code not in required:
            continue
        state = (trial.approvals.get(code) or {}).get("status")
        rows.append(
            {
                "label": label,
                "state": states.get(state, default),
                "in_place": state == ApprovalState.IN_PLACE,
                "required": code in required,
            }
        )
    return rows
